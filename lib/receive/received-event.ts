import type { LedgerEntry } from '../ledger/ledger-entry'
import type { SupportedEventType } from '../schemas/registry'
import type { IdempotencyKey } from './idempotency-key'

/**
 * Who took an event in when it did not come as a webhook: `reconcile` (npm run reconcile) or
 * `sweep` (the scheduled sweep, or npm run sweep).
 */
export type EventOrigin = 'reconcile' | 'sweep'

/** A verified, validated gift event, ready to be stored and fanned out. */
export interface ReceivedEvent {
  eventType: SupportedEventType
  /** `raw` when Voucherify sent the bare data object to the typed route. */
  delivery: 'envelope' | 'raw'
  webhookId: string | null
  eventId: string | null
  projectId: string | null
  /** When Voucherify created the webhook, else when the transaction happened. */
  createdAt: string
  receivedAt: string
  idempotency: IdempotencyKey
  entry: LedgerEntry
  /** The data object's JSON text exactly as Voucherify sent it, unknown fields included. */
  dataJson: string
  /** The same with every customer object reduced to its id (lib/privacy/personal-data.ts). */
  dataJsonWithoutPersonalData: string
  /** The body as received, kept (until it expires) so the delivery can be replayed byte for byte. */
  payload: string
  /** Whose personal data the payload holds: the customer, else the card's holder. */
  customerId: string | undefined
  /** Absent for a webhook delivery. Stored and published as `origin` (`source` is Voucherify's). */
  origin?: EventOrigin
}
