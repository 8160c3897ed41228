import * as v from 'valibot'
import { buildMessage, messageSize } from './build-message'
import { claimTransaction } from './claim-transaction'
import type { Deps } from './deps'
import { idempotencyKeyFor, sha256Hex } from './idempotency-key'
import { toLedgerEntry } from './ledger-entry'
import { SNS_MAX_MESSAGE_BYTES } from './limits'
import type { ReceivedEvent } from './received-event'
import { eventSchemas, isSupportedEventType } from './schemas/registry'
import { compactJson, verifySignature } from './signature'
import { toTransactionRecord } from './transaction-store'
import { eventTypeOf, WebhookEnvelopeSchema } from './webhook-envelope'

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

interface EventIds {
  eventType: string
  idempotencyKey: string
  transactionId: string | null
}

export type WebhookOutcome =
  | ({ status: 'accepted'; messageId: string } & EventIds)
  | ({ status: 'duplicate'; messageId: string; receivedCount: number } & EventIds)
  | ({ status: 'in_flight' } & EventIds)
  | { status: 'ignored'; eventType: string }
  | { status: 'unauthorized'; reason: 'signature_missing' | 'signature_invalid' }
  | { status: 'bad_request'; reason: BadRequestReason; message: string; issues?: Issue[] }
  | { status: 'too_large'; limitBytes: number }
  | { status: 'invalid'; eventType: string; issues: Issue[] }
  | {
      status: 'unavailable'
      stage: 'secrets' | 'quarantine' | 'claim' | 'publish' | 'mark_published'
      cause: unknown
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

/** Verify, parse and validate a delivery, then store it once and publish it once. */
export async function receiveWebhook(
  deps: Deps,
  delivery: WebhookDelivery,
): Promise<WebhookOutcome> {
  const { body } = delivery
  if (body.length > deps.settings.maxBodyBytes) {
    return { status: 'too_large', limitBytes: deps.settings.maxBodyBytes }
  }

  let secrets: readonly string[]
  try {
    secrets = await deps.secrets.current()
  } catch (cause) {
    return { status: 'unavailable', stage: 'secrets', cause }
  }
  if (secrets.length === 0) return { status: 'not_configured' }
  if (delivery.signature === undefined)
    return { status: 'unauthorized', reason: 'signature_missing' }
  if (!verifySignature(body, delivery.signature, secrets)) {
    return { status: 'unauthorized', reason: 'signature_invalid' }
  }

  const parsed = parseJsonObject(body)
  if (!parsed.ok) return parsed.outcome

  const receivedAt = deps.clock().toISOString()
  let eventType: string
  let data: Record<string, unknown>
  let envelope: v.InferOutput<typeof WebhookEnvelopeSchema> | undefined
  if (delivery.pathEventType !== undefined) {
    eventType = delivery.pathEventType
    data = parsed.value
  } else {
    const result = v.safeParse(WebhookEnvelopeSchema, parsed.value)
    if (!result.success) {
      return {
        status: 'bad_request',
        reason: 'envelope_invalid',
        message: 'The body is not a Voucherify webhook envelope',
        issues: toIssues(result.issues, ''),
      }
    }
    envelope = result.output
    eventType = eventTypeOf(envelope)
    data = envelope.data
  }
  if (!isSupportedEventType(eventType)) return { status: 'ignored', eventType }

  const payload = parsed.text
  const validated = v.safeParse(eventSchemas[eventType], data)
  if (!validated.success) {
    const issues = toIssues(validated.issues, envelope ? 'data' : '')
    try {
      await deps.store.quarantine({
        transaction_id: `quarantine:sha256:${sha256Hex(compactJson(body))}`,
        event_type: eventType,
        payload,
        issues,
        received_at: receivedAt,
      })
    } catch (cause) {
      return { status: 'unavailable', stage: 'quarantine', cause }
    }
    return { status: 'invalid', eventType, issues }
  }

  const entry = toLedgerEntry(
    validated.output,
    envelope?.event?.created_at ?? envelope?.created_at ?? receivedAt,
  )
  const event: ReceivedEvent = {
    eventType,
    delivery: envelope ? 'envelope' : 'raw',
    webhookId: envelope?.id ?? null,
    eventId: envelope?.event?.id ?? null,
    projectId: envelope?.project_id ?? null,
    createdAt: envelope?.created_at ?? entry.created_at,
    receivedAt,
    idempotency: idempotencyKeyFor(
      entry.transaction_id,
      envelope?.event?.id ?? null,
      compactJson(body),
    ),
    entry,
    data,
    payload,
  }
  const message = buildMessage(event)
  // Numbers such as 1e21 grow when serialised again, so the limit is checked on the result too.
  if (messageSize(message) > SNS_MAX_MESSAGE_BYTES) {
    return { status: 'too_large', limitBytes: deps.settings.maxBodyBytes }
  }
  return storeAndPublish(deps, event, message)
}

async function storeAndPublish(
  deps: Deps,
  event: ReceivedEvent,
  message: ReturnType<typeof buildMessage>,
): Promise<WebhookOutcome> {
  const record = toTransactionRecord(event)
  const ids: EventIds = {
    eventType: event.eventType,
    idempotencyKey: event.idempotency.key,
    transactionId: event.entry.transaction_id,
  }

  let claim: Awaited<ReturnType<typeof claimTransaction>>
  try {
    claim = await claimTransaction(deps, record)
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

  let messageId: string
  try {
    ;({ messageId } = await deps.publisher.publish(message))
  } catch (cause) {
    // Best effort: if this fails too, the lease simply runs out.
    await deps.store
      .releaseClaim(record, claim.claimToken, deps.clock().getTime())
      .catch(() => undefined)
    return { status: 'unavailable', stage: 'publish', cause }
  }

  try {
    await deps.store.markPublished(record, claim.claimToken, {
      messageId,
      publishedAt: deps.clock().toISOString(),
    })
  } catch (cause) {
    // The message is out but not recorded: a retry republishes it (at least once, never lost).
    return { status: 'unavailable', stage: 'mark_published', cause }
  }
  return { status: 'accepted', messageId, ...ids }
}

type ParsedBody =
  | { ok: true; value: Record<string, unknown>; text: string }
  | { ok: false; outcome: WebhookOutcome }

function parseJsonObject(body: Uint8Array): ParsedBody {
  const fail = (reason: BadRequestReason, message: string): ParsedBody => ({
    ok: false,
    outcome: { status: 'bad_request', reason, message },
  })
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
