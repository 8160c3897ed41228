import { API_TRANSACTION_EVENT_TYPE } from '../../lib/voucherify/transaction-payload'
import { listVoucherTransactions } from '../../lib/voucherify/voucherify-api'
import { defineCommand, EXIT } from '../cli/command'
import { receiverDeps } from '../cli/receiver-deps'
import { connectVoucherify } from '../cli/voucherify-access'
import { storedTransactions } from './ledger-transactions'
import { RECONCILE_OPTIONS, type ReconcileOptions, readReconcileOptions, USAGE } from './options'
import { type ReconcileSummary, reconcileVoucher } from './reconcile-voucher'

const padded = (text: string) => text.padEnd(15)

/** One line per missing transaction, then the totals: ids, types and times only. */
export function formatSummary(summary: ReconcileSummary, dryRun: boolean): string[] {
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
  async run(options: ReconcileOptions, { target, clients, io, signal }) {
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
          storedTransactions(
            clients.dynamodb,
            { tableName: target.tableName, voucherId, eventType: API_TRANSACTION_EVENT_TYPE },
            readSignal,
          ),
        receiver,
      },
      { voucher: options.voucher, since: options.since, dryRun: options.dryRun, signal },
    )
    for (const line of formatSummary(summary, options.dryRun)) io.stdout(line)
    return summary.failed === 0 ? EXIT.done : EXIT.failed
  },
})
