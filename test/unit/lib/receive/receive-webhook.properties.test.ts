// Properties of receiveWebhook over generated deliveries, with the in-memory fakes: arbitrary
// bytes never crash it or get in, valid events get in once and unchanged, and a single corrupted
// field is refused with an issue naming that field.

import fc from 'fast-check'
import * as v from 'valibot'
import { receiveWebhook, type WebhookDelivery } from '../../../../lib/receive/receive-webhook'
import { signPayload } from '../../../../lib/receive/signature'
import { GiftTransactionTypeSchema } from '../../../../lib/schemas/gift-event-parts'
import {
  eventSchemas,
  isSupportedEventType,
  type SupportedEventType,
  supportedEventTypes,
} from '../../../../lib/schemas/registry'
import { eventTypeOf, WebhookEnvelopeSchema } from '../../../../lib/schemas/webhook-envelope'
import { seedData } from '../../../../scripts/sample-events'
import { fakeDeps, TEST_SECRET } from '../../../support/fakes/fake-deps'

/** Enough runs to reach every event type, form and field, few enough for a fast unit suite. */
const RUNS = { bytes: 500, valid: 300, corruption: 200 }
/** Shrinking a failure takes far longer than a passing run; leave it room to report. */
const SHRINK_TIMEOUT_MS = 30_000

type Json = Record<string, unknown>

const TRANSACTION_TYPES = GiftTransactionTypeSchema.options
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const

/** Every key some schema reads, at any level: an extra field must not be one of them. */
const CHECKED_KEYS = new Set([
  ...['id', 'project_id', 'created_at', 'type', 'data', 'source', 'event'],
  ...['transaction', 'voucher', 'campaign', 'holder', 'customer', 'balance'],
  ...['amount', 'total', 'object', 'related_object', 'details', 'code', 'name', 'holder_id'],
  ...['voucher_id', 'campaign_id', 'source_id', 'reason', 'related_transaction_id'],
])

function signed(body: string | Uint8Array, pathEventType?: string): WebhookDelivery {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  return { body: bytes, signature: signPayload(TEST_SECRET, bytes), pathEventType }
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const idArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }),
)
const centsArb = fc.oneof(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.maxSafeInteger())
const timestampArb = fc
  .date({
    min: new Date('2000-01-01T00:00:00.000Z'),
    max: new Date('2099-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString())
const extraKeyArb = fc
  .string({ maxLength: 12 })
  .filter((key) => !CHECKED_KEYS.has(key) && !(PROTOTYPE_KEYS as readonly string[]).includes(key))
/** Unknown fields, as Voucherify adds them: the service must keep them as they came. */
const extrasArb = fc.dictionary(extraKeyArb, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })

const eventSpecArb = fc.record({
  eventType: fc.constantFrom(...supportedEventTypes),
  transactionType: fc.constantFrom(...TRANSACTION_TYPES),
  transactionId: idArb,
  withTransaction: fc.boolean(),
  voucherId: idArb,
  voucherCode: idArb,
  customerId: idArb,
  amount: centsArb,
  balance: centsArb,
  total: centsArb,
  transactionCreatedAt: timestampArb,
  form: fc.constantFrom('envelope', 'raw'),
  kind: fc.constantFrom('webhook', 'distribution'),
  distributionName: fc.string({ minLength: 1, maxLength: 20 }),
  withEvent: fc.boolean(),
  webhookId: idArb,
  eventId: idArb,
  projectId: idArb,
  envelopeCreatedAt: timestampArb,
  extras: fc.record({
    envelope: extrasArb,
    data: extrasArb,
    transaction: extrasArb,
    relatedObject: extrasArb,
  }),
})
type Spec = typeof eventSpecArb extends fc.Arbitrary<infer T> ? T : never

/** A valid event and how it is sent: built fresh on each call, so a test may change it. */
interface BuiltEvent {
  spec: Spec
  data: Json
  pathEventType: string | undefined
  /** The body that carries `data`: the envelope, or `data` itself on the raw route. */
  bodyFor(data: Json): string
  /** Where `data` sits in the body, as issue paths name it. */
  dataPrefix: string
}

function buildEvent(spec: Spec): BuiltEvent {
  const data = structuredClone(seedData[spec.eventType]) as Json
  const balance = data.balance as Json
  Object.assign(balance, { amount: spec.amount, balance: spec.balance, total: spec.total })
  Object.assign(balance.related_object as Json, { id: spec.voucherId }, spec.extras.relatedObject)
  if (spec.withTransaction) {
    Object.assign(
      data.transaction as Json,
      {
        id: spec.transactionId,
        type: spec.transactionType,
        created_at: spec.transactionCreatedAt,
      },
      spec.extras.transaction,
    )
  } else {
    data.transaction = null
  }
  if (isObject(data.voucher)) data.voucher.code = spec.voucherCode
  if (isObject(data.customer)) data.customer.id = spec.customerId
  Object.assign(data, spec.extras.data)

  if (spec.form === 'raw') {
    return { spec, data, pathEventType: spec.eventType, bodyFor: JSON.stringify, dataPrefix: '' }
  }
  const distribution = spec.kind === 'distribution'
  const bodyFor = (payload: Json) =>
    JSON.stringify({
      ...spec.extras.envelope,
      id: spec.webhookId,
      project_id: spec.projectId,
      created_at: spec.envelopeCreatedAt,
      type: distribution ? spec.distributionName : spec.eventType,
      data: payload,
      source: { id: 'src_1', object: spec.kind },
      ...(distribution || spec.withEvent
        ? { event: { id: spec.eventId, type: spec.eventType, created_at: spec.envelopeCreatedAt } }
        : {}),
    })
  return { spec, data, pathEventType: undefined, bodyFor, dataPrefix: 'data.' }
}

/** The data object a body carries, parsed as any consumer would parse it. */
const sentData = (body: string, built: BuiltEvent): unknown =>
  built.spec.form === 'raw' ? JSON.parse(body) : JSON.parse(body).data

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** What a subscriber gets without personal data: each customer object as its id only. */
function withCustomersReduced(data: Record<string, unknown>): Record<string, unknown> {
  const identity = (customer: Record<string, unknown>) => ({
    id: customer.id ?? null,
    object: customer.object ?? 'customer',
  })
  const reduced = { ...data }
  for (const member of ['customer', 'holder']) {
    const value = reduced[member]
    if (isRecord(value)) reduced[member] = identity(value)
  }
  for (const member of ['redemption', 'rollback']) {
    const value = reduced[member]
    if (isRecord(value) && isRecord(value.customer)) {
      reduced[member] = { ...value, customer: identity(value.customer) }
    }
  }
  return reduced
}

describe('receiveWebhook properties', () => {
  it(
    'accepts any valid event once, publishes its data unchanged when personal data may go out, and answers a repeat as a duplicate',
    async () => {
      await fc.assert(
        fc.asyncProperty(eventSpecArb, async (spec) => {
          const { deps, publisher } = fakeDeps()
          deps.settings.publishPersonalData = true
          const built = buildEvent(spec)
          const body = built.bodyFor(built.data)

          const first = await receiveWebhook(deps, signed(body, built.pathEventType))
          const second = await receiveWebhook(deps, signed(body, built.pathEventType))

          expect(first).toMatchObject({ status: 'accepted', eventType: spec.eventType })
          expect(second.status).toBe('duplicate')
          expect(publisher.published).toHaveLength(1)
          const published = JSON.parse(publisher.published[0]?.body ?? '{}')
          expect(published.data).toEqual(sentData(body, built))
        }),
        { numRuns: RUNS.valid },
      )
    },
    SHRINK_TIMEOUT_MS,
  )

  it(
    'publishes by default the data with every customer object reduced to its id, the rest unchanged',
    async () => {
      await fc.assert(
        fc.asyncProperty(eventSpecArb, async (spec) => {
          const { deps, publisher } = fakeDeps()
          const built = buildEvent(spec)
          const body = built.bodyFor(built.data)

          await receiveWebhook(deps, signed(body, built.pathEventType))

          const published = JSON.parse(publisher.published[0]?.body ?? '{}')
          expect(published.data).toEqual(
            withCustomersReduced(sentData(body, built) as Record<string, unknown>),
          )
        }),
        { numRuns: RUNS.valid },
      )
    },
    SHRINK_TIMEOUT_MS,
  )

  it(
    'keeps data fields named __proto__, constructor or prototype in the published data',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          eventSpecArb,
          fc.constantFrom(...PROTOTYPE_KEYS),
          fc.jsonValue({ maxDepth: 2 }),
          async (spec, key, value) => {
            const { deps, publisher } = fakeDeps()
            const built = buildEvent(spec)
            // defineProperty makes an own field, as JSON.parse does; assignment would set a prototype.
            Object.defineProperty(built.data, key, { value, enumerable: true })
            const body = built.bodyFor(built.data)

            const outcome = await receiveWebhook(deps, signed(body, built.pathEventType))

            expect(outcome.status).toBe('accepted')
            const published = JSON.parse(publisher.published[0]?.body ?? '{}').data
            // As JSON carries it: -0 is written as 0.
            const sent = JSON.parse(JSON.stringify(value))
            expect(Object.getOwnPropertyDescriptor(published, key)?.value).toEqual(sent)
          },
        ),
        { numRuns: RUNS.valid },
      )
    },
    SHRINK_TIMEOUT_MS,
  )

  const utf8 = new TextDecoder('utf-8', { fatal: true })

  /** Whether the bytes are an event the service accepts, decided by the schemas alone. */
  function isValidEvent(bytes: Uint8Array, pathEventType: string | undefined): boolean {
    let value: unknown
    try {
      value = JSON.parse(utf8.decode(bytes))
    } catch {
      return false
    }
    if (!isObject(value)) return false
    let eventType = pathEventType
    let data: unknown = value
    if (eventType === undefined) {
      const envelope = v.safeParse(WebhookEnvelopeSchema, value)
      if (!envelope.success) return false
      eventType = eventTypeOf(envelope.output)
      // As the receiver does: the body's own data, not the schema's output.
      data = value.data
    }
    return isSupportedEventType(eventType) && v.is(eventSchemas[eventType] as v.GenericSchema, data)
  }

  const anyPathArb = fc.option(
    fc.constantFrom(...supportedEventTypes, 'voucher.published', '__proto__'),
    { nil: undefined },
  )
  const envelopeLikeArb = fc
    .record(
      {
        id: fc.oneof(idArb, fc.jsonValue()),
        project_id: idArb,
        created_at: fc.oneof(timestampArb, fc.string()),
        type: fc.oneof(fc.constantFrom(...supportedEventTypes), fc.string()),
        data: fc.oneof(fc.jsonValue(), fc.constantFrom(...Object.values(seedData))),
        source: fc.record({ object: fc.constantFrom('webhook', 'distribution', 'api') }),
      },
      { requiredKeys: [] },
    )
    .map((envelope) => Buffer.from(JSON.stringify(envelope)))
  const mutationArb = fc.record({
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
    op: fc.constantFrom('replace', 'insert', 'delete'),
  })
  /** A valid event with a few bytes replaced, inserted or deleted, sent where it belongs. */
  const mutatedEventArb = fc
    .tuple(eventSpecArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([spec, mutations]) => {
      const built = buildEvent(spec)
      const bytes = Array.from(Buffer.from(built.bodyFor(built.data)))
      for (const { at, byte, op } of mutations) {
        const index = at % (bytes.length + 1)
        if (op === 'insert') bytes.splice(index, 0, byte)
        else if (op === 'delete') bytes.splice(index, 1)
        else if (index < bytes.length) bytes[index] = byte
      }
      return { bytes: Uint8Array.from(bytes), pathEventType: built.pathEventType }
    })
  const deliveryArb = fc.oneof(
    fc.record({ bytes: fc.uint8Array({ maxLength: 1_024 }), pathEventType: anyPathArb }),
    fc.record({ bytes: fc.json().map((text) => Buffer.from(text)), pathEventType: anyPathArb }),
    fc.record({ bytes: envelopeLikeArb, pathEventType: anyPathArb }),
    mutatedEventArb,
  )

  it(
    'never throws on arbitrary bytes and accepts them only when they are a valid event',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          deliveryArb,
          fc.constantFrom('valid', 'other secret', 'none'),
          async ({ bytes, pathEventType }, signing) => {
            const { deps, publisher } = fakeDeps()
            const signature =
              signing === 'none'
                ? undefined
                : signPayload(signing === 'valid' ? TEST_SECRET : 'other-secret', bytes)

            const outcome = await receiveWebhook(deps, { body: bytes, signature, pathEventType })

            if (signing === 'none') {
              expect(outcome).toEqual({ status: 'unauthorized', reason: 'signature_missing' })
            } else if (signing === 'other secret') {
              expect(outcome).toEqual({ status: 'unauthorized', reason: 'signature_invalid' })
            } else if (isValidEvent(bytes, pathEventType)) {
              expect(outcome.status).toBe('accepted')
            } else {
              expect(['bad_request', 'ignored', 'invalid']).toContain(outcome.status)
            }
            expect(publisher.published).toHaveLength(outcome.status === 'accepted' ? 1 : 0)
          },
        ),
        { numRuns: RUNS.bytes },
      )
    },
    SHRINK_TIMEOUT_MS,
  )

  type FieldKind = 'object' | 'id' | 'cents' | 'timestamp' | 'literal'

  /** A field a schema checks, relative to the data object. */
  interface CheckedField {
    path: string
    kind: FieldKind
    /** Event types that require the field whenever its parent is there. */
    requiredIn: readonly SupportedEventType[]
    /** Event types that accept null here. */
    nullableIn: readonly SupportedEventType[]
    allowed?: readonly string[]
  }

  const ALL = supportedEventTypes
  const NONE: readonly SupportedEventType[] = []
  const field = (
    path: string,
    kind: FieldKind,
    options: Partial<Omit<CheckedField, 'path' | 'kind'>> = {},
  ): CheckedField => ({ path, kind, requiredIn: ALL, nullableIn: NONE, ...options })

  /** What the ledger needs, and so all the schemas refuse (the card is tested on its own). */
  const CHECKED_FIELDS: readonly CheckedField[] = [
    field('balance', 'object'),
    field('balance.type', 'literal', { allowed: ['gift_voucher'] }),
    field('balance.amount', 'cents'),
    field('balance.total', 'cents'),
    field('balance.balance', 'cents'),
    field('transaction', 'object', { requiredIn: NONE, nullableIn: ALL }),
    field('transaction.id', 'id'),
    field('transaction.type', 'literal', { allowed: TRANSACTION_TYPES }),
    field('transaction.created_at', 'timestamp'),
    field('transaction.details.balance.amount', 'cents', { requiredIn: NONE, nullableIn: ALL }),
    field('transaction.details.balance.balance', 'cents', { requiredIn: NONE, nullableIn: ALL }),
    field('voucher.type', 'literal', {
      allowed: ['GIFT_VOUCHER'],
      requiredIn: NONE,
      nullableIn: ALL,
    }),
  ]

  /** Fields the service reads when usable and otherwise keeps as sent, never refusing them. */
  const LENIENT_FIELDS = [
    ...['customer', 'customer.id', 'holder', 'holder.id', 'campaign', 'campaign.id'],
    ...['campaign.name', 'voucher', 'voucher.id', 'voucher.code', 'voucher.campaign'],
    ...['voucher.campaign_id', 'voucher.holder_id', 'transaction.voucher_id'],
    ...['transaction.campaign_id', 'transaction.source_id', 'transaction.source'],
    ...['transaction.reason', 'transaction.related_transaction_id', 'transaction.details'],
    ...['transaction.details.balance', 'balance.object', 'balance.related_object.type'],
  ]

  /** The object that holds `path`'s last key, when the data has one there. */
  function parentOf(data: Json, path: string): [Json, string] | undefined {
    const keys = path.split('.')
    const last = keys.pop() as string
    let parent: unknown = data
    for (const key of keys) parent = isObject(parent) ? parent[key] : undefined
    return isObject(parent) ? [parent, last] : undefined
  }

  const DELETE = Symbol('delete')
  const withNull = (arbs: fc.Arbitrary<unknown>[], nullable: boolean) =>
    fc.oneof(...arbs, ...(nullable ? [] : [fc.constant(null)]))

  function wrongTypeArb(kind: FieldKind, nullable: boolean): fc.Arbitrary<unknown> {
    if (kind === 'object') return withNull([fc.string(), fc.integer(), fc.boolean()], nullable)
    if (kind === 'cents') {
      const numericText = fc.oneof(
        fc.integer().map(String),
        fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e3'),
      )
      return withNull(
        [numericText, fc.boolean(), fc.constant({}), fc.array(fc.integer())],
        nullable,
      )
    }
    return withNull([fc.integer(), fc.boolean(), fc.constant({}), fc.array(fc.string())], nullable)
  }

  const notADateArb = fc.oneof(
    fc.constantFrom(
      'yesterday',
      '',
      '2026-01-01',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00',
      '1767225600',
    ),
    fc.string().filter((text) => !/^\d{4}-\d\d-\d\d/.test(text)),
  )

  function badEnumArb(allowed: readonly string[]): fc.Arbitrary<unknown> {
    const otherCase = (text: string) =>
      text === text.toLowerCase() ? text.toUpperCase() : text.toLowerCase()
    return fc
      .oneof(
        fc.string(),
        fc.constantFrom(...allowed).map(otherCase),
        fc.constantFrom(...allowed).map((text) => `${text} `),
      )
      .filter((text) => !allowed.includes(text))
  }

  interface Corruption {
    applies: (field: CheckedField, eventType: SupportedEventType) => boolean
    value: (field: CheckedField, eventType: SupportedEventType) => fc.Arbitrary<unknown>
  }

  const corruptions = {
    'a required field deleted': {
      applies: (f, eventType) => f.requiredIn.includes(eventType),
      value: () => fc.constant(DELETE),
    },
    'a value of the wrong type': {
      applies: () => true,
      value: (f, eventType) => wrongTypeArb(f.kind, f.nullableIn.includes(eventType)),
    },
    'a fraction where cents belong': {
      applies: (f) => f.kind === 'cents',
      value: () => fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
    },
    'an empty string for an id': {
      applies: (f) => f.kind === 'id',
      value: () => fc.constant(''),
    },
    'a timestamp that is not ISO 8601': {
      applies: (f) => f.kind === 'timestamp',
      value: () => notADateArb,
    },
    'a value outside the allowed ones': {
      applies: (f) => f.kind === 'literal',
      value: (f) => badEnumArb(f.allowed ?? []),
    },
    'an array where an object belongs': {
      applies: (f) => f.kind === 'object',
      value: () => fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
    },
  } satisfies Record<string, Corruption>

  /** A valid event spec, one field it has a parent for, and the value that corrupts it. */
  function corruptedArb(corruption: Corruption) {
    return eventSpecArb
      .map((spec) => ({ ...spec, withTransaction: true }))
      .chain((spec) => {
        const { data } = buildEvent(spec)
        const fields = CHECKED_FIELDS.filter(
          (f) => corruption.applies(f, spec.eventType) && parentOf(data, f.path) !== undefined,
        )
        return fc
          .constantFrom(...fields)
          .chain((f) =>
            corruption.value(f, spec.eventType).map((value) => ({ spec, field: f, value })),
          )
      })
  }

  async function refusal(spec: Spec, f: CheckedField, value: unknown) {
    const { deps, publisher } = fakeDeps()
    const built = buildEvent(spec)
    const [parent, key] = parentOf(built.data, f.path) as [Json, string]
    if (value === DELETE) delete parent[key]
    else parent[key] = value
    const outcome = await receiveWebhook(
      deps,
      signed(built.bodyFor(built.data), built.pathEventType),
    )
    return { outcome, published: publisher.published.length, path: built.dataPrefix + f.path }
  }

  const exactly = Object.entries(corruptions).filter(
    ([name]) => name !== 'an array where an object belongs',
  )

  it.each(exactly)(
    'refuses an event with %s, naming that field and nothing else',
    async (_name, corruption) => {
      await fc.assert(
        fc.asyncProperty(corruptedArb(corruption), async ({ spec, field: f, value }) => {
          const { outcome, published, path } = await refusal(spec, f, value)

          const paths =
            outcome.status === 'invalid' ? outcome.issues.map((issue) => issue.path) : []
          expect({ status: outcome.status, paths: [...new Set(paths)] }).toEqual({
            status: 'invalid',
            paths: [path],
          })
          expect(published).toBe(0)
        }),
        { numRuns: RUNS.corruption },
      )
    },
    SHRINK_TIMEOUT_MS,
  )

  it(
    'refuses an event with an array where an object belongs, naming that field or one under it',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          corruptedArb(corruptions['an array where an object belongs']),
          async ({ spec, field: f, value }) => {
            const { outcome, published, path } = await refusal(spec, f, value)

            const paths =
              outcome.status === 'invalid' ? outcome.issues.map((issue) => issue.path) : []
            expect({
              status: outcome.status,
              namesField: paths.some((p) => p === path || p.startsWith(`${path}.`)),
            }).toEqual({ status: 'invalid', namesField: true })
            expect(published).toBe(0)
          },
        ),
        { numRuns: RUNS.corruption },
      )
    },
    SHRINK_TIMEOUT_MS,
  )

  const anyValueArb = fc.oneof(
    fc.constantFrom(DELETE, null, '', ' '),
    fc.jsonValue({ maxDepth: 1 }),
    fc.string({ minLength: 3_000, maxLength: 3_100 }),
  )

  it(
    'accepts and publishes once an event whose optional field is absent, null, empty or of any type',
    async () => {
      const lenientArb = eventSpecArb.chain((spec) => {
        const { data } = buildEvent(spec)
        const fields = LENIENT_FIELDS.filter((path) => parentOf(data, path) !== undefined)
        return fc.record({ spec: fc.constant(spec), path: fc.constantFrom(...fields) })
      })
      await fc.assert(
        fc.asyncProperty(lenientArb, anyValueArb, async ({ spec, path }, value) => {
          const { deps, publisher } = fakeDeps()
          deps.settings.publishPersonalData = true
          const built = buildEvent(spec)
          const [parent, key] = parentOf(built.data, path) as [Json, string]
          if (value === DELETE) delete parent[key]
          else parent[key] = value
          const body = built.bodyFor(built.data)

          const outcome = await receiveWebhook(deps, signed(body, built.pathEventType))

          expect(outcome.status).toBe('accepted')
          expect(publisher.published).toHaveLength(1)
          const published = JSON.parse(publisher.published[0]?.body ?? '{}')
          expect(published.data).toEqual(sentData(body, built))
        }),
        { numRuns: RUNS.valid },
      )
    },
    SHRINK_TIMEOUT_MS,
  )
})
