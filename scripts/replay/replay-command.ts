import { isSupportedEventType, supportedEventTypes } from '../../lib/schemas/registry'
import { requestPacer } from '../../lib/voucherify/request-pacer'
import {
  type CommandLine,
  defineCommand,
  flag,
  instantOption,
  text,
  UsageError,
} from '../cli/command'
import { createProgress, formatCounts } from '../cli/progress'
import { receiverDeps } from '../cli/receiver-deps'
import { reingestStored } from './reingest'
import { replayStoredEvents } from './replay-events'
import { PAYLOAD_GONE, realReplayTable } from './replay-table'
import {
  fileCheckpoint,
  finishRun,
  type ReplayMode,
  type RunDeps,
  type RunRequest,
} from './run-pages'

const DEFAULT_RATE = 25
const DEFAULT_PAGE_SIZE = 100

const USAGE = `[selection] [options]

Re-publishes stored events to their topics with the attribute replay=true (only published ones):
  --voucher ID          one gift card's events, through the voucher-ledger index
  --event-type TYPE     one of: ${supportedEventTypes.join(', ')}
  --since ISO           created_at at or after (2026-01-01, 2026-01-01T12:00:00Z, …+02:00)
  --until ISO           created_at before
  --all                 every published event (needed when no other selection is given)
  --from-ledger         publish a transaction whose payload has expired or was erased from its
                        ledger record: ids, amounts and balances only, marked data_source=ledger
                        (without it such a transaction is reported and skipped)
Each message is built again from the transaction's stored payload, without the customer's
personal data: replay does not read the deployed function's PUBLISH_PERSONAL_DATA and keeps
its default (off).
or takes quarantined payloads through the receiver again, after a schema fix:
  --quarantined         valid now: stored, published and marked resolved; else left quarantined
                        (--event-type, --since and --until apply, to received_at)
or publishes events stored but never published (their publish failed on every retry):
  --unpublished         items still claimed go through the receiver again: published once and
                        marked published; one with a live lease (a delivery under way) is left alone
                        (--event-type, --since and --until apply, to received_at)

Options:
  --dry-run             list what would be published (ids and counts); publish and write nothing
  --rate N              at most N messages per second (default ${DEFAULT_RATE})
  --checkpoint FILE     record progress in FILE after every page
  --resume              carry on from --checkpoint FILE where the last run stopped
  --page-size N         items read per page and per checkpoint (default ${DEFAULT_PAGE_SIZE})`

interface ReplayOptions extends RunRequest {
  /** Publishes per second, at most. */
  rate: number
  checkpoint?: string
}

function positive(flag: string, text: string, integer: boolean): number {
  const value = Number(text)
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `${flag} must be a ${integer ? 'whole number' : 'number'} above 0, got "${text}"`,
    )
  }
  return value
}

/** Checks what was read; throws UsageError with what is wrong. */
function readReplayOptions(values: CommandLine['values']): ReplayOptions {
  const voucher = text(values, 'voucher')
  const eventType = text(values, 'event-type')
  if (eventType !== undefined && !isSupportedEventType(eventType)) {
    throw new UsageError(`Unknown --event-type ${eventType}`)
  }
  const since = instantOption(values, 'since')
  const until = instantOption(values, 'until')
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError('--since must be before --until')
  }
  const quarantined = flag(values, 'quarantined')
  const unpublished = flag(values, 'unpublished')
  if (quarantined && unpublished) {
    throw new UsageError('--quarantined and --unpublished are separate runs: pass one')
  }
  const mode = quarantined ? 'quarantined' : unpublished ? 'unpublished' : 'replay'
  const all = flag(values, 'all')
  const fromLedger = flag(values, 'from-ledger')
  if (mode !== 'replay' && fromLedger) {
    throw new UsageError(`--from-ledger republishes stored events: not with --${mode}`)
  }
  if (mode !== 'replay' && (voucher !== undefined || all)) {
    throw new UsageError(`--${mode} takes --event-type, --since and --until only`)
  }
  const selected = [voucher, eventType, since, until].some((value) => value !== undefined)
  if (mode === 'replay' && !selected && !all) {
    throw new UsageError(
      'Select what to replay: --voucher, --event-type, --since, --until or --all',
    )
  }
  const checkpoint = text(values, 'checkpoint')
  const resume = flag(values, 'resume')
  if (resume && checkpoint === undefined) {
    throw new UsageError('--resume needs --checkpoint FILE')
  }
  if (voucher === '') throw new UsageError('--voucher needs an id')

  return {
    mode,
    voucherId: voucher,
    eventType,
    since,
    until,
    dryRun: flag(values, 'dry-run'),
    fromLedger,
    rate: positive('--rate', text(values, 'rate') ?? String(DEFAULT_RATE), false),
    pageSize: positive('--page-size', text(values, 'page-size') ?? String(DEFAULT_PAGE_SIZE), true),
    checkpoint,
    resume,
  }
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
  options: {
    voucher: { type: 'string' },
    'event-type': { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    all: { type: 'boolean', default: false },
    'from-ledger': { type: 'boolean', default: false },
    quarantined: { type: 'boolean', default: false },
    unpublished: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    rate: { type: 'string', default: String(DEFAULT_RATE) },
    'page-size': { type: 'string', default: String(DEFAULT_PAGE_SIZE) },
    checkpoint: { type: 'string' },
    resume: { type: 'boolean', default: false },
  },
  usesStage: true,
  read: ({ values }) => readReplayOptions(values),
  async run(options: ReplayOptions, { target, clients, io, signal }) {
    if (!target || !clients) throw new Error('replay needs a stage')
    const what = `${RUN_NAMES[options.mode]}${options.dryRun ? ' (dry run)' : ''}`
    const where = `stage ${target.stage}, region ${target.region}, table ${target.tableName}`
    const resume = options.checkpoint && `carry on with --resume --checkpoint ${options.checkpoint}`
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
    const deps: RunDeps = {
      table,
      receiver: receiverDeps(clients, target),
      // --rate is per second; the pacer counts per minute.
      pacer: requestPacer(options.rate * 60),
      checkpoint: options.checkpoint === undefined ? undefined : fileCheckpoint(options.checkpoint),
      progress,
      list: io.stdout,
      signal,
    }
    return finishRun(
      progress,
      { what, where, resume },
      () =>
        mode === 'replay'
          ? replayStoredEvents(deps, options)
          : reingestStored(deps, { ...options, mode }),
      (result) => {
        const gone = result.counts[PAYLOAD_GONE] ?? 0
        const fromLedger =
          mode === 'replay' ? ' (--from-ledger publishes them from the ledger)' : ''
        const skipped =
          gone === 0 ? '' : `; skipped ${gone} whose payload expired or was erased${fromLedger}`
        return `${formatCounts(result.counts)}${skipped}`
      },
    )
  },
})
