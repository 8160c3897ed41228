import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import type { EventPublisher } from '../../lib/receive/event-publisher'
import type { RequestPacer } from '../../lib/voucherify/request-pacer'
import type { Counts } from './checkpoint'
import { MESSAGE_ATTRIBUTES, replayMessageFor } from './replay-message'
import type { Page, Position, ReplayTable, StoredItem } from './replay-table'
import { type RunDeps, type RunResult, runPages } from './run-pages'
import { inRange, isRangeSet, type TimeRange, textBounds } from './time-range'

export interface ReplaySelection extends TimeRange {
  voucherId?: string
  eventType?: string
}

export interface ReplayRequest {
  selection: ReplaySelection
  dryRun: boolean
  resume: boolean
  /** Items read per DynamoDB page (and per checkpoint). */
  pageSize: number
  /** Tells this run's FIFO deduplication ids apart from the original's and other runs'. */
  run?: string
}

export interface ReplayDeps extends RunDeps {
  table: ReplayTable
  publisher: EventPublisher
  pacer: RequestPacer
  /** The dry run's list: one line per event that would be published, ids only. */
  list: (line: string) => void
}

/** What a replay reads of an item: never more than the message and the listing need. */
const REPLAY_ATTRIBUTES = ['status', 'created_at', 'voucher_id', ...MESSAGE_ATTRIBUTES]

/** Only published items: the others are in flight (their delivery publishes them) or quarantined. */
const PUBLISHED = ITEM_STATUS.published

function initialCounts(dryRun: boolean): Counts {
  return dryRun
    ? { pages: 0, read: 0, matched: 0, would_publish: 0, unreadable: 0 }
    : { pages: 0, read: 0, matched: 0, published: 0, unreadable: 0, not_published: 0 }
}

/** One voucher's items in ledger order: keys from the index, the items from the table. */
async function voucherPage(
  table: ReplayTable,
  selection: ReplaySelection & { voucherId: string },
  startKey: Position | undefined,
  limit: number,
): Promise<Page<StoredItem | undefined>> {
  const keys = await table.queryVoucher(
    { voucherId: selection.voucherId, eventType: selection.eventType, ...textBounds(selection) },
    { startKey, limit },
  )
  const items = await table.getItems(
    keys.entries.map((entry) => entry.value),
    REPLAY_ATTRIBUTES,
  )
  const byKey = new Map(items.map((item) => [`${item.transaction_id}\n${item.event_type}`, item]))
  return {
    ...keys,
    entries: keys.entries.map(({ value, position }) => ({
      value: byKey.get(`${value.transaction_id}\n${value.event_type}`),
      position,
    })),
  }
}

function scanPage(
  table: ReplayTable,
  selection: ReplaySelection,
  startKey: Position | undefined,
  limit: number,
): Promise<Page<StoredItem | undefined>> {
  const range = isRangeSet(selection)
    ? { attribute: 'created_at', ...textBounds(selection) }
    : undefined
  return table.scan(
    { status: PUBLISHED, eventType: selection.eventType, range },
    REPLAY_ATTRIBUTES,
    {
      startKey,
      limit,
    },
  )
}

const describe = (item: StoredItem) =>
  `${item.event_type} ${item.transaction_id} voucher=${item.voucher_id ?? '-'} created_at=${item.created_at ?? '-'}`

/**
 * Publishes stored events again, each to its event type's topic with the message it was first
 * published with plus `replay=true`: one voucher's (through the ledger index), or every
 * published one of an event type and/or created in a time range (`since <= created_at < until`).
 */
export function replayStoredEvents(deps: ReplayDeps, request: ReplayRequest): Promise<RunResult> {
  const { selection, dryRun, pageSize } = request
  const run = request.run ?? deps.clock().getTime().toString(36)
  const fetch = (startKey: Position | undefined) =>
    selection.voucherId === undefined
      ? scanPage(deps.table, selection, startKey, pageSize)
      : voucherPage(
          deps.table,
          { ...selection, voucherId: selection.voucherId },
          startKey,
          pageSize,
        )

  const handle = async (item: StoredItem | undefined, counts: Counts) => {
    // Gone since the index was read, or created just outside the range (see textBounds).
    if (item === undefined || !inRange(item.created_at, selection)) return
    counts.matched = (counts.matched ?? 0) + 1
    if (item.status !== PUBLISHED) {
      counts.not_published = (counts.not_published ?? 0) + 1
      return
    }
    const rebuilt = replayMessageFor(item, run)
    if (!rebuilt.ok) {
      counts.unreadable = (counts.unreadable ?? 0) + 1
      deps.progress.note(`unreadable (${rebuilt.reason}): ${describe(item)}`)
      return
    }
    if (dryRun) {
      counts.would_publish = (counts.would_publish ?? 0) + 1
      deps.list(`would publish ${describe(item)}`)
      return
    }
    await deps.pacer.waitTurn()
    await deps.publisher.publish(rebuilt.message)
    counts.published = (counts.published ?? 0) + 1
  }

  return runPages(
    deps,
    {
      selection: { mode: 'replay', table: deps.table.tableName, ...selection },
      resume: request.resume,
      dryRun,
      counts: initialCounts(dryRun),
    },
    fetch,
    handle,
  )
}
