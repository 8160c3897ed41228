import {
  DEFAULT_RETENTION,
  type Deps,
  type ErasureStore,
  type LedgerStore,
  MAX_BODY_BYTES,
  type OutgoingMessage,
  staticWebhookSecrets,
  type TransactionStore,
} from '../../lib'
import { LOCAL_WEBHOOK_SECRET } from '../sample-events'

/**
 * A store that costs nothing and always hands out the caller's own claim, so every delivery
 * runs the whole path (claim, publish, mark published) however often the same one is replayed.
 */
const noopStore: TransactionStore = {
  recordDelivery: async (_record, claim) => ({
    status: 'claimed',
    claimToken: claim.token,
    leaseExpiresAt: claim.expiresAt,
    receivedCount: 1,
  }),
  takeOverClaim: async () => true,
  markPublished: async () => true,
  releaseClaim: async () => undefined,
  quarantine: async () => undefined,
  storePayload: async () => undefined,
}

/** No customer is ever erased. */
const noopErasures: ErasureStore = {
  isErased: async () => false,
  recordErasure: async () => undefined,
  findPersonalData: async () => [],
  deleteItems: async () => undefined,
}

/** A ledger that applies every step at once, as a card's first transaction does. */
const noopLedger: LedgerStore = {
  applyStep: async () => ({ status: 'applied' }),
}

/**
 * The deps receiveWebhook needs, with I/O replaced by no-ops. Keeps a reference to the last
 * message (measuring it here would add work to the timed path).
 */
export function noopDeps() {
  const published: { last: OutgoingMessage | undefined } = { last: undefined }
  const deps: Deps = {
    secrets: staticWebhookSecrets(LOCAL_WEBHOOK_SECRET),
    store: noopStore,
    ledger: noopLedger,
    erasures: noopErasures,
    publisher: {
      publish: async (message: OutgoingMessage) => {
        published.last = message
        return { messageId: 'noop' }
      },
    },
    clock: () => new Date(),
    settings: {
      claimLeaseMs: 15_000,
      maxBodyBytes: MAX_BODY_BYTES,
      retention: DEFAULT_RETENTION,
      publishPersonalData: false,
    },
  }
  return { deps, published }
}
