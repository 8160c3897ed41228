import { quarantineId } from '../aws/transactions-table'
import type { Deps } from '../deps'
import { applyToLedger, type LedgerOutcome } from '../ledger/apply-to-ledger'
import { chainEntryOf, LEDGER_ATTRIBUTE } from '../ledger/ledger-chain'
import { eraseCustomer } from '../privacy/erase-customer'
import { customerIdOf, eventDataOf } from '../privacy/personal-data'
import { expiresAt } from '../privacy/retention'
import { CUSTOMER_DELETED_EVENT_TYPE } from '../schemas/customer-deleted'
import type { OutgoingMessage } from './build-message'
import { claimTransaction } from './claim-transaction'
import { bodyDigest } from './idempotency-key'
import {
  type BadRequestReason,
  type Issue,
  readPayload,
  type TrustedPayload,
  utf8,
} from './read-payload'
import type { ReceivedEvent } from './received-event'
import { verifySignature } from './signature'
import { toPayloadRecord, toTransactionRecord } from './transaction-store'

/** One HTTP delivery, already lifted out of API Gateway's event. */
export interface WebhookDelivery {
  body: Uint8Array
  signature: string | undefined
  /** Set on the raw-payload route, whose path names the event type. */
  pathEventType: string | undefined
}

/** What identifies a stored event: for the answer, and as correlation ids in the logs. */
interface EventIds {
  eventType: string
  idempotencyKey: string
  transactionId: string | null
  webhookId: string | null
  eventId: string | null
}

export type WebhookOutcome =
  | ({ status: 'accepted'; messageId: string; ledger?: LedgerOutcome } & EventIds)
  | ({ status: 'duplicate'; messageId: string; receivedCount: number } & EventIds)
  | ({ status: 'in_flight' } & EventIds)
  | { status: 'ignored'; eventType: string }
  | { status: 'unauthorized'; reason: 'signature_missing' | 'signature_invalid' }
  | { status: 'bad_request'; reason: BadRequestReason; message: string; issues?: Issue[] }
  | { status: 'too_large'; limitBytes: number }
  | { status: 'invalid'; eventType: string; issues: Issue[]; quarantineKey?: string }
  /** A `customer.deleted` carried out: how many items held the customer's personal data. */
  | { status: 'erased'; eventType: string; itemsErased: number }
  | {
      status: 'unavailable'
      stage:
        | 'secrets'
        | 'quarantine'
        | 'erasure'
        | 'claim'
        | 'ledger'
        | 'payload'
        | 'publish'
        | 'mark_published'
      cause: unknown
      /** Set when this delivery applied the chain step before a later stage failed. */
      ledger?: LedgerOutcome
    }
  | { status: 'not_configured' }

/**
 * Verify, parse and validate a delivery, then store it once and publish it once.
 * `deadline` aborts every AWS call still running when the delivery's time is up.
 */
export async function receiveWebhook(
  deps: Deps,
  delivery: WebhookDelivery,
  deadline?: AbortSignal,
): Promise<WebhookOutcome> {
  const refused = await authenticate(deps, delivery, deadline)
  return refused ?? ingestPayload(deps, delivery, deadline)
}

/**
 * Everything after authentication: read the payload, quarantine it if it fails its schema,
 * erase a customer on a `customer.deleted`, else store it once and publish it once.
 * Re-processing a quarantined payload starts here.
 */
export async function ingestPayload(
  deps: Deps,
  payload: TrustedPayload,
  deadline?: AbortSignal,
): Promise<WebhookOutcome> {
  const receivedAt = deps.clock().toISOString()
  const read = readPayload(payload, receivedAt)
  if (read.ok) return storeAndPublish(deps, read, deadline)
  const { outcome } = read
  if (outcome.status === 'erasure_requested') return erase(deps, outcome.customerId, deadline)
  if (outcome.status === 'invalid') {
    return quarantine(deps, payload, outcome, receivedAt, deadline)
  }
  return outcome
}

/** A signed `customer.deleted`: that customer's personal data erased, as `npm run erase` does. */
async function erase(
  deps: Deps,
  customerId: string,
  deadline: AbortSignal | undefined,
): Promise<WebhookOutcome> {
  try {
    const { erased } = await eraseCustomer(deps, customerId, {
      requestedBy: 'customer.deleted',
      signal: deadline,
    })
    return { status: 'erased', eventType: CUSTOMER_DELETED_EVENT_TYPE, itemsErased: erased }
  } catch (cause) {
    return { status: 'unavailable', stage: 'erasure', cause }
  }
}

/**
 * Keeps a payload that failed its schema, with its customer and expiry, for a replay after a
 * fix; an erased customer's payload is not kept again (the issues alone say what was refused).
 */
async function quarantine(
  deps: Deps,
  payload: TrustedPayload,
  outcome: Extract<WebhookOutcome, { status: 'invalid' }>,
  receivedAt: string,
  deadline: AbortSignal | undefined,
): Promise<WebhookOutcome> {
  const quarantineKey = quarantineKeyFor(payload.body)
  try {
    // Valid UTF-8 and JSON: it has been parsed.
    const text = utf8.decode(payload.body)
    const customerId = customerIdOf(eventDataOf(JSON.parse(text)))
    const erased = customerId !== undefined && (await deps.erasures.isErased(customerId, deadline))
    const expires = expiresAt(receivedAt, deps.settings.retention.quarantineDays)
    await deps.store.quarantine(
      {
        transaction_id: quarantineKey,
        event_type: outcome.eventType,
        delivery: payload.pathEventType === undefined ? 'envelope' : 'raw',
        ...(erased ? {} : { payload: text }),
        issues: outcome.issues,
        received_at: receivedAt,
        ...(erased || customerId === undefined ? {} : { customer_id: customerId }),
        ...(expires === undefined ? {} : { expires_at: expires }),
      },
      deadline,
    )
  } catch (cause) {
    return { status: 'unavailable', stage: 'quarantine', cause }
  }
  return { ...outcome, quarantineKey }
}

/** Where a payload that failed its schema is kept: one item per distinct body. */
export function quarantineKeyFor(body: Uint8Array): string {
  return quarantineId(bodyDigest(body))
}

/** Size and signature: nothing in a body is read before it is known to come from Voucherify. */
async function authenticate(
  deps: Deps,
  { body, signature }: WebhookDelivery,
  deadline: AbortSignal | undefined,
): Promise<WebhookOutcome | undefined> {
  if (body.length > deps.settings.maxBodyBytes) {
    return { status: 'too_large', limitBytes: deps.settings.maxBodyBytes }
  }
  let secrets: readonly string[]
  try {
    secrets = await deps.secrets.current(deadline)
  } catch (cause) {
    return { status: 'unavailable', stage: 'secrets', cause }
  }
  if (secrets.length === 0) return { status: 'not_configured' }
  if (signature === undefined) return { status: 'unauthorized', reason: 'signature_missing' }
  if (!verifySignature(body, signature, secrets)) {
    return { status: 'unauthorized', reason: 'signature_invalid' }
  }
  return undefined
}

/** Claims the transaction, applies it to its card's ledger, publishes it, and records both. */
async function storeAndPublish(
  deps: Deps,
  read: {
    event: ReceivedEvent
    message: OutgoingMessage
    messageWithPersonalData: OutgoingMessage
  },
  deadline: AbortSignal | undefined,
): Promise<WebhookOutcome> {
  const { event } = read
  const record = toTransactionRecord(event)
  const ids: EventIds = {
    eventType: event.eventType,
    idempotencyKey: event.idempotency.key,
    transactionId: event.entry.transaction_id,
    webhookId: event.webhookId,
    eventId: event.eventId,
  }

  let claim: Awaited<ReturnType<typeof claimTransaction>>
  try {
    claim = await claimTransaction(deps, record, deadline)
  } catch (cause) {
    return { status: 'unavailable', stage: 'claim', cause }
  }
  if (claim.status === 'duplicate') {
    return {
      status: 'duplicate',
      messageId: claim.messageId,
      receivedCount: claim.receivedCount,
      ...ids,
    }
  }
  if (claim.status === 'in_flight') return { status: 'in_flight', ...ids }
  // Best effort, with a budget of its own: the deadline may be what failed the stage.
  // If the release fails too, the lease simply runs out.
  const releaseClaim = () =>
    deps.store
      .releaseClaim(record, claim.claimToken, deps.clock().getTime(), AbortSignal.timeout(300))
      .catch(() => undefined)

  // Before the publish, so the message can carry the verdict; applying again is harmless, so a
  // failure here answers 503 and Voucherify's retry applies it. The payload is stored meanwhile.
  const entry = chainEntryOf(record)
  const [applied, kept] = await Promise.allSettled([
    entry && applyToLedger(deps, entry, event.eventType, deadline),
    keepPayload(deps, event, deadline),
  ])
  const ledger = applied.status === 'fulfilled' ? applied.value : undefined
  if (applied.status === 'rejected') {
    await releaseClaim()
    return { status: 'unavailable', stage: 'ledger', cause: applied.reason }
  }
  if (kept.status === 'rejected') {
    await releaseClaim()
    return { status: 'unavailable', stage: 'payload', cause: kept.reason, ledger }
  }
  const withPersonalData = deps.settings.publishPersonalData && kept.value !== 'erased'
  const outgoing = withPersonalData ? read.messageWithPersonalData : read.message
  const published = ledger
    ? {
        ...outgoing,
        attributes: { ...outgoing.attributes, [LEDGER_ATTRIBUTE]: ledger.verdict.status },
      }
    : outgoing

  let messageId: string
  try {
    ;({ messageId } = await deps.publisher.publish(published, deadline))
  } catch (cause) {
    await releaseClaim()
    return { status: 'unavailable', stage: 'publish', cause, ledger }
  }

  try {
    await deps.store.markPublished(
      record,
      claim.claimToken,
      { messageId, publishedAt: deps.clock().toISOString(), ledger: ledger?.verdict },
      deadline,
    )
  } catch (cause) {
    // The message is out but not recorded: a retry republishes it (at least once, never lost).
    return { status: 'unavailable', stage: 'mark_published', cause, ledger }
  }
  return { status: 'accepted', messageId, ledger, ...ids }
}

/**
 * Stores the delivery's payload with its expiry, unless its customer has been erased: then it
 * is not kept at all (the record holds everything the ledger needs).
 */
async function keepPayload(
  deps: Pick<Deps, 'store' | 'erasures' | 'settings'>,
  event: ReceivedEvent,
  deadline: AbortSignal | undefined,
): Promise<'stored' | 'erased'> {
  if (
    event.customerId !== undefined &&
    (await deps.erasures.isErased(event.customerId, deadline))
  ) {
    return 'erased'
  }
  await deps.store.storePayload(
    toPayloadRecord(event, deps.settings.retention.payloadDays),
    deadline,
  )
  return 'stored'
}
