import type { ParseArgsOptionsConfig } from 'node:util'
import { MAX_PAGE_SIZE } from '../../lib/voucherify/voucherify-api'
import { type CommandLine, flag, parseInstant, text, UsageError } from '../cli/command'
import {
  readVoucherifyAccess,
  VOUCHERIFY_OPTIONS,
  VOUCHERIFY_USAGE,
  type VoucherifyAccess,
} from '../cli/voucherify-access'

export const USAGE = `--voucher <code|id> [options]

Lists a gift card's transactions in Voucherify (GET /v1/vouchers/{code}/transactions), compares
them with the ledger by transaction id, and takes each missing one in through the receiver's own
pipeline: validated, stored once, published once, marked origin=reconcile.

  --voucher CODE|ID         the gift card (required)
  --since ISO               only transactions created at or after it (2026-01-01, …T12:00:00Z)
  --dry-run                 compare and list what is missing; store and publish nothing
  --page-size N             transactions per request, 1 to ${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE})
${VOUCHERIFY_USAGE}`

/** The command's options as parseArgs reads them. */
export const RECONCILE_OPTIONS = {
  voucher: { type: 'string' },
  since: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'page-size': { type: 'string' },
  ...VOUCHERIFY_OPTIONS,
} as const satisfies ParseArgsOptionsConfig

export interface ReconcileOptions extends VoucherifyAccess {
  voucher: string
  since?: string
  dryRun: boolean
  pageSize: number
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
export function readReconcileOptions(
  values: CommandLine['values'],
  env: NodeJS.ProcessEnv = {},
): ReconcileOptions {
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
    pageSize: pageSizeOf(text(values, 'page-size')),
    ...readVoucherifyAccess(values, env),
  }
}
