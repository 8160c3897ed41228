import type { ParseArgsOptionsConfig } from 'node:util'
import { isSupportedEventType, supportedEventTypes } from '../../lib/schemas/registry'
import { type CommandLine, flag, parseInstant, text, UsageError } from '../cli/command'
import type { ReplayMode, RunRequest } from './run-pages'

export const DEFAULT_RATE = 25
export const DEFAULT_PAGE_SIZE = 100

export const USAGE = `[selection] [options]

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
  --page-size N         items read per page and per checkpoint (default ${DEFAULT_PAGE_SIZE})`

export interface ReplayOptions extends RunRequest {
  /** Publishes per second, at most. */
  rate: number
  checkpoint?: string
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

/** The command's options as parseArgs reads them. */
export const REPLAY_OPTIONS = {
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
} as const satisfies ParseArgsOptionsConfig

/** Checks what was read; throws UsageError with what is wrong. */
export function readReplayOptions(values: CommandLine['values']): ReplayOptions {
  const voucher = text(values, 'voucher')
  const eventType = text(values, 'event-type')
  if (eventType !== undefined && !isSupportedEventType(eventType)) {
    throw new UsageError(`Unknown --event-type ${eventType}`)
  }
  const since = instant('--since', text(values, 'since'))
  const until = instant('--until', text(values, 'until'))
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError('--since must be before --until')
  }
  const quarantined = flag(values, 'quarantined')
  const unpublished = flag(values, 'unpublished')
  if (quarantined && unpublished) {
    throw new UsageError('--quarantined and --unpublished are separate runs: pass one')
  }
  const mode = modeOf({ quarantined, unpublished })
  const all = flag(values, 'all')
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
    rate: positive('--rate', text(values, 'rate') ?? String(DEFAULT_RATE), false),
    pageSize: positive('--page-size', text(values, 'page-size') ?? String(DEFAULT_PAGE_SIZE), true),
    checkpoint,
    resume,
  }
}
