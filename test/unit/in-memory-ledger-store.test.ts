import { InMemoryLedgerStore } from '../support/in-memory-ledger-store'
import { describeLedgerStoreContract } from '../support/ledger-store-contract'

describeLedgerStoreContract('the in-memory fake', () => {
  const store = new InMemoryLedgerStore()
  return {
    store,
    readHead: async (voucherId) => store.heads.get(voucherId),
    readStep: async (transactionId) => store.steps.get(transactionId),
  }
})
