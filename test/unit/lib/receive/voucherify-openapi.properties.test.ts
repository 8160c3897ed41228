// Payloads generated from Voucherify's own webhook OpenAPI for each supported event, through
// receiveWebhook with the in-memory fakes: every one that carries what the ledger needs is
// stored and published once; every other one is quarantined, its issues naming exactly what
// it lacks. The examples of the document are accepted as they are.

import fc from 'fast-check'
import { receiveWebhook } from '../../../../lib/receive/receive-webhook'
import { signPayload } from '../../../../lib/receive/signature'
import { GiftTransactionTypeSchema } from '../../../../lib/schemas/gift-event-parts'
import { type SupportedEventType, supportedEventTypes } from '../../../../lib/schemas/registry'
import { envelopeFor } from '../../../../scripts/sample-events'
import document from '../../../fixtures/voucherify-gift-webhooks.openapi.json'
import { fakeDeps, TEST_SECRET } from '../../../support/fakes/fake-deps'
import { type OpenApiDocument, schemaArbitrary } from '../../../support/openapi-schema'

/** Per event type and form: enough to reach each need missing alone and together, still fast. */
const RUNS = 150
const SHRINK_TIMEOUT_MS = 30_000

type Json = Record<string, unknown>

interface WebhookOperation {
  post: {
    requestBody: {
      content: { 'application/json': { schema: Json; examples: Record<string, { value: Json }> } }
    }
  }
}

const openApi = document as unknown as OpenApiDocument & {
  webhooks: Record<string, WebhookOperation>
}

/** The document names a webhook `EVENTS.VOUCHER.GIFT.BALANCE_ADDED`. */
const requestBodyOf = (eventType: SupportedEventType) => {
  const webhook = openApi.webhooks[`EVENTS.${eventType.toUpperCase()}`]
  if (!webhook) throw new Error(`The OpenAPI document has no webhook for ${eventType}`)
  return webhook.post.requestBody.content['application/json']
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const at = (value: unknown, key: string): unknown => (isObject(value) ? value[key] : undefined)

const GIFT_TRANSACTION_TYPES: readonly unknown[] = GiftTransactionTypeSchema.options
const isCents = (value: unknown) => Number.isSafeInteger(value)
const isGiven = (value: unknown) => value !== undefined && value !== null
/** Every generated id is short: usable when it is a non-empty string. */
const isId = (value: unknown) => typeof value === 'string' && value !== ''
/** Generated timestamps are ISO 8601 from a date, or short strings that are none. */
const isTimestamp = (value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value))

/** What the ledger needs and `data` lacks, as issue paths; written from the issue, not the code. */
function missingNeeds(data: Json): string[] {
  const missing: string[] = []
  const { transaction, balance, voucher } = data
  if (isGiven(transaction)) {
    if (!isObject(transaction)) missing.push('transaction')
    if (!isId(at(transaction, 'id'))) missing.push('transaction.id')
    if (!GIFT_TRANSACTION_TYPES.includes(at(transaction, 'type'))) missing.push('transaction.type')
    if (!isTimestamp(at(transaction, 'created_at'))) missing.push('transaction.created_at')
    const detailed = at(at(transaction, 'details'), 'balance')
    for (const key of ['amount', 'balance']) {
      const cents = at(detailed, key)
      if (isGiven(cents) && !isCents(cents)) missing.push(`transaction.details.balance.${key}`)
    }
  }
  if (!isObject(balance)) missing.push('balance')
  else {
    if (balance.type !== 'gift_voucher') missing.push('balance.type')
    for (const key of ['amount', 'total', 'balance']) {
      if (!isCents(balance[key])) missing.push(`balance.${key}`)
    }
  }
  const voucherType = at(voucher, 'type')
  if (isGiven(voucherType) && voucherType !== 'GIFT_VOUCHER') missing.push('voucher.type')
  const cardIds = [at(at(balance, 'related_object'), 'id'), at(transaction, 'voucher_id')]
  if (!cardIds.concat(at(voucher, 'id')).some(isId)) missing.push('balance.related_object.id')
  return missing.sort()
}

/** The delivery of `data` as Voucherify sends it: in its envelope, or raw to the typed route. */
function delivery(eventType: SupportedEventType, data: Json, form: 'envelope' | 'raw') {
  const body = Buffer.from(JSON.stringify(form === 'raw' ? data : envelopeFor(eventType, data)))
  return {
    body,
    signature: signPayload(TEST_SECRET, body),
    pathEventType: form === 'raw' ? eventType : undefined,
  }
}

const FORMS = ['envelope', 'raw'] as const
const cases = supportedEventTypes.flatMap((eventType) =>
  FORMS.map((form) => [eventType, form] as const),
)

describe.each(cases)("%s payloads from Voucherify's OpenAPI, sent as %s", (eventType, form) => {
  const payloadArb = schemaArbitrary(openApi, requestBodyOf(eventType).schema) as fc.Arbitrary<Json>

  it(
    'are stored and published once when they carry what the ledger needs, else quarantined naming exactly what they lack',
    async () => {
      const seen = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(payloadArb, async (data) => {
          const { deps, store, publisher } = fakeDeps()
          const missing = missingNeeds(data)
          const sent = delivery(eventType, data, form)

          const first = await receiveWebhook(deps, sent)
          const again = await receiveWebhook(deps, sent)

          const prefix = form === 'envelope' ? 'data.' : ''
          const paths = first.status === 'invalid' ? first.issues.map((issue) => issue.path) : []
          const stored = [...store.items.values()].map((item) => item.status)
          seen[missing.length === 0 ? 'accepted' : 'refused'] += 1
          if (missing.length === 0) {
            expect([first.status, again.status]).toEqual(['accepted', 'duplicate'])
            expect(stored).toEqual(['published'])
          } else {
            expect(first.status).toBe('invalid')
            expect([...new Set(paths)].sort()).toEqual(missing.map((path) => prefix + path))
            expect(stored).toEqual(['quarantined'])
          }
          expect(publisher.published).toHaveLength(missing.length === 0 ? 1 : 0)
        }),
        { numRuns: RUNS },
      )

      // Both halves of the property ran: the generator reaches payloads of either kind.
      expect(seen.accepted).toBeGreaterThan(RUNS / 10)
      expect(seen.refused).toBeGreaterThan(RUNS / 10)
    },
    SHRINK_TIMEOUT_MS,
  )

  it.each(Object.entries(requestBodyOf(eventType).examples))(
    'include the example %s, which is accepted',
    async (_name, { value }) => {
      const { deps, publisher } = fakeDeps()

      const outcome = await receiveWebhook(deps, delivery(eventType, value, form))

      expect(outcome.status).toBe('accepted')
      expect(publisher.published).toHaveLength(1)
    },
  )
})
