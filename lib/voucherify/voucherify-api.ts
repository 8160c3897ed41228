import * as v from 'valibot'
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
  sleep?: (ms: number) => Promise<void>
}

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

/** Voucherify's error object (OpenAPI `Error`): code and message, often key and request_id. */
const ErrorSchema = v.object({
  code: v.optional(v.number()),
  key: v.optional(v.string()),
  message: v.optional(v.string()),
  request_id: v.optional(v.string()),
})

/** `VouchersTransactionsListResponseBody`; each transaction is checked when it is taken in. */
const PageSchema = v.object({
  object: v.literal('list'),
  data_ref: v.literal('data'),
  data: v.array(v.looseObject({ id: v.pipe(v.string(), v.nonEmpty()) })),
  has_more: v.boolean(),
  more_starting_after: v.optional(v.string()),
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

function retryWaitMs(response: Response, attempt: number): number {
  const seconds = Number(response.headers.get('retry-after'))
  const wait = Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : 1_000 * 2 ** attempt
  return Math.min(wait, MAX_RETRY_WAIT_MS)
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
 * page by page as the API defines it: `limit`, then `starting_after_id` = the previous page's
 * `more_starting_after` while `has_more`. Yields the transactions exactly as Voucherify sent them.
 */
export async function* listVoucherTransactions(
  config: VoucherifyApiConfig,
  voucher: string,
  signal?: AbortSignal,
): AsyncGenerator<ApiTransaction[]> {
  const pageSize = config.pageSize ?? MAX_PAGE_SIZE
  const seen = new Set<string>()
  let cursor: string | undefined
  for (;;) {
    const url = new URL(
      `/v1/vouchers/${encodeURIComponent(voucher)}/transactions`,
      config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`,
    )
    url.searchParams.set('limit', String(pageSize))
    if (cursor !== undefined) url.searchParams.set('starting_after_id', cursor)
    const body = await getJson(config, url, signal)
    const page = v.safeParse(PageSchema, body)
    if (!page.success) {
      const paths = page.issues.map((issue) => v.getDotPath(issue) ?? '(root)').join(', ')
      throw new VoucherifyApiError(
        `Voucherify answered a transactions page this tool does not understand (at ${paths})`,
      )
    }
    // The objects as sent: Valibot's output keeps only the fields it checked.
    yield (body as { data: ApiTransaction[] }).data
    const { has_more: hasMore, more_starting_after: next } = page.output
    if (!hasMore) return
    if (next === undefined || seen.has(next)) {
      throw new VoucherifyApiError(
        'Voucherify said there are more transactions but gave no new cursor to read them with',
      )
    }
    seen.add(next)
    cursor = next
  }
}

async function getJson(config: VoucherifyApiConfig, url: URL, signal?: AbortSignal) {
  const maxAttempts = config.maxAttempts ?? 3
  const sleep = config.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  for (let attempt = 1; ; attempt++) {
    let response: Response
    try {
      response = await fetch(url, {
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
      await sleep(1_000 * 2 ** (attempt - 1))
      continue
    }
    if (response.ok) return readJson(response)
    if (RETRIED_STATUSES.has(response.status) && attempt < maxAttempts) {
      await response.body?.cancel()
      await sleep(retryWaitMs(response, attempt - 1))
      continue
    }
    const described = describeError(response.status, await readJson(response))
    throw new VoucherifyApiError(explain(response.status, described, url.origin), response.status)
  }
}

function explain(status: number, described: string, origin: string): string {
  if (status === 401 || status === 403) {
    return (
      `Voucherify refused the API keys (${described}). Check VOUCHERIFY_APP_ID and ` +
      'VOUCHERIFY_SECRET_KEY (or the SSM parameters holding them), and that ' +
      `${origin} is your project's region (--voucherify-region eu1, us1 or as1, or --api-url)`
    )
  }
  if (status === 404) return `Voucherify knows no such voucher (${described})`
  return `Voucherify could not list the transactions (${described})`
}
