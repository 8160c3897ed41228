// A stand-in for the part of Voucherify's API the service reads, for the tests, `npm start` and
// `npm run ledger:scenario`: the real API is not reachable from where they run. It answers as
// Voucherify's API document (test/fixtures/voucherify-gift-api.openapi.json) describes, and
// where the document leaves a behaviour open it picks the least convenient one the document
// allows (each choice is written beside the code that makes it):
// - `GET /v1/campaigns`: `campaign_type`, `limit` (1 to 100, 10 by default), `page` (1 to 100);
// - `GET /v1/campaigns/{campaignId}/transactions` (id or name) and
//   `GET /v1/vouchers/{code}/transactions` (id or code): `limit`, `order` (`id` | `-id`,
//   ascending by id when none is named), cursor `starting_after_id` (refused with a 4xx when
//   unknown or expired), `has_more`/`more_starting_after` (null on the last page);
// - `GET /v1/vouchers/{code}` (id or code): the gift card, its `gift.balance` the balance after
//   its last transaction.
// Errors are Voucherify's error object (test/fixtures/voucherify-list-voucher-transactions.openapi.json):
// 401 for wrong keys, 404 for what it does not know, 400 for a bad query, 405 for other methods,
// and 429 on demand (`throttleNext`), as Voucherify does over the plan's rate. It answers on
// 127.0.0.1 (`startVoucherifyStandIn`) or in-process (`standInFetch`), through one code path.

import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { listenOnLoopback } from './listen-on-loopback'

type Json = Record<string, unknown>

export interface StandInCard {
  /** Voucherify's voucher id; the endpoints take the id or the code. */
  id: string
  code: string
  /** VoucherTransaction objects, as the API lists them; each names its campaign (`campaign_id`). */
  transactions: Json[]
}

export interface StandInCampaign {
  id: string
  name: string
  /** 'GIFT_VOUCHERS', 'LOYALTY_PROGRAM', … */
  campaign_type: string
}

export interface StandInOptions {
  appId: string
  secretKey: string
  cards: StandInCard[]
  /** Listed in this order, taken as newest first (the API lists campaigns newest first). */
  campaigns?: StandInCampaign[]
  /** Transaction ids refused as a `starting_after_id` (expired cursors), though still listed. */
  expiredCursors?: Set<string>
}

export interface StandInAnswer {
  status: number
  body: Json
  headers?: Record<string, string>
}

export interface StandInRequest {
  method: string
  path: string
  query: Record<string, string>
  /** The status it was answered with. */
  status: number
}

/** What the stand-in records and can be told, wherever it answers. */
export interface StandInControls {
  /** Every request, in order, without its headers. */
  readonly requests: readonly StandInRequest[]
  /** Answers the next `count` requests with right keys 429, whatever they ask for. */
  throttleNext(count: number, retryAfterSeconds?: number): void
}

/** The stand-in answering in this process, to a client given `fetch`: no socket. */
export interface InProcessStandIn extends StandInControls {
  fetch: typeof fetch
}

export interface VoucherifyStandIn extends StandInControls {
  url: string
  close(): Promise<void>
}

/** Told of each request once it is answered (`npm start` prints it). */
export type OnStandInRequest = (request: StandInRequest) => void

/** A request as the stand-in reads it, wherever it came from. */
export interface StandInIncomingRequest {
  method: string
  url: URL
  headers: Record<string, string | undefined>
}

const DEFAULT_LIMIT = 10
const MAX_LIMIT = 100
const MAX_PAGE = 100
/** Requests a minute on Voucherify's Business plan, the lowest the service is meant for. */
const RATE_LIMIT = 100
const CAMPAIGN_TYPES = [
  'PROMOTION',
  'GIFT_VOUCHERS',
  'REFERRAL_PROGRAM',
  'DISCOUNT_COUPONS',
  'LOYALTY_PROGRAM',
]
/** When the first campaign was created; each one after it a minute earlier. */
const CAMPAIGNS_CREATED = Date.parse('2024-01-01T00:00:00.000Z')

const requestId = () => `v-${randomBytes(9).toString('hex')}`

/** Voucherify's `Error` object, as its OpenAPI documents it. */
function error(code: number, fields: Json): StandInAnswer {
  return { status: code, body: { code, ...fields, request_id: requestId() } }
}

const invalid = (details: string) => error(400, { message: 'Invalid Request', details })

const notFound = (type: string, id: string) =>
  error(404, {
    key: 'not_found',
    message: 'Resource not found',
    details: `Cannot find ${type} with id ${id}`,
    resource_id: id,
    resource_type: type,
  })

/** The answer to a request over the rate limit; the stand-in gives it on demand. */
export function tooManyRequests(retryAfterSeconds: number): StandInAnswer {
  return {
    ...error(429, {
      key: 'too_many_requests',
      message: 'Too Many Requests',
      details: `Rate limit of ${RATE_LIMIT} requests a minute exceeded`,
    }),
    headers: {
      'retry-after': String(retryAfterSeconds),
      'x-rate-limit-limit': String(RATE_LIMIT),
      'x-rate-limit-remaining': '0',
    },
  }
}

/** An integer query parameter from 1 to `max`, or the 400 answer to it. */
function integerParameter(query: URLSearchParams, name: string, fallback: number, max: number) {
  const text = query.get(name)
  const value = text === null ? fallback : Number(text)
  if (!Number.isInteger(value) || value < 1 || value > max) {
    return invalid(`${name} must be from 1 to ${max}`)
  }
  return value
}

const compareIds = (a: Json, b: Json) => {
  const [left, right] = [String(a.id), String(b.id)]
  return left < right ? -1 : left > right ? 1 : 0
}

/**
 * By id only (`ParameterOrderListTransactions`: `id` | `-id`), never by `created_at`, which the
 * document does not promise follows the ids. No `order` named is ascending: the document names
 * no default, and ascending is the least convenient for a walk that assumes newest first.
 */
function ordered(transactions: Json[], order: string | null): Json[] {
  const byId = [...transactions].sort(compareIds)
  return order === '-id' ? byId.reverse() : byId
}

/**
 * Where a page starts after `starting_after_id` ("retrieves the transactions starting after a
 * transaction with the given ID"), or the refusal: the document says nothing of an id it does not
 * list, or of one no longer taken as a cursor, so each gets a client error (404, 400).
 */
function cursorStart(
  options: StandInOptions,
  listed: Json[],
  after: string | null,
): number | StandInAnswer {
  if (after === null) return 0
  const index = listed.findIndex(({ id }) => id === after)
  if (index === -1) return notFound('transaction', after)
  if (options.expiredCursors?.has(after)) {
    return invalid(`starting_after_id ${after} has expired: list from the start again`)
  }
  return index + 1
}

/**
 * One page of transactions, as both transaction lists answer them. `has_more` says whether more
 * follow; `more_starting_after` is nullable, so the last page, and an empty list, carry it null.
 */
function transactionPage(
  options: StandInOptions,
  transactions: Json[],
  query: URLSearchParams,
): StandInAnswer {
  const limit = integerParameter(query, 'limit', DEFAULT_LIMIT, MAX_LIMIT)
  if (typeof limit !== 'number') return limit
  const order = query.get('order')
  if (order !== null && order !== 'id' && order !== '-id') {
    return invalid('order must be id or -id')
  }
  // `filters[id][conditions][$is]` ("value is exactly this value"): the one filter the sweep uses.
  const only = query.get('filters[id][conditions][$is]')
  const all = ordered(
    only === null ? transactions : transactions.filter(({ id }) => id === only),
    order,
  )
  const start = cursorStart(options, all, query.get('starting_after_id'))
  if (typeof start !== 'number') return start
  const data = all.slice(start, start + limit)
  const hasMore = start + limit < all.length
  return {
    status: 200,
    body: {
      object: 'list',
      data_ref: 'data',
      data,
      has_more: hasMore,
      more_starting_after: hasMore ? String(data.at(-1)?.id) : null,
    },
  }
}

/** A campaign object with the fields the documented examples show, from what the stand-in knows. */
function campaignObject(options: StandInOptions, campaign: StandInCampaign, index: number): Json {
  const loyalty = campaign.campaign_type === 'LOYALTY_PROGRAM'
  const gift = campaign.campaign_type === 'GIFT_VOUCHERS'
  const vouchers = options.cards.filter(({ transactions }) =>
    transactions.some(({ campaign_id }) => campaign_id === campaign.id),
  )
  return {
    id: campaign.id,
    name: campaign.name,
    campaign_type: campaign.campaign_type,
    type: 'AUTO_UPDATE',
    voucher: {
      type: loyalty ? 'LOYALTY_CARD' : gift ? 'GIFT_VOUCHER' : 'DISCOUNT_VOUCHER',
      ...(gift ? { gift: { amount: 0, effect: 'APPLY_TO_ORDER' } } : {}),
      ...(loyalty ? { loyalty_card: { points: 0 } } : {}),
      redemption: { quantity: null },
      code_config: {
        length: 8,
        charset: '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
        pattern: '########',
      },
      is_referral_code: false,
    },
    auto_join: loyalty,
    join_once: loyalty,
    use_voucher_metadata_schema: true,
    vouchers_count: vouchers.length,
    active: true,
    metadata: {},
    created_at: new Date(CAMPAIGNS_CREATED - index * 60_000).toISOString(),
    creation_status: 'DONE',
    vouchers_generation_status: 'DONE',
    protected: false,
    category_id: null,
    object: 'campaign',
  }
}

/**
 * `GET /v1/campaigns`: newest first, filtered by `campaign_type`, a page of `limit`. `limit` is
 * 1 to 100 and `page` 1 to 100 (`ParameterLimit`, `ParameterPage`): page 101 is refused, 400.
 */
function listCampaigns(options: StandInOptions, query: URLSearchParams): StandInAnswer {
  const limit = integerParameter(query, 'limit', DEFAULT_LIMIT, MAX_LIMIT)
  if (typeof limit !== 'number') return limit
  const page = integerParameter(query, 'page', 1, MAX_PAGE)
  if (typeof page !== 'number') return page
  const type = query.get('campaign_type')
  if (type !== null && !CAMPAIGN_TYPES.includes(type)) {
    return invalid(`campaign_type must be one of ${CAMPAIGN_TYPES.join(', ')}`)
  }
  const campaigns = (options.campaigns ?? [])
    .map((campaign, index) => campaignObject(options, campaign, index))
    .filter(({ campaign_type }) => type === null || campaign_type === type)
  return {
    status: 200,
    body: {
      object: 'list',
      data_ref: 'campaigns',
      campaigns: campaigns.slice((page - 1) * limit, page * limit),
      total: campaigns.length,
    },
  }
}

/** `GET /v1/campaigns/{campaignId}/transactions`: the transactions of its cards, gift or loyalty. */
function listCampaignTransactions(
  options: StandInOptions,
  query: URLSearchParams,
  idOrName: string,
): StandInAnswer {
  const campaign = (options.campaigns ?? []).find(
    ({ id, name }) => id === idOrName || name === idOrName,
  )
  if (!campaign) return notFound('campaign', idOrName)
  if (!['GIFT_VOUCHERS', 'LOYALTY_PROGRAM'].includes(campaign.campaign_type)) {
    // The documented answer for the other campaign types, which have no transactions.
    return { status: 200, body: { object: 'list', data_ref: 'data', data: [], total: 0 } }
  }
  // Read per request: a transaction added later, whatever its created_at, is listed from then on.
  const transactions = options.cards
    .flatMap((card) => card.transactions)
    .filter(({ campaign_id }) => campaign_id === campaign.id)
  return transactionPage(options, transactions, query)
}

const cardOf = (options: StandInOptions, idOrCode: string) =>
  options.cards.find(({ id, code }) => id === idOrCode || code === idOrCode)

/** `GET /v1/vouchers/{code}/transactions`. */
function listVoucherTransactions(
  options: StandInOptions,
  query: URLSearchParams,
  idOrCode: string,
): StandInAnswer {
  const card = cardOf(options, idOrCode)
  return card ? transactionPage(options, card.transactions, query) : notFound('voucher', idOrCode)
}

const balanceOf = (transaction: Json | undefined) =>
  (transaction?.details as { balance?: Json } | undefined)?.balance

/**
 * `GET /v1/vouchers/{code}`: a gift card whose `gift.balance` is the balance after its last
 * transaction in the order they happened, which is the order of `cards[].transactions`, not the
 * newest `created_at` (times may tie or run against that order). `amount` counts the credits
 * added by its transactions only: the amount a card was created with is no transaction, and the
 * stand-in does not know it.
 */
function getVoucher(options: StandInOptions, _query: URLSearchParams, idOrCode: string) {
  const card = cardOf(options, idOrCode)
  if (!card) return notFound('voucher', idOrCode)
  const last = card.transactions.at(-1)
  const amountsOf = (type: string) =>
    card.transactions
      .filter((transaction) => transaction.type === type)
      .map((transaction) => Math.abs(Number(balanceOf(transaction)?.amount ?? 0)))
  const sum = (amounts: number[]) => amounts.reduce((total, amount) => total + amount, 0)
  const redeemed = amountsOf('CREDITS_REDEMPTION')
  const campaignId = (last?.campaign_id as string | undefined) ?? null
  const campaign = (options.campaigns ?? []).find(({ id }) => id === campaignId)
  const code = encodeURIComponent(card.code)
  return {
    status: 200,
    body: {
      id: card.id,
      code: card.code,
      campaign: campaign?.name ?? null,
      campaign_id: campaignId,
      category: null,
      category_id: null,
      type: 'GIFT_VOUCHER',
      gift: {
        amount: sum(amountsOf('CREDITS_ADDITION')),
        subtracted_amount: sum(amountsOf('CREDITS_REMOVAL')),
        balance: Number(balanceOf(last)?.balance ?? 0),
        effect: 'APPLY_TO_ORDER',
      },
      loyalty_card: null,
      start_date: null,
      expiration_date: null,
      active: true,
      additional_info: null,
      metadata: {},
      is_referral_code: false,
      created_at: card.transactions[0]?.created_at ?? new Date(CAMPAIGNS_CREATED).toISOString(),
      updated_at: last?.created_at ?? null,
      holder_id: null,
      validation_rules_assignments: { object: 'list', data_ref: 'data', data: [], total: 0 },
      redemption: {
        quantity: null,
        redeemed_quantity: redeemed.length,
        redeemed_amount: sum(redeemed),
        object: 'list',
        url: `/v1/vouchers/${code}/redemptions?page=1&limit=10`,
      },
      publish: {
        object: 'list',
        count: 0,
        url: `/v1/vouchers/${code}/publications?page=1&limit=10`,
      },
      object: 'voucher',
    },
  }
}

type Endpoint = (options: StandInOptions, query: URLSearchParams, id: string) => StandInAnswer

const ROUTES: [RegExp, Endpoint][] = [
  [/^\/v1\/campaigns$/, listCampaigns],
  [/^\/v1\/campaigns\/([^/]+)\/transactions$/, listCampaignTransactions],
  [/^\/v1\/vouchers\/([^/]+)$/, getVoucher],
  [/^\/v1\/vouchers\/([^/]+)\/transactions$/, listVoucherTransactions],
]

/** What the API answers to one request; no I/O. */
export function answerFor(options: StandInOptions, request: StandInIncomingRequest): StandInAnswer {
  if (
    request.headers['x-app-id'] !== options.appId ||
    request.headers['x-app-token'] !== options.secretKey
  ) {
    // The 401 example Voucherify's OpenAPI documents for its endpoints.
    return { status: 401, body: { code: 401, message: 'Unauthorized', key: 'unauthorized' } }
  }
  for (const [route, endpoint] of ROUTES) {
    const match = route.exec(request.url.pathname)
    if (!match) continue
    if (request.method !== 'GET') {
      return error(405, {
        message: 'HTTP Method Not Allowed',
        details: `${request.method} is not supported by this endpoint. Did you mean GET?`,
      })
    }
    return endpoint(options, request.url.searchParams, decodeURIComponent(match[1] ?? ''))
  }
  return error(404, { key: 'not_found', message: 'Resource not found' })
}

/** The one way the stand-in answers, on 127.0.0.1 or in-process: throttle, answer, record. */
function standInResponder(options: StandInOptions, onRequest?: OnStandInRequest) {
  const requests: StandInRequest[] = []
  let throttle = { count: 0, retryAfterSeconds: 1 }
  const controls: StandInControls = {
    requests,
    throttleNext(count, retryAfterSeconds = 1) {
      throttle = { count, retryAfterSeconds }
    },
  }
  const answer = (request: StandInIncomingRequest): StandInAnswer => {
    let answered = answerFor(options, request)
    if (answered.status !== 401 && throttle.count > 0) {
      throttle.count -= 1
      answered = tooManyRequests(throttle.retryAfterSeconds)
    }
    const recorded = {
      method: request.method,
      path: request.url.pathname,
      query: Object.fromEntries(request.url.searchParams),
      status: answered.status,
    }
    requests.push(recorded)
    onRequest?.(recorded)
    return answered
  }
  return { controls, answer }
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

/**
 * The stand-in as a `fetch` for a client in this process (`VoucherifyApiConfig.fetch`): the same
 * answers, record and 429s on demand as the started one, without a socket. `cards` and
 * `campaigns` are read per request.
 */
export function standInFetch(
  options: StandInOptions,
  onRequest?: OnStandInRequest,
): InProcessStandIn {
  const { controls, answer } = standInResponder(options, onRequest)
  const answerFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    request.signal.throwIfAborted()
    const answered = answer({
      method: request.method,
      url: new URL(request.url),
      headers: Object.fromEntries(request.headers),
    })
    return new Response(JSON.stringify(answered.body), {
      status: answered.status,
      headers: { ...JSON_TYPE, ...answered.headers },
    })
  }
  return { ...controls, fetch: answerFetch }
}

/**
 * Starts the stand-in on 127.0.0.1, on `port` or a free one. `cards` and `campaigns` are read
 * per request, so they may change while it runs.
 */
export async function startVoucherifyStandIn(
  options: StandInOptions,
  port = 0,
  onRequest?: OnStandInRequest,
): Promise<VoucherifyStandIn> {
  const { controls, answer } = standInResponder(options, onRequest)
  const server = http.createServer((incoming, outgoing) => {
    const answered = answer({
      method: incoming.method ?? 'GET',
      url: new URL(incoming.url ?? '/', 'http://127.0.0.1'),
      headers: Object.fromEntries(
        Object.entries(incoming.headers).map(([name, value]) => [name, [value].flat()[0]]),
      ),
    })
    outgoing.writeHead(answered.status, { ...JSON_TYPE, ...answered.headers })
    outgoing.end(JSON.stringify(answered.body))
    incoming.resume()
  })
  const listening = await listenOnLoopback(server, port)
  return { ...controls, url: listening.url, close: listening.close }
}

/** One line for a request it answered: method, path, query and status; headers (keys) never. */
export function describeStandInRequest({ method, path, query, status }: StandInRequest): string {
  const search = new URLSearchParams(query).toString()
  return `${method} ${path}${search ? `?${search}` : ''} ${status}`
}
