import * as v from 'valibot'
import { applyToLedger, type LedgerOutcome } from './apply-to-ledger'
import { buildMessage, messageFits, type OutgoingMessage } from './build-message'
import { claimTransaction } from './claim-transaction'
import type { Deps } from './deps'
import { bodyDigest, idempotencyKeyFor } from './idempotency-key'
import { jsonMemberText } from './json-member-text'
import { chainEntryOf, LEDGER_ATTRIBUTE, LEDGER_ATTRIBUTE_MAX_BYTES } from './ledger-chain'
import { toLedgerEntry } from './ledger-entry'
import { MAX_BODY_BYTES, SNS_MAX_MESSAGE_BYTES } from './limits'
import type { EventOrigin, ReceivedEvent } from './received-event'
import { eventSchemas, isSupportedEventType } from './schemas/registry'
import { verifySignature } from './signature'
import { toTransactionRecord } from './transaction-store'
import { eventTypeOf, type WebhookEnvelope, WebhookEnvelopeSchema } from './webhook-envelope'

/** One HTTP delivery, already lifted out of API Gateway's event. */
export interface WebhookDelivery {
  body: Uint8Array
  signature: string | undefined
  /** Set on the raw-payload route, whose path names the event type. */
  pathEventType: string | undefined
}

export interface Issue {
  path: string
  message: string
}

export type BadRequestReason =
  | 'body_empty'
  | 'body_not_utf8'
  | 'body_not_json'
  | 'body_not_object'
  | 'envelope_invalid'

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
  | {
      status: 'unavailable'
      stage: 'secrets' | 'quarantine' | 'claim' | 'ledger' | 'publish' | 'mark_published'
      cause: unknown
      /** Set when this delivery applied the chain step before a later stage failed. */
      ledger?: LedgerOutcome
    }
  | { status: 'not_configured' }

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Paths and expectations only: Valibot's own messages quote the received value. */
function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix: string): Issue[] {
  return issues.map((issue) => {
    const path = [prefix, v.getDotPath(issue)].filter(Boolean).join('.') || '(root)'
    if (issue.kind !== 'schema') return { path, message: issue.message }
    const message = issue.received === 'undefined' ? 'is required' : `expected ${issue.expected}`
    return { path, message }
  })
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

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

/** A body known to come from Voucherify: a verified delivery, or a payload read back from storage. */
export interface TrustedPayload {
  body: Uint8Array
  /** The event type named by the raw-payload route; undefined for an envelope. */
  pathEventType: string | undefined
  /** Set when the payload did not come as a webhook (e.g. `reconcile`); kept on item and message. */
  origin?: EventOrigin
}

/**
 * Everything after authentication: read the payload, quarantine it if it fails its schema,
 * else store it once and publish it once. Re-processing a quarantined payload starts here.
 */
export async function ingestPayload(
  deps: Deps,
  payload: TrustedPayload,
  deadline?: AbortSignal,
): Promise<WebhookOutcome> {
  const receivedAt = deps.clock().toISOString()
  const read = readPayload(payload, receivedAt)
  if (read.ok) return storeAndPublish(deps, read.event, read.message, deadline)
  if (read.outcome.status !== 'invalid') return read.outcome
  const quarantineKey = quarantineKeyFor(payload.body)
  try {
    await deps.store.quarantine(
      {
        transaction_id: quarantineKey,
        event_type: read.outcome.eventType,
        delivery: payload.pathEventType === undefined ? 'envelope' : 'raw',
        // Valid UTF-8: it has been parsed.
        payload: utf8.decode(payload.body),
        issues: read.outcome.issues,
        received_at: receivedAt,
      },
      deadline,
    )
  } catch (cause) {
    return { status: 'unavailable', stage: 'quarantine', cause }
  }
  return { ...read.outcome, quarantineKey }
}

/** Where a payload that failed its schema is kept: one item per distinct body. */
export function quarantineKeyFor(body: Uint8Array): string {
  return `quarantine:sha256:${bodyDigest(body)}`
}

type Read<T> = ({ ok: true } & T) | { ok: false; outcome: WebhookOutcome }

/**
 * Pure, no I/O: JSON, envelope, event type, schema, ledger entry and the message to publish.
 * Replaying a stored payload reads it again with this.
 */
export function readPayload(
  { body, pathEventType, origin }: TrustedPayload,
  receivedAt: string,
): Read<{ event: ReceivedEvent; message: OutgoingMessage }> {
  const parsed = parseJsonObject(body)
  if (!parsed.ok) return parsed
  const located = locateData(parsed.value, pathEventType)
  if (!located.ok) return located
  const { eventType, data, envelope } = located
  if (!isSupportedEventType(eventType))
    return { ok: false, outcome: { status: 'ignored', eventType } }
  const invalid = (issues: Issue[]) =>
    ({ ok: false, outcome: { status: 'invalid', eventType, issues } }) as const

  const validated = v.safeParse(eventSchemas[eventType], data)
  if (!validated.success) return invalid(toIssues(validated.issues, envelope ? 'data' : ''))

  const entry = toLedgerEntry(
    validated.output,
    envelope?.event?.created_at ?? envelope?.created_at ?? receivedAt,
  )
  const dataJson = envelope ? dataJsonOf(parsed.text, data) : parsed.text.trim()
  if (dataJson === undefined) return invalid([{ path: 'data', message: 'is nested too deeply' }])
  const eventId = envelope?.event?.id ?? null
  const event: ReceivedEvent = {
    eventType,
    delivery: envelope ? 'envelope' : 'raw',
    webhookId: envelope?.id ?? null,
    eventId,
    projectId: envelope?.project_id ?? null,
    createdAt: envelope?.created_at ?? entry.created_at,
    receivedAt,
    idempotency: idempotencyKeyFor(entry.transaction_id, eventId, body),
    entry,
    dataJson,
    payload: parsed.text,
    ...(origin === undefined ? {} : { origin }),
  }
  const message = buildMessage(event)
  // Attribute values count too, and ids may be escaped longer than they were sent; the ledger
  // attribute is added after the chain step.
  if (!messageFits(message, SNS_MAX_MESSAGE_BYTES - LEDGER_ATTRIBUTE_MAX_BYTES)) {
    return { ok: false, outcome: { status: 'too_large', limitBytes: MAX_BODY_BYTES } }
  }
  return { ok: true, event, message }
}

/**
 * The envelope's data as sent; serialised again only when a key was written with escapes.
 * Undefined when it is nested too deeply for JSON.stringify, which recurses.
 */
function dataJsonOf(envelopeJson: string, data: Record<string, unknown>): string | undefined {
  const asSent = jsonMemberText(envelopeJson, 'data')
  if (asSent !== undefined) return asSent
  try {
    return JSON.stringify(data)
  } catch (error) {
    if (error instanceof RangeError) return undefined
    throw error
  }
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

/** Finds the event type and its data: in the envelope, or on the raw route in the path. */
function locateData(
  body: Record<string, unknown>,
  pathEventType: string | undefined,
): Read<{ eventType: string; data: Record<string, unknown>; envelope?: WebhookEnvelope }> {
  if (pathEventType !== undefined) return { ok: true, eventType: pathEventType, data: body }
  const result = v.safeParse(WebhookEnvelopeSchema, body)
  if (!result.success) {
    return {
      ok: false,
      outcome: {
        status: 'bad_request',
        reason: 'envelope_invalid',
        message: 'The body is not a Voucherify webhook envelope',
        issues: toIssues(result.issues, ''),
      },
    }
  }
  const envelope = result.output
  // The body's own data, not Valibot's copy: that one drops keys such as `__proto__`.
  const data = body.data as Record<string, unknown>
  return { ok: true, eventType: eventTypeOf(envelope), data, envelope }
}

/** Claims the transaction, applies it to its card's ledger, publishes it, and records both. */
async function storeAndPublish(
  deps: Deps,
  event: ReceivedEvent,
  message: OutgoingMessage,
  deadline: AbortSignal | undefined,
): Promise<WebhookOutcome> {
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
  // failure here answers 503 and Voucherify's retry applies it.
  const entry = chainEntryOf(record)
  let ledger: LedgerOutcome | undefined
  try {
    ledger = entry && (await applyToLedger(deps, entry, event.eventType, deadline))
  } catch (cause) {
    await releaseClaim()
    return { status: 'unavailable', stage: 'ledger', cause }
  }
  const published = ledger
    ? {
        ...message,
        attributes: { ...message.attributes, [LEDGER_ATTRIBUTE]: ledger.verdict.status },
      }
    : message

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

function parseJsonObject(body: Uint8Array): Read<{ value: Record<string, unknown>; text: string }> {
  const fail = (reason: BadRequestReason, message: string) =>
    ({
      ok: false,
      outcome: { status: 'bad_request', reason, message },
    }) as const
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    return fail('body_not_utf8', 'The body is not valid UTF-8')
  }
  if (text.trim() === '') return fail('body_empty', 'The body is empty')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return fail('body_not_json', 'The body is not valid JSON')
  }
  if (!isPlainObject(value)) return fail('body_not_object', 'The body must be a JSON object')
  return { ok: true, value, text }
}
