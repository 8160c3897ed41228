import { describeSweepStoreContract } from '../../support/contracts/sweep-store-contract'
import { InMemorySweepStore } from '../../support/fakes/in-memory-sweep-store'
import { InMemoryTransactionStore } from '../../support/fakes/in-memory-transaction-store'

describeSweepStoreContract('the in-memory fake', () => {
  const transactions = new InMemoryTransactionStore()
  return { sweeps: new InMemorySweepStore(transactions), transactions }
})
