import { describeTransactionStoreContract } from '../../support/contracts/transaction-store-contract'
import { InMemoryTransactionStore } from '../../support/fakes/in-memory-transaction-store'

describeTransactionStoreContract('the in-memory fake', () => {
  const store = new InMemoryTransactionStore()
  return {
    store,
    read: async (key) => store.get(key),
    readPayload: async (key) => {
      const item = store.payloadOf(key)
      return item && { body: String(item.payload), item }
    },
  }
})
