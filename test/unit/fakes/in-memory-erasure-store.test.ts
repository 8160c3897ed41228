import { describeErasureStoreContract } from '../../support/contracts/erasure-store-contract'
import { InMemoryErasureStore } from '../../support/fakes/in-memory-erasure-store'
import { InMemoryTransactionStore } from '../../support/fakes/in-memory-transaction-store'

describeErasureStoreContract('the in-memory fake', async () => {
  const transactions = new InMemoryTransactionStore()
  const erasures = new InMemoryErasureStore(transactions)
  return {
    erasures,
    transactions,
    erasureRecords: async () => [...erasures.erasures.values()],
    read: async (key) => transactions.get(key),
  }
})
