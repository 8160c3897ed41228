import { requestPacer } from '../../lib/voucherify/request-pacer'
import { defineCommand, EXIT } from '../cli/command'
import { receiverDeps } from '../cli/receiver-deps'
import { REPLAY_OPTIONS, type ReplayOptions, readReplayOptions, USAGE } from './options'
import { createProgress, formatCounts } from './progress'
import { reingestStored } from './reingest'
import { replayStoredEvents } from './replay-events'
import { realReplayTable } from './replay-table'
import { fileCheckpoint, type ReplayMode, type RunDeps, type RunResult } from './run-pages'

function errorText(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  const { cause } = error as { cause?: unknown }
  return cause instanceof Error ? `${message} (${cause.name}: ${cause.message})` : message
}

/** How the progress and summary lines name a run. */
const RUN_NAMES: Record<ReplayMode, string> = {
  replay: 'replay',
  quarantined: 'reprocess quarantined',
  unpublished: 'publish unpublished',
}

/** `npm run replay`: re-publishes stored events, or takes stored payloads in again. */
export const replayCommand = defineCommand({
  name: 'replay',
  summary: 'publish stored events again, or take quarantined or unpublished ones in',
  usage: USAGE,
  options: REPLAY_OPTIONS,
  usesStage: true,
  read: ({ values }) => readReplayOptions(values),
  async run(options: ReplayOptions, context) {
    const { target, clients, io } = context
    if (!target || !clients) throw new Error('replay needs a stage')
    const what = `${RUN_NAMES[options.mode]}${options.dryRun ? ' (dry run)' : ''}`
    const where = `stage ${target.stage}, region ${target.region}, table ${target.tableName}`
    const table = realReplayTable(clients.dynamodb, { tableName: target.tableName })
    // A bar for scans only: a voucher's events are a small part of the table.
    const total =
      io.stderr.isTTY && options.voucherId === undefined
        ? await table.approximateItemCount()
        : undefined
    const progress = createProgress({ stream: io.stderr, total })
    if (io.stderr.isTTY)
      progress.note(`${what}: ${where}, topics ${target.topicArnPrefix}*${target.topicNameSuffix}`)
    const { mode } = options
    let result: RunResult
    try {
      const deps: RunDeps = {
        table,
        receiver: receiverDeps(clients, target),
        // --rate is per second; the pacer counts per minute.
        pacer: requestPacer(options.rate * 60),
        checkpoint:
          options.checkpoint === undefined ? undefined : fileCheckpoint(options.checkpoint),
        progress,
        list: io.stdout,
        signal: context.signal,
      }
      result =
        mode === 'replay'
          ? await replayStoredEvents(deps, options)
          : await reingestStored(deps, { ...options, mode })
    } catch (error) {
      const resume = options.checkpoint
        ? `; carry on with --resume --checkpoint ${options.checkpoint}`
        : ''
      progress.finish(`${what} failed (${where}): ${errorText(error)}${resume}`)
      return EXIT.failed
    }
    const counts = formatCounts(result.counts)
    switch (result.status) {
      case 'complete':
        progress.finish(`${what} complete (${where}): ${counts}`)
        return EXIT.done
      case 'already_complete':
        progress.finish(`${what}: the checkpoint says this run completed (${where}): ${counts}`)
        return EXIT.done
      case 'interrupted': {
        const resume = options.checkpoint
          ? `carry on with --resume --checkpoint ${options.checkpoint}`
          : 'without --checkpoint, a new run starts from the beginning'
        progress.finish(`${what} interrupted (${where}): ${counts}; ${resume}`)
        return EXIT.interrupted
      }
    }
  },
})
