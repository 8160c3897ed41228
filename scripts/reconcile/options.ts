import { parseArgs } from 'node:util'
import { LOCAL_STAGE } from '../deployed-stage'
import { localParams } from '../local/local-params'
import { parseInstant } from '../replay/time-range'
import { defaultParameterNames } from './api-keys'
import { MAX_PAGE_SIZE, VOUCHERIFY_API_URLS, type VoucherifyRegion } from './voucherify-api'

const names = defaultParameterNames('<stage>')

export const USAGE = `Usage: npm run reconcile -- --voucher <code|id> [options]

Lists a gift card's transactions in Voucherify (GET /v1/vouchers/{code}/transactions), compares
them with the ledger by transaction id, and takes each missing one in through the receiver's own
pipeline: validated, stored once, published once, marked origin=reconcile.

  --voucher CODE|ID         the gift card (required)
  --since ISO               only transactions created at or after it (2026-01-01, …T12:00:00Z)
  --dry-run                 compare and list what is missing; store and publish nothing
  --voucherify-region R     eu1 (default), us1 or as1: your Voucherify project's region
  --api-url URL             the API at another address (overrides --voucherify-region)
  --page-size N             transactions per request, 1 to ${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE})
  --stage STAGE             default local (the emulators of npm start); a deployed stage uses
                            the standard AWS credentials
  --region R                AWS region (default AWS_REGION, else eu-central-1)
  --table NAME              default voucherify-gift-webhooks-<stage>-transactions
  --fifo                    the stage's event topics are FIFO (--param fifoTopics=true; for the
                            local stage FIFO_TOPICS=true says the same)
  --app-id-parameter P      SSM parameter with the Application ID (default ${names.appIdParameter})
  --secret-key-parameter P  SSM parameter with the Secret Key (default ${names.secretKeyParameter})

API keys: VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY when set, else the two SSM parameters
(deployed stages only). Exit code: 0 nothing failed, 1 something failed, 2 usage.`

export class UsageError extends Error {}

export interface ReconcileOptions {
  voucher: string
  since?: string
  dryRun: boolean
  apiUrl: string
  pageSize: number
  stage: string
  region?: string
  table?: string
  fifoTopics: boolean
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

/** Reads the command line; throws UsageError saying what is wrong; undefined asks for the usage. */
export function parseReconcileArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ReconcileOptions | undefined {
  let values: ReturnType<typeof parse>['values']
  try {
    ;({ values } = parse(argv))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help) return undefined
  if (!values.voucher) throw new UsageError('--voucher <code|id> is required')
  const since = values.since === undefined ? undefined : parseInstant(values.since)
  if (values.since !== undefined && since === undefined) {
    throw new UsageError(
      `--since must be an ISO 8601 date, or a date and time with Z or an offset, got "${values.since}"`,
    )
  }
  const stage = values.stage ?? LOCAL_STAGE
  let fifoFromEnv = false
  try {
    fifoFromEnv = stage === LOCAL_STAGE && localParams(env).fifoTopics === 'true'
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  return {
    voucher: values.voucher,
    ...(since === undefined ? {} : { since }),
    dryRun: values['dry-run'] ?? false,
    apiUrl: apiUrlOf(values['voucherify-region'], values['api-url']),
    pageSize: pageSizeOf(values['page-size']),
    stage,
    region: values.region,
    table: values.table,
    fifoTopics: (values.fifo ?? false) || fifoFromEnv,
    appIdParameter: values['app-id-parameter'],
    secretKeyParameter: values['secret-key-parameter'],
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      voucher: { type: 'string' },
      since: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'voucherify-region': { type: 'string' },
      'api-url': { type: 'string' },
      'page-size': { type: 'string' },
      stage: { type: 'string' },
      region: { type: 'string' },
      table: { type: 'string' },
      fifo: { type: 'boolean' },
      'app-id-parameter': { type: 'string' },
      'secret-key-parameter': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
