import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { realEventPublisher } from '../../lib/event-publisher'
import { createLocalClients, destroyLocalClients } from '../local/create-local-clients'
import { loadServerlessResources } from '../local/serverless-resources'
import { fileCheckpoint } from './checkpoint'
import { parseReplayArgs, type ReplayMode, type ReplayOptions, USAGE, UsageError } from './options'
import { createPacer } from './pacer'
import { createProgress, formatCounts, type ProgressStream } from './progress'
import { publishUnpublished } from './publish-unpublished'
import { receiverDeps } from './receiver-deps'
import { replayStoredEvents } from './replay-events'
import { type ReplayTable, realReplayTable } from './replay-table'
import { reprocessQuarantined } from './reprocess-quarantined'
import type { RunResult } from './run-pages'
import { partitionOfArn, type ReplayTarget, resolveTarget, type TargetLookups } from './target'

export interface CliIo {
  env: NodeJS.ProcessEnv
  /** The dry run's list. */
  stdout: (line: string) => void
  /** Progress, notes and the summary. */
  stderr: ProgressStream
  /** Stops the run before its next item (Ctrl-C). */
  signal?: AbortSignal
  lookups?: TargetLookups
}

/** Deployed stages: retried generously, as a long run meets throttling now and then. */
const AWS_CLIENT_SETTINGS = { maxAttempts: 6 }

export const realTargetLookups: TargetLookups = {
  serverlessResources: loadServerlessResources,
  async defaultRegion() {
    const client = new DynamoDBClient({})
    try {
      return await client.config.region()
    } catch {
      return undefined
    } finally {
      client.destroy()
    }
  },
  async callerIdentity(region) {
    const client = new STSClient({ region })
    try {
      const { Account, Arn } = await client.send(new GetCallerIdentityCommand({}))
      if (!Account) throw new Error('STS GetCallerIdentity returned no account')
      return { account: Account, partition: partitionOfArn(Arn) }
    } finally {
      client.destroy()
    }
  },
}

function clientsFor(target: ReplayTarget) {
  if (target.endpoints) {
    const local = createLocalClients({
      region: target.region,
      dynamodb: target.endpoints.dynamodb,
      sns: target.endpoints.sns,
      sqs: target.endpoints.sns,
    })
    return { dynamodb: local.dynamodb, sns: local.sns, destroy: () => destroyLocalClients(local) }
  }
  const dynamodb = new DynamoDBClient({ region: target.region, ...AWS_CLIENT_SETTINGS })
  const sns = new SNSClient({ region: target.region, ...AWS_CLIENT_SETTINGS })
  return {
    dynamodb,
    sns,
    destroy: () => {
      dynamodb.destroy()
      sns.destroy()
    },
  }
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  const { cause } = error as { cause?: unknown }
  return cause instanceof Error ? `${message} (${cause.name}: ${cause.message})` : message
}

function run(
  options: ReplayOptions,
  target: ReplayTarget,
  io: CliIo,
  clients: ReturnType<typeof clientsFor>,
  table: ReplayTable,
  progress: ReturnType<typeof createProgress>,
): Promise<RunResult> {
  const common = {
    table,
    checkpoint: options.checkpoint === undefined ? undefined : fileCheckpoint(options.checkpoint),
    progress,
    clock: () => new Date(),
    signal: io.signal,
    pacer: createPacer(options.rate),
    list: io.stdout,
  }
  const request = { dryRun: options.dryRun, resume: options.resume, pageSize: options.pageSize }
  const timeRange = { since: options.since, until: options.until }
  if (options.mode !== 'replay') {
    const reingest = options.mode === 'quarantined' ? reprocessQuarantined : publishUnpublished
    return reingest(
      { ...common, ingest: receiverDeps(clients, target) },
      { ...request, selection: { eventType: options.eventType, ...timeRange } },
    )
  }
  return replayStoredEvents(
    {
      ...common,
      publisher: realEventPublisher(clients.sns, {
        topicArnPrefix: target.topicArnPrefix,
        topicNameSuffix: target.topicNameSuffix,
      }),
    },
    {
      ...request,
      selection: { voucherId: options.voucherId, eventType: options.eventType, ...timeRange },
    },
  )
}

/** How the progress and summary lines name a run. */
const RUN_NAMES: Record<ReplayMode, string> = {
  replay: 'replay',
  quarantined: 'reprocess quarantined',
  unpublished: 'publish unpublished',
}

/** `npm run replay`: returns the exit code (0 done, 1 failed, 2 usage, 130 interrupted). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let options: ReplayOptions | undefined
  try {
    options = parseReplayArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`${error.message}\n\n${USAGE}\n`)
    return 2
  }
  if (options === undefined) {
    io.stdout(USAGE)
    return 0
  }

  const target = await resolveTarget(options, io.env, io.lookups ?? realTargetLookups)
  const what = `${RUN_NAMES[options.mode]}${options.dryRun ? ' (dry run)' : ''}`
  const where = `stage ${target.stage}, region ${target.region}, table ${target.tableName}`
  const clients = clientsFor(target)
  try {
    const table = realReplayTable(clients.dynamodb, { tableName: target.tableName })
    // A bar for scans only: a voucher's events are a small part of the table.
    const total =
      io.stderr.isTTY && options.voucherId === undefined
        ? await table.approximateItemCount()
        : undefined
    const progress = createProgress({ stream: io.stderr, total })
    if (io.stderr.isTTY)
      progress.note(`${what}: ${where}, topics ${target.topicArnPrefix}*${target.topicNameSuffix}`)
    let result: RunResult
    try {
      result = await run(options, target, io, clients, table, progress)
    } catch (error) {
      const resume = options.checkpoint
        ? `; carry on with --resume --checkpoint ${options.checkpoint}`
        : ''
      progress.finish(`${what} failed (${where}): ${errorText(error)}${resume}`)
      return 1
    }
    const counts = formatCounts(result.counts)
    switch (result.status) {
      case 'complete':
        progress.finish(`${what} complete (${where}): ${counts}`)
        return 0
      case 'already_complete':
        progress.finish(`${what}: the checkpoint says this run completed (${where}): ${counts}`)
        return 0
      case 'interrupted': {
        const resume = options.checkpoint
          ? `carry on with --resume --checkpoint ${options.checkpoint}`
          : 'without --checkpoint, a new run starts from the beginning'
        progress.finish(`${what} interrupted (${where}): ${counts}; ${resume}`)
        return 130
      }
    }
  } finally {
    clients.destroy()
  }
}
