import * as v from 'valibot'
import { abortableSleep, type RequestPacer, type Sleep } from './request-pacer'
import type { ApiTransaction } from './transaction-payload'

/** Voucherify's API per region (its OpenAPI's `https://{cluster}.voucherify.io`). */
export const VOUCHERIFY_API_URLS = {
  eu1: 'https://api.voucherify.io',
  us1: 'https://us1.api.voucherify.io',
  as1: 'https://as1.api.voucherify.io',
} as const
export type VoucherifyRegion = keyof typeof VOUCHERIFY_API_URLS

/** The most transactions one page may hold (the endpoint's `limit`, 1 to 100). */
export const MAX_PAGE_SIZE = 100

export interface VoucherifyApiConfig {
  /** e.g. `https://api.voucherify.io`, without a trailing path. */
  baseUrl: string
  /** The project's Application ID and Secret Key (headers X-App-Id and X-App-Token). */
  appId: string
  secretKey: string
  pageSize?: number
  /** Per request. */
  timeoutMs?: number
  /** Attempts per page when Voucherify answers 429 or 5xx or cannot be reached. */
  maxAttempts?: number
  /** The longest Retry-After waited out; a longer one fails the request (default 10 s). */
  maxRetryWaitMs?: number
  /** Spaces the requests within a budget and holds them while Voucherify says to wait. */
  pacer?: RequestPacer
  sleep?: Sleep
  /** Answers the requests (default: the global fetch); tests answer them in-process. */
  fetch?: typeof fetch
}

/** The document's `ParameterOrderListTransactions`: by id, ascending or (`-id`) descending. */
export type ListingOrder = 'id' | '-id'

/** A failure to list: the message says what to do, and never carries a key or a voucher code. */
export class VoucherifyApiError extends Error {
  override name = 'VoucherifyApiError'
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

/**
 * Voucherify refused a listing's `starting_after_id` (400, 404, 410 or 422): its document says
 * nothing of an unknown or expired cursor, so any client error on one counts as refused.
 */
export class CursorRefusedError extends VoucherifyApiError {
  override name = 'CursorRefusedError'
}

/** Voucherify answered 429 and asked for a longer wait than this client is allowed, or kept asking. */
export class RateLimitedError extends VoucherifyApiError {
  override name = 'RateLimitedError'
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message, 429)
  }
}

/** Pages in a row without a transaction not listed before, after which a listing is given up. */
const MAX_STALLED_PAGES = 10

/** The client errors that, on a request carrying a cursor, mean the cursor was refused. */
const CURSOR_REFUSED_STATUSES = new Set([400, 404, 410, 422])

/** Voucherify's error object (OpenAPI `Error`): code and message, often key and request_id. */
const ErrorSchema = v.object({
  code: v.optional(v.number()),
  key: v.optional(v.string()),
  message: v.optional(v.string()),
  request_id: v.optional(v.string()),
})

/**
 * `VouchersTransactionsListResponseBody`, `CampaignsTransactionsListResponseBody`: every field is
 * `nullable` and none `required` there; each transaction is checked when it is taken in.
 */
const PageSchema = v.object({
  object: v.nullish(v.literal('list')),
  data_ref: v.nullish(v.literal('data')),
  data: v.nullish(v.array(v.looseObject({ id: v.pipe(v.string(), v.nonEmpty()) }))),
  has_more: v.nullish(v.boolean()),
  more_starting_after: v.nullish(v.string()),
})

/**
 * A transactions page as the schema reads it, and its transactions as sent (Valibot's output
 * keeps only the fields it checked); `data: null` is an empty page.
 */
function readTransactionPage(body: unknown) {
  const page = v.safeParse(PageSchema, body)
  if (!page.success) {
    const paths = page.issues.map((issue) => v.getDotPath(issue) ?? '(root)').join(', ')
    throw new VoucherifyApiError(
      `Voucherify answered a transactions page this tool does not understand (at ${paths})`,
    )
  }
  const listed = (body as { data?: ApiTransaction[] | null }).data ?? []
  return { page: page.output, listed }
}

/** `CampaignsListResponseBody` (its fields `nullable`): only what the sweep reads of each campaign. */
const CampaignsPageSchema = v.object({
  campaigns: v.nullish(v.array(v.looseObject({ id: v.pipe(v.string(), v.nonEmpty()) }))),
  total: v.nullish(v.number()),
})

const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504])
const MAX_RETRY_WAIT_MS = 10_000

/** `key` and `request_id` name the error for Voucherify's support; `details` may quote input. */
function describeError(status: number, body: unknown): string {
  const parsed = v.safeParse(ErrorSchema, body)
  const error = parsed.success ? parsed.output : {}
  const parts = [`HTTP ${status}`, error.key, error.request_id && `request ${error.request_id}`]
  return parts.filter(Boolean).join(', ')
}

/** What Voucherify asks for (Retry-After, in seconds), else a doubling back-off. */
function retryWaitMs(response: Response, attempt: number): number {
  const seconds = Number(response.headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : 1_000 * 2 ** attempt
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * `GET /v1/vouchers/{code}/transactions`: every transaction of one voucher (by code or id),
 * page by page as the API defines it: `limit` and `order`, then `starting_after_id` = the
 * previous page's `more_starting_after` while `has_more`. Yields the transactions exactly as
 * Voucherify sent them.
 */
export async function* listVoucherTransactions(
  config: VoucherifyApiConfig,
  voucher: string,
  signal?: AbortSignal,
): AsyncGenerator<ApiTransaction[]> {
  const path = `/v1/vouchers/${encodeURIComponent(voucher)}/transactions`
  // Reconcile reads every page and sorts by created_at itself: it needs the whole list, walked
  // in one named order (the document names no default), not a particular one.
  const listing: TransactionListing = { order: 'id' }
  for await (const page of transactionPages(config, path, listing, signal)) yield page.data
}

/** One page of a transaction list, with the cursor that reads the next (undefined: the last). */
export interface TransactionPage {
  data: ApiTransaction[]
  next: string | undefined
}

/** How a listing is walked: the order it names, from the start or after a previous page's `next`. */
export interface TransactionListing {
  order: ListingOrder
  startingAfter?: string
}

/**
 * `GET /v1/campaigns/{campaignId}/transactions` in the order named (the document names no
 * default), from the start or from `startingAfter` (a previous page's `next`): gift and loyalty
 * campaigns.
 */
export function campaignTransactionPages(
  config: VoucherifyApiConfig,
  campaignId: string,
  listing: TransactionListing,
  signal?: AbortSignal,
): AsyncGenerator<TransactionPage> {
  const path = `/v1/campaigns/${encodeURIComponent(campaignId)}/transactions`
  return transactionPages(config, path, listing, signal)
}

async function* transactionPages(
  config: VoucherifyApiConfig,
  path: string,
  { order, startingAfter }: TransactionListing,
  signal?: AbortSignal,
): AsyncGenerator<TransactionPage> {
  const pageSize = config.pageSize ?? MAX_PAGE_SIZE
  let cursor = startingAfter
  /** Every id this listing yielded, in order: a cursor refused mid-listing steps back along it. */
  const listedIds: string[] = []
  const yielded = new Set<string>()
  const refused = new Set<string>()
  /** Ids listed again after a step back: the page grows by as many, to reach past them. */
  let relisted = 0
  /** Pages in a row that brought nothing new: a listing that no longer moves is given up. */
  let stalled = 0
  for (;;) {
    const url = apiUrl(config, path)
    url.searchParams.set('limit', String(Math.min(pageSize + relisted, MAX_PAGE_SIZE)))
    url.searchParams.set('order', order)
    if (cursor !== undefined) url.searchParams.set('starting_after_id', cursor)
    let body: unknown
    try {
      body = await getJson(config, url, signal)
    } catch (error) {
      if (!(error instanceof CursorRefusedError) || cursor === undefined) throw error
      // An earlier id not refused lists the refused ones again (skipped below), then goes on;
      // before every id listed, where the listing began.
      refused.add(cursor)
      let at = listedIds.lastIndexOf(cursor) - 1
      while (at >= 0 && refused.has(listedIds[at] as string)) at--
      const began = startingAfter === undefined || !refused.has(startingAfter)
      if (at < 0 && !(began && listedIds.length > 0)) throw error
      cursor = at < 0 ? startingAfter : listedIds[at]
      relisted = listedIds.length - 1 - at
      continue
    }
    const { page, listed } = readTransactionPage(body)
    // Only `has_more: true` goes on: null or absent (all the document promises) ends the listing.
    const hasMore = page.has_more === true
    const next = page.more_starting_after ?? undefined
    const data = listed.filter(({ id }) => !yielded.has(String(id)))
    stalled = data.length === 0 ? stalled + 1 : 0
    if (hasMore && (!next || next === cursor || stalled > MAX_STALLED_PAGES)) {
      throw new VoucherifyApiError(
        'Voucherify said there are more transactions but gave no new cursor to read them with',
      )
    }
    for (const { id } of data) {
      listedIds.push(String(id))
      yielded.add(String(id))
    }
    if (data.length > 0) relisted = 0
    yield { data, next: hasMore ? next : undefined }
    if (!hasMore || !next) return
    cursor = next
  }
}

/** The document's `ParameterPage` maximum: with `limit` 100, the listing reaches 10,000 campaigns. */
const MAX_CAMPAIGN_PAGE = 100

/** The project's gift card campaigns; `complete` false when more exist than the listing reaches. */
export interface GiftCampaigns {
  ids: string[]
  complete: boolean
}

/**
 * `GET /v1/campaigns?campaign_type=GIFT_VOUCHERS`, every page the document lets a client ask
 * for: the project's gift card campaigns, newest first, up to 10,000.
 */
export async function listGiftCampaigns(
  config: VoucherifyApiConfig,
  signal?: AbortSignal,
): Promise<GiftCampaigns> {
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const url = apiUrl(config, '/v1/campaigns')
    url.searchParams.set('campaign_type', 'GIFT_VOUCHERS')
    url.searchParams.set('limit', String(MAX_PAGE_SIZE))
    url.searchParams.set('page', String(page))
    const parsed = v.safeParse(CampaignsPageSchema, await getJson(config, url, signal))
    if (!parsed.success) {
      throw new VoucherifyApiError(
        'Voucherify answered a campaigns page this tool does not understand',
      )
    }
    const campaigns = parsed.output.campaigns ?? []
    const total = parsed.output.total ?? undefined
    ids.push(...campaigns.map(({ id }) => id))
    const done = campaigns.length < MAX_PAGE_SIZE || (total !== undefined && ids.length >= total)
    if (done) return { ids, complete: true }
    if (page === MAX_CAMPAIGN_PAGE) return { ids, complete: false }
  }
}

/**
 * One transaction of a campaign by id (`filters[id][conditions][$is]`), as the campaign's
 * listing shows it; undefined when the listing no longer holds it.
 */
export async function findCampaignTransaction(
  config: VoucherifyApiConfig,
  campaignId: string,
  transactionId: string,
  signal?: AbortSignal,
): Promise<ApiTransaction | undefined> {
  const url = apiUrl(config, `/v1/campaigns/${encodeURIComponent(campaignId)}/transactions`)
  url.searchParams.set('limit', '1')
  url.searchParams.set('filters[id][conditions][$is]', transactionId)
  const { listed } = readTransactionPage(await getJson(config, url, signal))
  return listed.find((transaction) => transaction.id === transactionId)
}

function apiUrl(config: VoucherifyApiConfig, path: string): URL {
  return new URL(path, config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`)
}

async function getJson(config: VoucherifyApiConfig, url: URL, signal?: AbortSignal) {
  const maxAttempts = config.maxAttempts ?? 3
  const sleep = config.sleep ?? abortableSleep
  for (let attempt = 1; ; attempt++) {
    await config.pacer?.waitTurn(signal)
    let response: Response
    try {
      response = await (config.fetch ?? fetch)(url, {
        headers: {
          accept: 'application/json',
          'x-app-id': config.appId,
          'x-app-token': config.secretKey,
        },
        signal: AbortSignal.any([
          AbortSignal.timeout(config.timeoutMs ?? 10_000),
          ...(signal ? [signal] : []),
        ]),
      })
    } catch (error) {
      if (signal?.aborted || attempt >= maxAttempts) {
        throw new VoucherifyApiError(
          `Could not reach Voucherify at ${url.origin}: ${(error as Error).message}`,
        )
      }
      await sleep(1_000 * 2 ** (attempt - 1), signal)
      continue
    }
    if (response.ok) return readJson(response)
    const waitMs = retryWaitMs(response, attempt - 1)
    const fits = waitMs <= (config.maxRetryWaitMs ?? MAX_RETRY_WAIT_MS)
    if (RETRIED_STATUSES.has(response.status) && attempt < maxAttempts && fits) {
      await response.body?.cancel()
      // Every later request waits too: Voucherify blocks the whole project, not one call.
      config.pacer?.holdFor(waitMs)
      await sleep(waitMs, signal)
      continue
    }
    const described = describeError(response.status, await readJson(response))
    if (response.status === 429) {
      throw new RateLimitedError(explain(response.status, described, url), waitMs)
    }
    if (url.searchParams.has('starting_after_id') && CURSOR_REFUSED_STATUSES.has(response.status)) {
      throw new CursorRefusedError(cursorRefused(described), response.status)
    }
    throw new VoucherifyApiError(explain(response.status, described, url), response.status)
  }
}

function cursorRefused(described: string): string {
  return (
    `Voucherify refused the listing's cursor (starting_after_id), unknown or expired ` +
    `(${described}): the listing has to start again from its beginning`
  )
}

function explain(status: number, described: string, url: URL): string {
  const { origin } = url
  const resource = url.pathname.startsWith('/v1/campaigns') ? 'campaign' : 'voucher'
  if (status === 401 || status === 403) {
    return (
      `Voucherify refused the API keys (${described}). Check VOUCHERIFY_APP_ID and ` +
      'VOUCHERIFY_SECRET_KEY (or the SSM parameters holding them), and that ' +
      `${origin} is your project's region (--voucherify-region eu1, us1 or as1, or --api-url)`
    )
  }
  if (status === 404) return `Voucherify knows no such ${resource} (${described})`
  if (status === 429)
    return `Voucherify's rate limit holds requests back for longer than this run waits (${described})`
  return `Voucherify could not list the transactions (${described})`
}
