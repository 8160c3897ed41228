import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { GiftTransactionTypeSchema, type SupportedEventType, supportedEventTypes } from '../../lib'
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
  randomId,
  seedData,
} from '../sample-events'

type Json = Record<string, unknown>

/** One payload the benchmarks run, as API Gateway hands it to the Lambda. */
export interface BenchCase {
  name: string
  eventType: SupportedEventType
  event: APIGatewayProxyEventV2
  bodyBytes: number
}

export const LARGE_ITEM_COUNT = 50

/** Deterministic filler so the large payload has the same size on every run. */
function productMetadata(index: number): Json {
  return {
    brand: `Brand ${index % 7}`,
    collection: `Autumn/Winter ${2024 + (index % 2)}`,
    colour: ['navy', 'charcoal', 'forest green', 'burgundy', 'sand'][index % 5],
    size: ['XS', 'S', 'M', 'L', 'XL'][index % 5],
    material: 'organic cotton 80%, recycled polyester 20%',
    warehouse: `WH-${(index % 4) + 1}`,
    tags: ['gift-eligible', 'returnable', `category-${index % 9}`],
  }
}

function orderItem(index: number, orderId: string): Json {
  const price = 1_000 + ((index * 379) % 9_000)
  const quantity = 1 + (index % 3)
  const amount = price * quantity
  const productId = `prod_${String(index).padStart(4, '0')}${'a'.repeat(20)}`
  const skuId = `sku_${String(index).padStart(4, '0')}${'b'.repeat(20)}`
  return {
    object: 'order_item',
    source_id: `line-${orderId}-${index}`,
    related_object: 'sku',
    product_id: productId,
    sku_id: skuId,
    quantity,
    amount,
    price,
    subtotal_amount: amount,
    discount_amount: 0,
    applied_discount_amount: 0,
    product: {
      id: productId,
      source_id: `P-${100_000 + index}`,
      name: `Merino crew-neck jumper, style ${index}`,
      price,
      metadata: productMetadata(index),
      override: false,
    },
    sku: {
      id: skuId,
      source_id: `S-${200_000 + index}`,
      sku: `JMP-${index}-${['XS', 'S', 'M', 'L', 'XL'][index % 5]}`,
      price,
      metadata: { barcode: `40${String(1_234_567_890 + index)}`, weight_grams: 300 + index },
      override: false,
    },
    metadata: { gift_wrap: index % 4 === 0, note: index % 6 === 0 ? 'Leave at the door' : null },
  }
}

/**
 * A CREDITS_REDEMPTION as a web shop sends it: the seed transaction spent on an order of 50
 * lines with products, SKUs and metadata (about 45 KB compact). Fresh ids on every call.
 */
export function largeRedemptionData(): Json {
  const data = giftEventData('voucher.gift.transaction.created', {
    transactionType: 'CREDITS_REDEMPTION',
    amount: -4_500,
  })
  const orderId = randomId('ord')
  const items = Array.from({ length: LARGE_ITEM_COUNT }, (_, index) => orderItem(index, orderId))
  const amount = items.reduce((sum, item) => sum + Number(item.amount), 0)
  const createdAt = new Date().toISOString()
  data.order = {
    id: orderId,
    source_id: `web-${orderId}`,
    object: 'order',
    status: 'PAID',
    created_at: createdAt,
    updated_at: createdAt,
    amount,
    discount_amount: 0,
    items_discount_amount: 0,
    total_discount_amount: 0,
    total_amount: amount,
    applied_discount_amount: 0,
    items_applied_discount_amount: 0,
    total_applied_discount_amount: 0,
    initial_amount: amount,
    items,
    metadata: {
      channel: 'web',
      store: 'eu-central',
      payment_method: 'gift_card+card',
      shipping: { method: 'express', carrier: 'DHL', country: 'DE', postcode: '10115' },
      utm: { source: 'newsletter', medium: 'email', campaign: 'winter-gifts' },
    },
    customer: { id: 'cust_PL4iqfS8K5Ej2LuBNV1RqlfJ', object: 'customer' },
    referrer: null,
  }
  data.redemption = {
    id: randomId('r'),
    object: 'redemption',
    date: createdAt,
    result: 'SUCCESS',
    status: 'SUCCEEDED',
    amount: 4_500,
    tracking_id: randomId('track'),
    order: { id: orderId, source_id: `web-${orderId}` },
    channel: { channel_id: randomId('app'), channel_type: 'API' },
  }
  return data
}

/** The compact JSON Voucherify sends, wrapped as API Gateway's event. */
export function eventFor(
  eventType: SupportedEventType,
  data: Json,
  base64 = false,
): APIGatewayProxyEventV2 {
  return apiGatewayEventFor({
    body: JSON.stringify(envelopeFor(eventType, data)),
    secret: LOCAL_WEBHOOK_SECRET,
    base64,
  })
}

function benchCase(name: string, eventType: SupportedEventType, data: Json, base64 = false) {
  const event = eventFor(eventType, data, base64)
  const bodyBytes = Buffer.from(event.body ?? '', base64 ? 'base64' : 'utf8').length
  return { name, eventType, event, bodyBytes }
}

/** The three seed payloads as envelopes, then the large redemption (plain and base64). */
export function benchCases(): BenchCase[] {
  const seeds = supportedEventTypes.map((eventType) =>
    benchCase(`seed ${eventType}`, eventType, seedData[eventType]),
  )
  const large = largeRedemptionData()
  const type = 'voucher.gift.transaction.created'
  return [
    ...seeds,
    benchCase(`large redemption (${LARGE_ITEM_COUNT} items)`, type, large),
    benchCase(`large redemption, base64 body`, type, large, true),
  ]
}

/** Fresh, unique deliveries for the end-to-end run: every event type and transaction type. */
export function uniqueSeedEvent(index: number): APIGatewayProxyEventV2 {
  const eventType = supportedEventTypes[index % supportedEventTypes.length] as SupportedEventType
  const transactionTypes = GiftTransactionTypeSchema.options
  const round = Math.floor(index / supportedEventTypes.length)
  const transactionType = transactionTypes[round % transactionTypes.length]
  return eventFor(eventType, giftEventData(eventType, { transactionType }))
}

export function uniqueLargeEvent(): APIGatewayProxyEventV2 {
  return eventFor('voucher.gift.transaction.created', largeRedemptionData())
}
