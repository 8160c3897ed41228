import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { API_TRANSACTION_EVENT_TYPE } from '../../lib/voucherify/transaction-payload'
import { listVoucherTransactions, MAX_PAGE_SIZE } from '../../lib/voucherify/voucherify-api'
import {
  type CommandLine,
  defineCommand,
  EXIT,
  flag,
  instantOption,
  text,
  UsageError,
} from '../cli/command'
import { receiverDeps } from '../cli/receiver-deps'
import {
  connectVoucherify,
  readVoucherifyAccess,
  VOUCHERIFY_OPTIONS,
  VOUCHERIFY_USAGE,
} from '../cli/voucherify-access'
import { readCardItems } from '../ledger/card-ledger'
import { type ReconcileSummary, reconcileVoucher } from './reconcile-voucher'

const USAGE = `--voucher <code|id> [options]

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
} as const

function pageSizeOf(text: string | undefined): number {
  if (text === undefined) return MAX_PAGE_SIZE
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new UsageError(`--page-size must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  }
  return value
}

/** Checks what was read; throws UsageError saying what is wrong. */
export function readReconcileOptions(values: CommandLine['values'], env: NodeJS.ProcessEnv = {}) {
  const voucher = text(values, 'voucher')
  if (!voucher) throw new UsageError('--voucher <code|id> is required')
  const since = instantOption(values, 'since')
  return {
    voucher,
    ...(since === undefined ? {} : { since }),
    dryRun: flag(values, 'dry-run'),
    pageSize: pageSizeOf(text(values, 'page-size')),
    ...readVoucherifyAccess(values, env),
  }
}

/**
 * The transactions the ledger holds for one voucher under API_TRANSACTION_EVENT_TYPE, each with
 * its item's status (`published`, or `claimed` while or after its delivery failed to publish),
 * read through the voucher-ledger index as `npm run ledger` reads them.
 */
async function storedTransactions(
  client: DynamoDBClient,
  tableName: string,
  voucherId: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const documents = DynamoDBDocumentClient.from(client)
  const items = await readCardItems(documents, tableName, voucherId, signal)
  return new Map(
    items
      .filter((item) => item.event_type === API_TRANSACTION_EVENT_TYPE)
      .map((item) => [String(item.transaction_id), String(item.status)]),
  )
}

const padded = (text: string) => text.padEnd(15)

/** One line per missing transaction, then the totals: ids, types and times only. */
function formatSummary(summary: ReconcileSummary, dryRun: boolean): string[] {
  const lines = summary.transactions.map(({ outcome, transactionId, type, createdAt, reason }) =>
    [`  ${padded(outcome)}`, transactionId, type, createdAt, reason ? `(${reason})` : '']
      .filter(Boolean)
      .join(' '),
  )
  const counts = [
    `listed ${summary.listed}`,
    ...(summary.beforeSince > 0 ? [`before --since ${summary.beforeSince}`] : []),
    ...(summary.skipped > 0 ? [`not gift card transactions ${summary.skipped}`] : []),
    `found ${summary.found}`,
    ...(summary.unpublished > 0 ? [`unpublished ${summary.unpublished}`] : []),
    `missing ${summary.missing}`,
    dryRun ? 'ingested 0 (dry run)' : `ingested ${summary.ingested}`,
    ...(summary.alreadyStored > 0 ? [`stored meanwhile ${summary.alreadyStored}`] : []),
    `failed ${summary.failed}`,
  ]
  const vouchers = summary.voucherIds.join(', ') || '(no gift card transactions)'
  return [...lines, `reconcile ${vouchers}: ${counts.join(', ')}`]
}

/** `npm run reconcile`: takes in the transactions of one card that the ledger lacks. */
export const reconcileCommand = defineCommand({
  name: 'reconcile',
  summary: "take in one gift card's transactions Voucherify has and the ledger lacks",
  usage: USAGE,
  options: RECONCILE_OPTIONS,
  usesStage: true,
  read: ({ values, env }) => readReconcileOptions(values, env),
  async run(options, { target, clients, io, signal }) {
    if (!target || !clients) throw new Error('reconcile needs a stage')
    const voucherify = await connectVoucherify(options, target, clients, io.env)
    const receiver = receiverDeps(clients, target)
    io.stderr.write(
      `reconcile: stage ${target.stage} (${target.region}), table ${target.tableName}, topics ` +
        `${target.topicArnPrefix}*${target.topicNameSuffix}; Voucherify ${voucherify.baseUrl} ` +
        `(API keys from ${voucherify.from === 'ssm' ? 'SSM' : 'the environment'})\n`,
    )
    const api = { ...voucherify, pageSize: options.pageSize }
    const summary = await reconcileVoucher(
      {
        listTransactions: (voucher, listSignal) =>
          listVoucherTransactions(api, voucher, listSignal),
        storedTransactions: (voucherId, readSignal) =>
          storedTransactions(clients.dynamodb, target.tableName, voucherId, readSignal),
        receiver,
      },
      { voucher: options.voucher, since: options.since, dryRun: options.dryRun, signal },
    )
    for (const line of formatSummary(summary, options.dryRun)) io.stdout(line)
    return summary.failed === 0 ? EXIT.done : EXIT.failed
  },
})
