import type { Deps } from '../deps'
import { type ErasureRequest, readPayload } from '../receive/read-payload'
import { ingestPayload, type WebhookOutcome } from '../receive/receive-webhook'
import type { EventOrigin } from '../receive/received-event'
import { API_TRANSACTION_EVENT_TYPE, type ApiTransaction } from './transaction-payload'

/** What became of a transaction Voucherify's API listed, taken in through the receiver. */
export type TakeInResult =
  | { outcome: 'taken_in' }
  /** Stored meanwhile (by its webhook, say): nothing to do. */
  | { outcome: 'already_stored' }
  /** Its stored item is claimed by a delivery still under way: the next run looks again. */
  | { outcome: 'in_flight'; reason: string }
  | { outcome: 'failed'; reason: string }

/** Per transaction taken in; the run's own signal may end it sooner. */
const TAKE_IN_TIMEOUT_MS = 10_000

const text = (value: unknown) => (typeof value === 'string' ? value : '')

/** The voucher whose balance a transaction changed: what the ledger files it under. */
export function voucherIdOf(transaction: ApiTransaction): string {
  const details = transaction.details as { balance?: { related_object?: { id?: unknown } } } | null
  return text(details?.balance?.related_object?.id) || text(transaction.voucher_id)
}

/** Why a payload was not stored, with no value from it: a status, a stage or the failing paths. */
export function failureReason(outcome: WebhookOutcome | ErasureRequest): string {
  switch (outcome.status) {
    case 'invalid':
      return `schema: ${outcome.issues.map((issue) => issue.path).join(', ')}`
    case 'unavailable':
      return `unavailable at ${outcome.stage}: ${(outcome.cause as Error)?.name ?? 'error'}`
    case 'in_flight':
      return 'in_flight: a delivery of it is under way; run again in a minute'
    default:
      return outcome.status
  }
}

/**
 * Takes in one transaction's payload (see `transactionPayload`) as a `voucher.gift.transaction.created`
 * event marked `origin`: validated, stored once, its chain step applied, published once. The
 * payload is read first: the pipeline would quarantine one that fails, and this one was built
 * here, not sent by Voucherify, so its failure is reported instead.
 */
export async function takeInTransaction(
  receiver: Deps,
  body: string,
  origin: EventOrigin,
  signal?: AbortSignal,
): Promise<TakeInResult> {
  const payload = { body: Buffer.from(body), pathEventType: API_TRANSACTION_EVENT_TYPE, origin }
  const read = readPayload(payload, receiver.clock().toISOString())
  if (!read.ok) return { outcome: 'failed', reason: failureReason(read.outcome) }
  const timeout = AbortSignal.timeout(TAKE_IN_TIMEOUT_MS)
  const outcome = await ingestPayload(
    receiver,
    payload,
    signal ? AbortSignal.any([signal, timeout]) : timeout,
  )
  if (outcome.status === 'accepted') return { outcome: 'taken_in' }
  if (outcome.status === 'duplicate') return { outcome: 'already_stored' }
  if (outcome.status === 'in_flight')
    return { outcome: 'in_flight', reason: failureReason(outcome) }
  return { outcome: 'failed', reason: failureReason(outcome) }
}
