import type { ITEM_STATUS } from '../../lib/aws/transactions-table'
import type { Deps } from '../../lib/deps'
import { readPayload } from '../../lib/receive/read-payload'
import { ingestPayload, type WebhookOutcome } from '../../lib/receive/receive-webhook'
import type { ReceivedEvent } from '../../lib/receive/received-event'
import type { RequestPacer } from '../../lib/voucherify/request-pacer'
import type { Counts } from './checkpoint'
import { trustedPayloadOf } from './replay-message'
import type { Position, ReplayTable, StoredItem } from './replay-table'
import { type RunDeps, type RunResult, runPages } from './run-pages'
import { inRange, isRangeSet, type TimeRange, textBounds } from './time-range'

export interface ReingestSelection extends TimeRange {
  eventType?: string
}

export interface ReingestRequest {
  /** `since` and `until` bound `received_at`: quarantine items have no `created_at`. */
  selection: ReingestSelection
  dryRun: boolean
  resume: boolean
  pageSize: number
}

export interface ReingestDeps extends RunDeps {
  table: ReplayTable
  /** The receiver's own dependencies: each payload goes through `ingestPayload` again. */
  ingest: Deps
  pacer: RequestPacer
  /** The dry run's list, ids and issue paths only. */
  list: (line: string) => void
}

/** An outcome in which the event is stored and published, by this run or before it. */
export type StoredOutcome = Extract<WebhookOutcome, { status: 'accepted' | 'duplicate' }>

/** What sets one mode apart from the other: which items, what it counts, what a dry run says. */
export interface ReingestMode {
  /** The checkpoint's `mode`. */
  name: 'quarantined' | 'unpublished'
  /** The stored status the mode selects, and that an item it leaves alone keeps. */
  status: typeof ITEM_STATUS.quarantined | typeof ITEM_STATUS.claimed
  /** What the mode reads of an item besides its key. */
  attributes: readonly string[]
  /** Where a payload that fails today's schema is counted (its issue paths are noted). */
  invalidCount: string
  /** The outcomes counted, from zero and in the summary's order, by a dry run and a real one. */
  outcomes: { dryRun: readonly string[]; run: readonly string[] }
  /** Dry run, a payload valid today: lists and counts what the run would do with it. */
  preview(item: StoredItem, event: ReceivedEvent, counts: Counts, deps: ReingestDeps): void
  /** After the receiver stored the event or found it published: the mode's own write. */
  afterStored?(item: StoredItem, outcome: StoredOutcome, deps: ReingestDeps): Promise<void>
}

export const increment = (counts: Counts, name: string) => {
  counts[name] = (counts[name] ?? 0) + 1
}

/** How an item is named in the output: its event type and key, never its payload. */
export const itemName = (item: StoredItem) => `${item.event_type} ${item.transaction_id}`

function initialCounts(mode: ReingestMode, dryRun: boolean): Counts {
  const outcomes = dryRun ? mode.outcomes.dryRun : mode.outcomes.run
  return { pages: 0, read: 0, matched: 0, ...Object.fromEntries(outcomes.map((name) => [name, 0])) }
}

const paths = (issues: ReadonlyArray<{ path: string }>) =>
  issues.map((issue) => issue.path).join(', ')

const label = (count: string) => count.replaceAll('_', ' ')

/** Dry run: reads the payload as the receiver would, without storing or publishing it. */
function preview(item: StoredItem, mode: ReingestMode, counts: Counts, deps: ReingestDeps) {
  const read = readPayload(trustedPayloadOf(item), deps.clock().toISOString())
  if (read.ok) {
    mode.preview(item, read.event, counts, deps)
  } else if (read.outcome.status === 'invalid') {
    increment(counts, mode.invalidCount)
    deps.list(`${label(mode.invalidCount)} ${itemName(item)}: ${paths(read.outcome.issues)}`)
  } else {
    increment(counts, 'unprocessable')
    deps.list(`unprocessable (${read.outcome.status}) ${itemName(item)}`)
  }
}

/** Counts what the receiver made of an item; an unavailable stage stops the run. */
async function settle(
  item: StoredItem,
  outcome: WebhookOutcome,
  mode: ReingestMode,
  counts: Counts,
  deps: ReingestDeps,
) {
  const name = itemName(item)
  switch (outcome.status) {
    case 'accepted':
    case 'duplicate':
      increment(counts, outcome.status)
      await mode.afterStored?.(item, outcome, deps)
      return
    case 'invalid':
      increment(counts, mode.invalidCount)
      deps.progress.note(`${label(mode.invalidCount)} ${name}: ${paths(outcome.issues)}`)
      return
    case 'in_flight':
      // Another delivery holds a live claim on the event: it publishes it, or a later run does.
      increment(counts, 'in_flight')
      deps.progress.note(`in flight, left ${mode.status}: ${name}`)
      return
    case 'unavailable':
      throw new Error(`${name}: ${outcome.stage} failed`, { cause: outcome.cause })
    default:
      increment(counts, 'unprocessable')
      deps.progress.note(`unprocessable (${outcome.status}), left ${mode.status}: ${name}`)
  }
}

/**
 * Takes the stored payloads of the items with `mode.status` through the receiver again, one at
 * a time: of one event type and/or received in a time range (`since <= received_at < until`).
 */
export function reingestStored(
  deps: ReingestDeps,
  request: ReingestRequest,
  mode: ReingestMode,
): Promise<RunResult> {
  const { selection, dryRun, pageSize } = request
  const range = isRangeSet(selection)
    ? { attribute: 'received_at', ...textBounds(selection) }
    : undefined

  const fetch = (startKey: Position | undefined) =>
    deps.table.scan(
      { status: mode.status, eventType: selection.eventType, range },
      mode.attributes,
      { startKey, limit: pageSize },
    )

  const handle = async (item: StoredItem, counts: Counts) => {
    if (item.status !== mode.status || !inRange(item.received_at, selection)) return
    increment(counts, 'matched')
    if (dryRun) {
      preview(item, mode, counts, deps)
      return
    }
    await deps.pacer.waitTurn()
    const outcome = await ingestPayload(deps.ingest, trustedPayloadOf(item))
    await settle(item, outcome, mode, counts, deps)
  }

  return runPages(
    deps,
    {
      selection: { mode: mode.name, table: deps.table.tableName, ...selection },
      resume: request.resume,
      dryRun,
      counts: initialCounts(mode, dryRun),
    },
    fetch,
    handle,
  )
}
