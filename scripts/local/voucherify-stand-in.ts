// A stand-in for Voucherify's `GET /v1/vouchers/{code}/transactions` on 127.0.0.1, for the tests
// and `npm run ledger:scenario`: the real API is not reachable from where they run. It answers as the endpoint's OpenAPI
// (test/fixtures/voucherify-list-voucher-transactions.openapi.json) describes: the list object,
// `limit` (1 to 100, 10 by default), `starting_after_id` and `has_more`/`more_starting_after`,
// newest first as the documented example is, and Voucherify's error object for wrong keys (401)
// and an unknown voucher (404).

import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { listenOnLoopback } from './listen-on-loopback'

type Json = Record<string, unknown>

export interface StandInCard {
  /** Voucherify's voucher id; the endpoint takes the id or the code. */
  id: string
  code: string
  /** VoucherTransaction objects, as the API lists them. */
  transactions: Json[]
}

export interface StandInOptions {
  appId: string
  secretKey: string
  cards: StandInCard[]
}

export interface StandInRequest {
  method: string
  path: string
  query: Record<string, string>
}

export interface VoucherifyStandIn {
  url: string
  /** Every request, in order, without its headers. */
  readonly requests: readonly StandInRequest[]
  close(): Promise<void>
}

const DEFAULT_LIMIT = 10
const MAX_LIMIT = 100
const ROUTE = /^\/v1\/vouchers\/([^/]+)\/transactions$/

const requestId = () => `v-${randomBytes(9).toString('hex')}`

/** Voucherify's `Error` object, as its OpenAPI documents it. */
function error(code: number, fields: Json) {
  return { status: code, body: { code, ...fields, request_id: requestId() } }
}

/** Newest first, as the documented example lists them; `order` sorts by id instead. */
function ordered(transactions: Json[], order: string | null): Json[] {
  const byTime = (a: Json, b: Json) =>
    String(b.created_at).localeCompare(String(a.created_at)) ||
    String(b.id).localeCompare(String(a.id))
  const byId = (a: Json, b: Json) => String(a.id).localeCompare(String(b.id))
  if (order === 'id') return [...transactions].sort(byId)
  if (order === '-id') return [...transactions].sort((a, b) => byId(b, a))
  return [...transactions].sort(byTime)
}

/** What the endpoint answers to one request; no I/O. */
export function answerFor(
  options: StandInOptions,
  request: { method: string; url: URL; headers: Record<string, string | undefined> },
): { status: number; body: Json } {
  if (
    request.headers['x-app-id'] !== options.appId ||
    request.headers['x-app-token'] !== options.secretKey
  ) {
    // The 401 example Voucherify's OpenAPI documents for its endpoints.
    return { status: 401, body: { code: 401, message: 'Unauthorized', key: 'unauthorized' } }
  }
  const route = ROUTE.exec(request.url.pathname)
  if (!route) return error(404, { key: 'not_found', message: 'Resource not found' })
  if (request.method !== 'GET') {
    return error(405, {
      message: 'HTTP Method Not Allowed',
      details: `${request.method} is not supported by this endpoint. Did you mean GET?`,
    })
  }
  const voucher = decodeURIComponent(String(route[1]))
  const card = options.cards.find(({ id, code }) => id === voucher || code === voucher)
  if (!card) {
    return error(404, {
      key: 'not_found',
      message: 'Resource not found',
      details: `Cannot find voucher with id ${voucher}`,
      resource_id: voucher,
      resource_type: 'voucher',
    })
  }
  const query = request.url.searchParams
  const limitText = query.get('limit')
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return error(400, { message: 'Invalid Request', details: 'limit must be from 1 to 100' })
  }
  const order = query.get('order')
  if (order !== null && order !== 'id' && order !== '-id') {
    return error(400, { message: 'Invalid Request', details: 'order must be id or -id' })
  }
  const all = ordered(card.transactions, order)
  const after = query.get('starting_after_id')
  const start = after === null ? 0 : all.findIndex(({ id }) => id === after) + 1
  if (after !== null && start === 0) {
    return error(400, { message: 'Invalid Request', details: 'unknown starting_after_id' })
  }
  const data = all.slice(start, start + limit)
  const hasMore = start + limit < all.length
  return {
    status: 200,
    body: {
      object: 'list',
      data_ref: 'data',
      data,
      has_more: hasMore,
      ...(hasMore ? { more_starting_after: String(data.at(-1)?.id) } : {}),
    },
  }
}

/** Starts the stand-in on a free port of 127.0.0.1. `cards` may change while it runs. */
export async function startVoucherifyStandIn(options: StandInOptions): Promise<VoucherifyStandIn> {
  const requests: StandInRequest[] = []
  const server = http.createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1')
    const method = incoming.method ?? 'GET'
    requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams) })
    const headers = Object.fromEntries(
      Object.entries(incoming.headers).map(([name, value]) => [name, [value].flat()[0]]),
    )
    const { status, body } = answerFor(options, { method, url, headers })
    outgoing.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    outgoing.end(JSON.stringify(body))
    incoming.resume()
  })
  const listening = await listenOnLoopback(server)
  return { url: listening.url, requests, close: listening.close }
}
