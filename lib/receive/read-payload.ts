import * as v from 'valibot'
import { LEDGER_ATTRIBUTE_MAX_BYTES } from '../ledger/ledger-chain'
import { toLedgerEntry } from '../ledger/ledger-entry'
import {
  customerIdOf,
  holdsPersonalData,
  PERSONAL_MEMBER_PATHS,
  PERSONAL_MEMBERS,
  type PersonalMemberTexts,
  withoutPersonalData,
} from '../privacy/personal-data'
import { CUSTOMER_DELETED_EVENT_TYPE, CustomerDeletedSchema } from '../schemas/customer-deleted'
import { eventSchemas, isSupportedEventType } from '../schemas/registry'
import {
  eventTypeOf,
  type WebhookEnvelope,
  WebhookEnvelopeSchema,
} from '../schemas/webhook-envelope'
import { buildMessages, messageFits, type OutgoingMessage } from './build-message'
import { idempotencyKeyFor } from './idempotency-key'
import { memberPaths, memberTexts } from './json-member-text'
import { MAX_BODY_BYTES, SNS_MAX_MESSAGE_BYTES } from './limits'
import type { WebhookOutcome } from './receive-webhook'
import type { EventOrigin, ReceivedEvent } from './received-event'

// Step 2 of the request path: from verified bytes to the event to store and the message to
// publish. Pure, no I/O.

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
  | 'customer_id_missing'

/** Refuses bytes that are not UTF-8 rather than replacing them. */
export const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Paths and expectations only: Valibot's own messages quote the received value. */
export function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix: string): Issue[] {
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

/** A body known to come from Voucherify: a verified delivery, or a payload read back from storage. */
export interface TrustedPayload {
  body: Uint8Array
  /** The event type named by the raw-payload route; undefined for an envelope. */
  pathEventType: string | undefined
  /** Set when the payload did not come as a webhook (e.g. `reconcile`); kept on item and message. */
  origin?: EventOrigin
}

/** A signed `customer.deleted`: what the pipeline does with it is erase, not store. */
export interface ErasureRequest {
  status: 'erasure_requested'
  customerId: string
}

export type Read<T> = ({ ok: true } & T) | { ok: false; outcome: WebhookOutcome | ErasureRequest }

/**
 * Pure, no I/O: JSON, envelope, event type, schema, ledger entry and the message to publish.
 * Replaying a stored payload reads it again with this.
 */
export function readPayload(
  { body, pathEventType, origin }: TrustedPayload,
  receivedAt: string,
): Read<{
  event: ReceivedEvent
  /** As subscribers get it by default: no personal data. */
  message: OutgoingMessage
  messageWithPersonalData: OutgoingMessage
}> {
  const parsed = parseJsonObject(body)
  if (!parsed.ok) return parsed
  const located = locateData(parsed.value, pathEventType)
  if (!located.ok) return located
  const { eventType, data, envelope } = located
  if (eventType === CUSTOMER_DELETED_EVENT_TYPE) return readErasureRequest(data, envelope)
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
  const dataText = dataTextOf(parsed.text, data, envelope !== undefined)
  if (dataText === undefined) return invalid([{ path: 'data', message: 'is nested too deeply' }])
  const { dataJson, personal } = dataText
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
    dataJsonWithoutPersonalData: withoutPersonalData(dataJson, personal),
    payload: parsed.text,
    customerId: customerIdOf(data),
    ...(origin === undefined ? {} : { origin }),
  }
  const { message, withPersonalData } = buildMessages(event)
  // The longer of the two must fit. Attribute values count too, and ids may be escaped longer
  // than they were sent; the ledger attribute is added after the chain step.
  if (!messageFits(withPersonalData, SNS_MAX_MESSAGE_BYTES - LEDGER_ATTRIBUTE_MAX_BYTES)) {
    return { ok: false, outcome: { status: 'too_large', limitBytes: MAX_BODY_BYTES } }
  }
  return { ok: true, event, message, messageWithPersonalData: withPersonalData }
}

/** A `customer.deleted` webhook: the customer to erase. */
function readErasureRequest(
  data: Record<string, unknown>,
  envelope: WebhookEnvelope | undefined,
): Read<never> {
  const validated = v.safeParse(CustomerDeletedSchema, data)
  // Refused, not quarantined: keeping it would keep the very data it asks to erase.
  if (!validated.success) {
    return {
      ok: false,
      outcome: {
        status: 'bad_request',
        reason: 'customer_id_missing',
        message: 'A customer.deleted webhook must name the customer',
        issues: toIssues(validated.issues, envelope ? 'data' : ''),
      },
    }
  }
  return {
    ok: false,
    outcome: { status: 'erasure_requested', customerId: validated.output.customer.id },
  }
}

/** What `dataTextOf` reads of an envelope in its one pass: the data, and its personal members. */
const DATA_MEMBER = memberPaths(['data'])
const ENVELOPE_MEMBERS = memberPaths([
  'data',
  ...PERSONAL_MEMBERS.map((name) => `data.${name}` as const),
])

/**
 * The data's JSON text as sent, and where its personal members stand in it; serialised again
 * only when a key was written with escapes. Undefined when it is nested too deeply for
 * JSON.stringify, which recurses.
 */
function dataTextOf(
  text: string,
  data: Record<string, unknown>,
  isEnvelope: boolean,
): { dataJson: string; personal: PersonalMemberTexts | undefined } | undefined {
  // Where the data holds no customer object, there is nothing to find in it.
  const personalData = holdsPersonalData(data)
  if (!isEnvelope) {
    const dataJson = text.trim()
    return {
      dataJson,
      personal: personalData ? memberTexts(dataJson, PERSONAL_MEMBER_PATHS) : {},
    }
  }
  const members = memberTexts(text, personalData ? ENVELOPE_MEMBERS : DATA_MEMBER)
  const asSent = members?.data
  if (members !== undefined && asSent !== undefined) {
    const personal: PersonalMemberTexts = {}
    for (const name of PERSONAL_MEMBERS) {
      const member = members[`data.${name}`]
      if (member === undefined) continue
      const offset = asSent.start
      personal[name] = { text: member.text, start: member.start - offset, end: member.end - offset }
    }
    return { dataJson: asSent.text, personal }
  }
  try {
    return { dataJson: JSON.stringify(data), personal: undefined }
  } catch (error) {
    if (error instanceof RangeError) return undefined
    throw error
  }
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
