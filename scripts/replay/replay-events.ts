import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import type { Counts } from './progress'
import { MESSAGE_ATTRIBUTES, replayMessageFor } from './replay-message'
import {
  itemName,
  type Page,
  type Position,
  type ReplayTable,
  type StoredItem,
} from './replay-table'
import { increment, type RunDeps, type RunRequest, type RunResult, runPages } from './run-pages'
import { inRange, isRangeSet, textBounds } from './time-range'

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
  selection: RunRequest & { voucherId: string },
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
  selection: RunRequest,
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
  `${itemName(item)} voucher=${item.voucher_id ?? '-'} created_at=${item.created_at ?? '-'}`

/**
 * Publishes stored events again, each to its event type's topic with the message it was first
 * published with plus `replay=true`: one voucher's (through the ledger index), or every
 * published one of an event type and/or created in a time range (`since <= created_at < until`).
 */
export function replayStoredEvents(deps: RunDeps, request: RunRequest): Promise<RunResult> {
  const { dryRun, pageSize, voucherId } = request
  const run = deps.receiver.clock().getTime().toString(36)
  const fetch = (startKey: Position | undefined) =>
    voucherId === undefined
      ? scanPage(deps.table, request, startKey, pageSize)
      : voucherPage(deps.table, { ...request, voucherId }, startKey, pageSize)

  const handle = async (item: StoredItem | undefined, counts: Counts) => {
    // Gone since the index was read, or created just outside the range (see textBounds).
    if (item === undefined || !inRange(item.created_at, request)) return
    increment(counts, 'matched')
    if (item.status !== PUBLISHED) {
      increment(counts, 'not_published')
      return
    }
    const rebuilt = replayMessageFor(item, run)
    if (!rebuilt.ok) {
      increment(counts, 'unreadable')
      deps.progress.note(`unreadable (${rebuilt.reason}): ${describe(item)}`)
      return
    }
    if (dryRun) {
      increment(counts, 'would_publish')
      deps.list(`would publish ${describe(item)}`)
      return
    }
    await deps.pacer.waitTurn()
    await deps.receiver.publisher.publish(rebuilt.message)
    increment(counts, 'published')
  }

  return runPages(deps, request, initialCounts(dryRun), fetch, handle)
}
