import type { Deps } from '../../../lib/deps'
import { DEFAULT_RETENTION } from '../../../lib/privacy/retention'
import type { OutgoingMessage } from '../../../lib/receive/build-message'
import type { EventPublisher } from '../../../lib/receive/event-publisher'
import { MAX_BODY_BYTES } from '../../../lib/receive/limits'
import { staticWebhookSecrets } from '../../../lib/receive/webhook-secrets'
import { InMemoryErasureStore } from './in-memory-erasure-store'
import { InMemoryLedgerStore } from './in-memory-ledger-store'
import { InMemoryTransactionStore } from './in-memory-transaction-store'

export const TEST_SECRET = 'unit-test-secret'

/** Records what it publishes; `failing` makes the next publishes throw. */
export class RecordingPublisher implements EventPublisher {
  readonly published: OutgoingMessage[] = []
  failing = false

  async publish(message: OutgoingMessage) {
    if (this.failing) throw new Error('publish failed (injected)')
    this.published.push(message)
    return { messageId: `msg-${this.published.length}` }
  }
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public now = new Date('2026-01-01T00:00:00.000Z')) {}
  advance(ms: number) {
    this.now = new Date(this.now.getTime() + ms)
  }
  read = () => this.now
}

export function fakeDeps(secrets: string | undefined = TEST_SECRET) {
  const store = new InMemoryTransactionStore()
  const erasures = new InMemoryErasureStore(store)
  const ledger = new InMemoryLedgerStore()
  const publisher = new RecordingPublisher()
  const clock = new ManualClock()
  const deps: Deps = {
    secrets: staticWebhookSecrets(secrets),
    store,
    ledger,
    erasures,
    publisher,
    clock: clock.read,
    settings: {
      claimLeaseMs: 15_000,
      maxBodyBytes: MAX_BODY_BYTES,
      retention: DEFAULT_RETENTION,
      publishPersonalData: false,
    },
  }
  return { deps, store, ledger, erasures, publisher, clock }
}
