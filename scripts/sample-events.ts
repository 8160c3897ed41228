import { randomBytes } from 'node:crypto'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { SIGNATURE_HEADER, signPayload } from '../lib/receive/signature'
import type { GiftTransactionType } from '../lib/schemas/gift-event-parts'
import type { SupportedEventType } from '../lib/schemas/registry'
import customerBalanceAdded from './samples/customer.voucher.gift.balance_added.data.json'
import voucherBalanceAdded from './samples/voucher.gift.balance_added.data.json'
import transactionCreated from './samples/voucher.gift.transaction.created.data.json'

/** The secret `npm start` uses when VOUCHERIFY_WEBHOOK_SECRET is not set. */
export const LOCAL_WEBHOOK_SECRET = 'local-webhook-secret'

/** The payloads the project was seeded with (and Voucherify's OpenAPI examples), per event type. */
export const seedData: Record<SupportedEventType, Record<string, unknown>> = {
  'voucher.gift.transaction.created': transactionCreated,
  'customer.voucher.gift.balance_added': customerBalanceAdded,
  'voucher.gift.balance_added': voucherBalanceAdded,
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`
}

type Json = Record<string, unknown>
const objectAt = (parent: Json, key: string): Json => (parent[key] ?? {}) as Json

export interface GiftDataOptions {
  transactionType?: GiftTransactionType
  transactionId?: string
  /** Signed change in cents; its sign follows the transaction type when left out. */
  amount?: number
  balanceAfter?: number
  relatedTransactionId?: string | null
  /** The gift card; a fresh id when left out, so unrelated events never share a card's ledger. */
  voucherId?: string
  /** When the transaction happened; now when left out. */
  createdAt?: string
}

/**
 * A realistic data object for `eventType`: the seed, with a fresh transaction id, a card of its
 * own, and the amounts, source and links that `transactionType` would carry.
 */
export function giftEventData(eventType: SupportedEventType, options: GiftDataOptions = {}): Json {
  const data = structuredClone(seedData[eventType])
  const transactionType = options.transactionType ?? 'CREDITS_ADDITION'
  const spends = transactionType === 'CREDITS_REMOVAL' || transactionType === 'CREDITS_REDEMPTION'
  const amount = options.amount ?? (spends ? -700 : 1000)
  const balance = objectAt(data, 'balance')
  const balanceAfter = options.balanceAfter ?? Number(balance.balance) + amount
  Object.assign(balance, { amount, balance: balanceAfter })
  const voucherId = options.voucherId ?? randomId('v')
  objectAt(balance, 'related_object').id = voucherId
  if (data.voucher) objectAt(data, 'voucher').id = voucherId

  const transaction = objectAt(data, 'transaction')
  const redemption = transactionType === 'CREDITS_REDEMPTION'
  Object.assign(transaction, {
    id: options.transactionId ?? randomId('vtx'),
    type: transactionType,
    created_at: options.createdAt ?? new Date().toISOString(),
    source: redemption ? null : 'API',
    reason: redemption ? null : `${transactionType.toLowerCase()} by sample generator`,
    related_transaction_id:
      options.relatedTransactionId ??
      (transactionType === 'CREDITS_REFUND' ? randomId('vtx') : null),
  })
  if (transaction.voucher_id) transaction.voucher_id = voucherId
  const details = objectAt(transaction, 'details')
  if (details.balance) {
    const detailed = objectAt(details, 'balance')
    Object.assign(detailed, { amount, balance: balanceAfter })
    if (detailed.related_object) objectAt(detailed, 'related_object').id = voucherId
  }
  if (redemption) {
    details.redemption = { id: randomId('r') }
    details.order = { id: randomId('ord'), source_id: randomId('order') }
  }
  return data
}

export type WebhookKind = 'webhook' | 'distribution'

/** Wraps data in the v2024-01-01 envelope a project-settings or distribution webhook sends. */
export function envelopeFor(
  eventType: SupportedEventType | string,
  data: Json,
  kind: WebhookKind = eventType.startsWith('customer.') ? 'distribution' : 'webhook',
): Json {
  const createdAt = new Date().toISOString()
  return {
    id: randomId('whs'),
    project_id: 'proj_local',
    created_at: createdAt,
    // A distribution's `type` is whatever its creator typed in the dashboard.
    type: kind === 'distribution' ? 'Gift card top-up' : eventType,
    data,
    source:
      kind === 'distribution'
        ? {
            id: randomId('distr'),
            object: 'distribution',
            target_url: 'https://example.invalid/webhooks',
          }
        : { id: randomId('wh'), object: 'webhook' },
    event: {
      id: randomId('evgt'),
      type: eventType,
      created_at: createdAt,
      entity_id: objectAt(data, 'transaction').id ?? randomId('vtx'),
      group_id: randomId('v'),
      event_source: { channel: 'API' },
    },
  }
}

export interface ApiGatewayEventOptions {
  body: string
  secret?: string
  /** The raw-payload route names the event type in its path. */
  pathEventType?: string
  base64?: boolean
  headers?: Record<string, string>
  method?: string
}

/** The API Gateway HTTP API (v2) event for one webhook delivery, signed unless told otherwise. */
export function apiGatewayEventFor(options: ApiGatewayEventOptions): APIGatewayProxyEventV2 {
  const { pathEventType, method = 'POST' } = options
  const rawPath = `/webhooks/voucherify${pathEventType === undefined ? '' : `/${pathEventType}`}`
  const routeKey = `${method} /webhooks/voucherify${pathEventType === undefined ? '' : '/{eventType}'}`
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Voucherify-Webhooks',
    ...(options.secret === undefined
      ? {}
      : { [SIGNATURE_HEADER]: signPayload(options.secret, options.body) }),
    ...options.headers,
  }
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Voucherify-Webhooks',
      },
      requestId: randomId('req'),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(pathEventType === undefined ? {} : { pathParameters: { eventType: pathEventType } }),
    body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body,
    isBase64Encoded: options.base64 ?? false,
  }
}
