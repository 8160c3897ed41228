import { InMemoryTransactionStore } from '../support/in-memory-transaction-store'
import { describeTransactionStoreContract } from '../support/transaction-store-contract'

describeTransactionStoreContract('the in-memory fake', () => {
  const store = new InMemoryTransactionStore()
  return { store, read: async (key) => store.get(key) }
})
