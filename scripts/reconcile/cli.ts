import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { SSMClient } from '@aws-sdk/client-ssm'
import { readConfig } from '../../lib/config'
import { buildDeps } from '../../lib/deps'
import { resolveApiKeys, ssmParameterReader } from './api-keys'
import { storedTransactions } from './ledger-transactions'
import { parseReconcileArgs, type ReconcileOptions, USAGE, UsageError } from './options'
import { type ReconcileSummary, reconcileVoucher } from './reconcile-voucher'
import { findTopicArnPrefix, type ReconcileTarget, reconcileTarget, TargetError } from './target'
import { RECONCILE_EVENT_TYPE } from './transaction-payload'
import { listVoucherTransactions } from './voucherify-api'

export interface CliIo {
  env: NodeJS.ProcessEnv
  /** The missing transactions and the summary. */
  stdout: (line: string) => void
  /** Where it runs, and errors. */
  stderr: (line: string) => void
  /** Stops before the next transaction (Ctrl-C). */
  signal?: AbortSignal
}

/** The emulators accept any credentials; fixed ones keep a developer's real AWS keys out of it. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' }

function awsClients(target: ReconcileTarget) {
  const local = target.endpoints
    ? { credentials: LOCAL_CREDENTIALS, region: target.region }
    : { region: target.region, maxAttempts: 6 }
  const dynamodb = new DynamoDBClient({ ...local, endpoint: target.endpoints?.dynamodb })
  const sns = new SNSClient({ ...local, endpoint: target.endpoints?.sns })
  const ssm = target.endpoints ? undefined : new SSMClient(local)
  return {
    dynamodb,
    sns,
    ssm,
    destroy() {
      dynamodb.destroy()
      sns.destroy()
      ssm?.destroy()
    },
  }
}

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

async function run(options: ReconcileOptions, io: CliIo): Promise<number> {
  const target = reconcileTarget(options, io.env)
  const clients = awsClients(target)
  try {
    const keys = await resolveApiKeys(
      io.env,
      {
        stage: target.stage,
        appIdParameter: options.appIdParameter,
        secretKeyParameter: options.secretKeyParameter,
      },
      clients.ssm ? ssmParameterReader(clients.ssm) : undefined,
    )
    const topicArnPrefix = await findTopicArnPrefix(clients.sns, target).catch((error: Error) => {
      if (error instanceof TargetError || !target.endpoints) throw error
      throw new TargetError(
        `Could not reach the local stack at ${target.endpoints.sns} (is npm start running?): ` +
          error.message,
      )
    })
    const receiver = buildDeps(
      readConfig({
        TABLE_NAME: target.tableName,
        TOPIC_ARN_PREFIX: topicArnPrefix,
        TOPIC_NAME_SUFFIX: target.topicNameSuffix,
      }),
      { dynamodb: clients.dynamodb, sns: clients.sns },
    )
    io.stderr(
      `reconcile: stage ${target.stage} (${target.region}), table ${target.tableName}, topics ` +
        `${topicArnPrefix}*${target.topicNameSuffix}; Voucherify ${options.apiUrl} ` +
        `(API keys from ${keys.from === 'ssm' ? 'SSM' : 'the environment'})`,
    )
    const api = { baseUrl: options.apiUrl, ...keys, pageSize: options.pageSize }
    const summary = await reconcileVoucher(
      {
        listTransactions: (voucher, signal) => listVoucherTransactions(api, voucher, signal),
        storedTransactions: (voucherId, signal) =>
          storedTransactions(
            clients.dynamodb,
            { tableName: target.tableName, voucherId, eventType: RECONCILE_EVENT_TYPE },
            signal,
          ),
        receiver,
      },
      { voucher: options.voucher, since: options.since, dryRun: options.dryRun, signal: io.signal },
    )
    for (const line of formatSummary(summary, options.dryRun)) io.stdout(line)
    return summary.failed === 0 ? 0 : 1
  } finally {
    clients.destroy()
  }
}

/** `npm run reconcile`: the exit code (0 nothing failed, 1 failed, 2 usage, 130 interrupted). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let options: ReconcileOptions | undefined
  try {
    options = parseReconcileArgs(argv, io.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr(`${error.message}\n\n${USAGE}`)
    return 2
  }
  if (options === undefined) {
    io.stdout(USAGE)
    return 0
  }
  try {
    return await run(options, io)
  } catch (error) {
    if (io.signal?.aborted) {
      io.stderr('npm run reconcile: interrupted; what was taken in stays, run again for the rest')
      return 130
    }
    const { name, message } = error as Error
    // Expected failures say what to do; anything else is named for a bug report.
    const expected = ['VoucherifyApiError', 'ApiKeyError', 'TargetError'].includes(name)
    io.stderr(`npm run reconcile: ${expected ? message : `${name}: ${message}`}`)
    return 1
  }
}
