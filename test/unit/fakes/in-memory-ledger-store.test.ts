import { describeLedgerStoreContract } from '../../support/contracts/ledger-store-contract'
import { InMemoryLedgerStore } from '../../support/fakes/in-memory-ledger-store'

describeLedgerStoreContract('the in-memory fake', () => {
  const store = new InMemoryLedgerStore()
  return {
    store,
    attestations: store,
    readHead: async (voucherId) => store.heads.get(voucherId),
    readStep: async (transactionId) => store.steps.get(transactionId),
  }
})
