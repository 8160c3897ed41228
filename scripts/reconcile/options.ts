import type { ParseArgsOptionsConfig } from 'node:util'
import { type CommandLine, flag, text, UsageError } from '../cli/command'
import { parseInstant } from '../replay/time-range'
import { defaultParameterNames } from './api-keys'
import { MAX_PAGE_SIZE, VOUCHERIFY_API_URLS, type VoucherifyRegion } from './voucherify-api'

const names = defaultParameterNames('<stage>')

export const USAGE = `--voucher <code|id> [options]

Lists a gift card's transactions in Voucherify (GET /v1/vouchers/{code}/transactions), compares
them with the ledger by transaction id, and takes each missing one in through the receiver's own
pipeline: validated, stored once, published once, marked origin=reconcile.

  --voucher CODE|ID         the gift card (required)
  --since ISO               only transactions created at or after it (2026-01-01, …T12:00:00Z)
  --dry-run                 compare and list what is missing; store and publish nothing
  --voucherify-region R     eu1 (default), us1 or as1: your Voucherify project's region
  --api-url URL             the API at another address (overrides --voucherify-region)
  --page-size N             transactions per request, 1 to ${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE})
  --app-id-parameter P      SSM parameter with the Application ID (default ${names.appIdParameter})
  --secret-key-parameter P  SSM parameter with the Secret Key (default ${names.secretKeyParameter})

API keys: VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY when set, else the two SSM parameters
(deployed stages only).`

/** The command's options as parseArgs reads them. */
export const RECONCILE_OPTIONS = {
  voucher: { type: 'string' },
  since: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'voucherify-region': { type: 'string' },
  'api-url': { type: 'string' },
  'page-size': { type: 'string' },
  'app-id-parameter': { type: 'string' },
  'secret-key-parameter': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig

export interface ReconcileOptions {
  voucher: string
  since?: string
  dryRun: boolean
  apiUrl: string
  pageSize: number
  appIdParameter?: string
  secretKeyParameter?: string
}

function apiUrlOf(region: string | undefined, apiUrl: string | undefined): string {
  if (apiUrl !== undefined) {
    let url: URL
    try {
      url = new URL(apiUrl)
    } catch {
      throw new UsageError(`--api-url must be a URL, got "${apiUrl}"`)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UsageError(`--api-url must be an http(s) URL, got "${apiUrl}"`)
    }
    return url.origin
  }
  const key = (region ?? 'eu1') as VoucherifyRegion
  if (!Object.hasOwn(VOUCHERIFY_API_URLS, key)) {
    throw new UsageError(`--voucherify-region must be eu1, us1 or as1, got "${region}"`)
  }
  return VOUCHERIFY_API_URLS[key]
}

function pageSizeOf(text: string | undefined): number {
  if (text === undefined) return MAX_PAGE_SIZE
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new UsageError(`--page-size must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  }
  return value
}

/** Checks what was read; throws UsageError saying what is wrong. */
export function readReconcileOptions(values: CommandLine['values']): ReconcileOptions {
  const voucher = text(values, 'voucher')
  if (!voucher) throw new UsageError('--voucher <code|id> is required')
  const sinceText = text(values, 'since')
  const since = sinceText === undefined ? undefined : parseInstant(sinceText)
  if (sinceText !== undefined && since === undefined) {
    throw new UsageError(
      `--since must be an ISO 8601 date, or a date and time with Z or an offset, got "${sinceText}"`,
    )
  }
  return {
    voucher,
    ...(since === undefined ? {} : { since }),
    dryRun: flag(values, 'dry-run'),
    apiUrl: apiUrlOf(text(values, 'voucherify-region'), text(values, 'api-url')),
    pageSize: pageSizeOf(text(values, 'page-size')),
    appIdParameter: text(values, 'app-id-parameter'),
    secretKeyParameter: text(values, 'secret-key-parameter'),
  }
}
