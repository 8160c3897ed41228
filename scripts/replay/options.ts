import { parseArgs } from 'node:util'
import { isSupportedEventType, supportedEventTypes } from '../../lib/schemas/registry'
import { parseInstant } from './time-range'

export const DEFAULT_RATE = 25
export const DEFAULT_PAGE_SIZE = 100

export const USAGE = `Usage: npm run replay -- [selection] [options]

Re-publishes stored events to their topics with the attribute replay=true (only published ones):
  --voucher ID          one gift card's events, through the voucher-ledger index
  --event-type TYPE     one of: ${supportedEventTypes.join(', ')}
  --since ISO           created_at at or after (2026-01-01, 2026-01-01T12:00:00Z, …+02:00)
  --until ISO           created_at before
  --all                 every published event (needed when no other selection is given)
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
  --page-size N         items read per page and per checkpoint (default ${DEFAULT_PAGE_SIZE})
  --stage STAGE         default local (the emulators of npm start); a deployed stage uses the
                        standard AWS credentials and region resolution
  --region R            override the region
  --table NAME          override the table (default <service>-<stage>-transactions)
  --topic-arn-prefix P  override the topic ARN prefix (default arn:aws:sns:<region>:<account>:<service>-<stage>-)
  --fifo                the stage's event topics are FIFO ones (deployed with --param fifoTopics=true;
                        the local stage reads it from serverless.yml)`

export class UsageError extends Error {}

/** Replay published events, reprocess quarantined payloads, or publish claimed events. */
export type ReplayMode = 'replay' | 'quarantined' | 'unpublished'

export interface ReplayOptions {
  stage: string
  mode: ReplayMode
  voucherId?: string
  eventType?: string
  since?: string
  until?: string
  dryRun: boolean
  rate: number
  pageSize: number
  checkpoint?: string
  resume: boolean
  region?: string
  table?: string
  topicArnPrefix?: string
  fifo: boolean
}

function instant(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const parsed = parseInstant(text)
  if (parsed === undefined) {
    throw new UsageError(
      `${flag} must be an ISO 8601 date or a date and time with Z or an offset, got "${text}"`,
    )
  }
  return parsed
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

function modeOf(values: { quarantined: boolean; unpublished: boolean }): ReplayMode {
  if (values.quarantined) return 'quarantined'
  return values.unpublished ? 'unpublished' : 'replay'
}

/** Reads the command line; throws UsageError with what is wrong. Undefined asks for the usage. */
export function parseReplayArgs(argv: readonly string[]): ReplayOptions | undefined {
  let values: ReturnType<typeof parse>['values']
  try {
    ;({ values } = parse(argv))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help) return undefined

  const eventType = values['event-type']
  if (eventType !== undefined && !isSupportedEventType(eventType)) {
    throw new UsageError(`Unknown --event-type ${eventType}`)
  }
  const since = instant('--since', values.since)
  const until = instant('--until', values.until)
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError('--since must be before --until')
  }
  if (values.quarantined && values.unpublished) {
    throw new UsageError('--quarantined and --unpublished are separate runs: pass one')
  }
  const mode = modeOf(values)
  if (mode !== 'replay' && (values.voucher !== undefined || values.all)) {
    throw new UsageError(`--${mode} takes --event-type, --since and --until only`)
  }
  const selected = [values.voucher, eventType, since, until].some((value) => value !== undefined)
  if (mode === 'replay' && !selected && !values.all) {
    throw new UsageError(
      'Select what to replay: --voucher, --event-type, --since, --until or --all',
    )
  }
  if (values.resume && values.checkpoint === undefined) {
    throw new UsageError('--resume needs --checkpoint FILE')
  }
  if (values.voucher === '') throw new UsageError('--voucher needs an id')

  return {
    stage: values.stage,
    mode,
    voucherId: values.voucher,
    eventType,
    since,
    until,
    dryRun: values['dry-run'],
    rate: positive('--rate', values.rate, false),
    pageSize: positive('--page-size', values['page-size'], true),
    checkpoint: values.checkpoint,
    resume: values.resume,
    region: values.region,
    table: values.table,
    topicArnPrefix: values['topic-arn-prefix'],
    fifo: values.fifo,
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    options: {
      stage: { type: 'string', default: 'local' },
      voucher: { type: 'string' },
      'event-type': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      all: { type: 'boolean', default: false },
      quarantined: { type: 'boolean', default: false },
      unpublished: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      rate: { type: 'string', default: String(DEFAULT_RATE) },
      'page-size': { type: 'string', default: String(DEFAULT_PAGE_SIZE) },
      checkpoint: { type: 'string' },
      resume: { type: 'boolean', default: false },
      region: { type: 'string' },
      table: { type: 'string' },
      'topic-arn-prefix': { type: 'string' },
      fifo: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
}
