import * as v from 'valibot'
import { GiftTransactionTypeSchema } from '../../lib/schemas/gift-event-parts'
import { eventSchemas, supportedEventTypes } from '../../lib/schemas/registry'
import { giftEventData, seedData } from '../../scripts/sample-events'

const transactionTypes = GiftTransactionTypeSchema.options

type Json = Record<string, unknown>

/** A copy of `data` with the value at the dotted `path` replaced, or removed when `value` is undefined. */
function withValue(data: Json, path: string, value: unknown): Json {
  const copy = structuredClone(data)
  const keys = path.split('.')
  const last = keys.pop() as string
  let node = copy
  for (const key of keys) node = node[key] as Json
  if (value === undefined) delete node[last]
  else node[last] = value
  return copy
}

function issuePaths(eventType: keyof typeof eventSchemas, data: Json): string[] {
  const result = v.safeParse(eventSchemas[eventType], data)
  return result.success ? [] : result.issues.map((issue) => v.getDotPath(issue) ?? '')
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
    ['balance.related_object.id', undefined],
    ['voucher.type', 'DISCOUNT_VOUCHER'],
    ['voucher.code', 42],
  ])('refuses %s set to %p, naming that path', (path, value) => {
    const data = withValue(seedData[eventType], path, value)

    expect(issuePaths(eventType, data)).toContain(path)
  })
})

describe('nullable parts', () => {
  it('accepts a voucher.gift.transaction.created without a transaction', () => {
    const data = withValue(seedData['voucher.gift.transaction.created'], 'transaction', null)

    expect(issuePaths('voucher.gift.transaction.created', data)).toEqual([])
  })

  it('requires the transaction of a customer.voucher.gift.balance_added', () => {
    const data = withValue(seedData['customer.voucher.gift.balance_added'], 'transaction', null)

    expect(issuePaths('customer.voucher.gift.balance_added', data)).toEqual(['transaction'])
  })

  it('requires the customer of a customer.voucher.gift.balance_added', () => {
    const data = withValue(seedData['customer.voucher.gift.balance_added'], 'customer', undefined)

    expect(issuePaths('customer.voucher.gift.balance_added', data)).toEqual(['customer'])
  })
})
