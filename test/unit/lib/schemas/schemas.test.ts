import * as v from 'valibot'
import { GiftTransactionTypeSchema } from '../../../../lib/schemas/gift-event-parts'
import { eventSchemas, supportedEventTypes } from '../../../../lib/schemas/registry'
import { giftEventData, seedData } from '../../../../scripts/sample-events'

const transactionTypes = GiftTransactionTypeSchema.options

type Json = Record<string, unknown>

/**
 * A copy of `data` with the value at the dotted `path` replaced (its missing parents created as
 * empty objects), or removed when `value` is undefined.
 */
function withValue(data: Json, path: string, value: unknown): Json {
  const copy = structuredClone(data)
  const keys = path.split('.')
  const last = keys.pop() as string
  let node = copy
  for (const key of keys) {
    node[key] ??= {}
    node = node[key] as Json
  }
  if (value === undefined) delete node[last]
  else node[last] = value
  return copy
}

function issuePaths(eventType: keyof typeof eventSchemas, data: Json): string[] {
  const result = v.safeParse(eventSchemas[eventType], data)
  // A path once, however many of its checks failed.
  return result.success ? [] : [...new Set(result.issues.map((issue) => v.getDotPath(issue) ?? ''))]
}

describe.each(supportedEventTypes)('the %s schema', (eventType) => {
  it('accepts the seed payload (Voucherify OpenAPI example)', () => {
    expect(issuePaths(eventType, seedData[eventType])).toEqual([])
  })

  it.each(transactionTypes)('accepts a %s transaction', (transactionType) => {
    expect(issuePaths(eventType, giftEventData(eventType, { transactionType }))).toEqual([])
  })

  it('accepts fields it does not know', () => {
    const data = withValue(seedData[eventType], 'balance.new_field', { nested: [1, 2] })

    const result = v.safeParse(eventSchemas[eventType], data)

    expect(result.success).toBe(true)
  })

  it('tolerates a null customer e-mail, as real payloads send', () => {
    const key = 'customer' in seedData[eventType] ? 'customer' : 'holder'
    const data =
      key in seedData[eventType]
        ? withValue(seedData[eventType], `${key}.email`, null)
        : seedData[eventType]

    expect(issuePaths(eventType, data)).toEqual([])
  })

  it.each([
    ['transaction.id', undefined],
    ['transaction.id', ''],
    ['transaction.type', 'POINTS_ACCRUAL'],
    ['transaction.created_at', 'yesterday'],
    ['balance', undefined],
    ['balance.amount', 10.5],
    ['balance.amount', '1000'],
    ['balance.amount', 2 ** 60],
    ['balance.balance', undefined],
    ['balance.total', null],
    ['balance.type', 'loyalty_card'],
    ['voucher.type', 'DISCOUNT_VOUCHER'],
  ])('refuses %s set to %p, naming that path only', (path, value) => {
    const data = withValue(seedData[eventType], path, value)

    expect(issuePaths(eventType, data)).toEqual([path])
  })

  it.each([
    ['customer', undefined],
    ['customer.id', undefined],
    ['holder', { name: 'no id' }],
    ['voucher', undefined],
    ['voucher', 'Gift-for-you-0'],
    ['voucher.code', undefined],
    ['voucher.code', ''],
    ['voucher.code', 42],
    ['voucher.type', undefined],
    ['voucher.holder_id', null],
    ['campaign', []],
    ['campaign.name', 7],
    ['transaction', undefined],
    ['transaction', null],
    ['transaction.campaign_id', ''],
    ['transaction.details', []],
    ['transaction.details.balance', 'none'],
    ['balance.object', 'wallet'],
    ['balance.related_object', null],
  ])('accepts %s set to %p, as sent', (path, value) => {
    const data = withValue(seedData[eventType], path, value)

    expect(issuePaths(eventType, data)).toEqual([])
  })
})

/** Sets every place an event names its gift card to `value` (removes it when undefined). */
function withCardId(data: Json, value: unknown): Json {
  let changed = withValue(data, 'balance.related_object.id', value)
  for (const path of ['transaction.voucher_id', 'voucher.id']) {
    const [parent, key] = path.split('.') as [string, string]
    if (key in ((changed[parent] ?? {}) as Json)) changed = withValue(changed, path, value)
  }
  return changed
}

describe.each(supportedEventTypes)('the card of a %s', (eventType) => {
  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['3 KB long, longer than a DynamoDB key', `v_${'x'.repeat(3_072)}`],
  ])('is refused when every voucher id is %s, naming balance.related_object.id', (_what, id) => {
    expect(issuePaths(eventType, withCardId(seedData[eventType], id))).toEqual([
      'balance.related_object.id',
    ])
  })

  it('is named by the transaction or the voucher when the balance does not name it', () => {
    const data = withValue(seedData[eventType], 'balance.related_object.id', '')

    expect(issuePaths(eventType, data)).toEqual([])
  })
})

describe('issues', () => {
  it('names every missing need of the ledger at once', () => {
    const data = withValue(
      withCardId(seedData['voucher.gift.transaction.created'], undefined),
      'transaction.id',
      '',
    )

    expect(issuePaths('voucher.gift.transaction.created', data)).toEqual([
      'transaction.id',
      'balance.related_object.id',
    ])
  })
})
