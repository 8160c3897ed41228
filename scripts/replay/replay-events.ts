import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import { LEDGER_ATTRIBUTE } from '../../lib/ledger/ledger-chain'
import type { OutgoingMessage } from '../../lib/receive/build-message'
import { readPayload } from '../../lib/receive/read-payload'
import type { Counts } from '../cli/progress'
import { itemName, type Position, type StoredItem, trustedPayloadOf } from './replay-table'
import { increment, type RunDeps, type RunRequest, type RunResult, runPages } from './run-pages'

/** What a replay reads of an item: what its first message was built from, and what is listed. */
const REPLAY_ATTRIBUTES = [
  'status',
  'created_at',
  'voucher_id',
  'delivery',
  'payload',
  'received_at',
  'origin',
  'ledger_status',
]

/** Only published items: the others are in flight (their delivery publishes them) or quarantined. */
const PUBLISHED = ITEM_STATUS.published

/**
 * The message first published for a stored item, built again from its payload, `received_at`,
 * `origin` and ledger verdict (the same body and attributes), plus `replay=true` so that
 * subscribers can tell or filter. On a FIFO topic SNS drops a message whose deduplication id it
 * saw in the last five minutes, so a replayed one gets its own: `replay:<run>:` + the original's.
 */
export function replayMessageFor(
  item: StoredItem,
  run: string,
): { ok: true; message: OutgoingMessage } | { ok: false; reason: string } {
  if (typeof item.payload !== 'string' || typeof item.received_at !== 'string') {
    return { ok: false, reason: 'no_payload' }
  }
  const read = readPayload(trustedPayloadOf(item), item.received_at)
  if (!read.ok) return { ok: false, reason: read.outcome.status }
  if (
    read.event.eventType !== item.event_type ||
    read.event.idempotency.key !== item.transaction_id
  ) {
    return { ok: false, reason: 'key_mismatch' }
  }
  const { message } = read
  return {
    ok: true,
    message: {
      ...message,
      attributes: {
        ...message.attributes,
        ...(typeof item.ledger_status === 'string'
          ? { [LEDGER_ATTRIBUTE]: item.ledger_status }
          : {}),
        replay: 'true',
      },
      deduplicationId: `replay:${run}:${message.deduplicationId}`,
    },
  }
}

const describe = (item: StoredItem) =>
  `${itemName(item)} voucher=${item.voucher_id ?? '-'} created_at=${item.created_at ?? '-'}`

/**
 * Publishes stored events again, each to its event type's topic with the message it was first
 * published with plus `replay=true`: one voucher's (through the ledger index), or every
 * published one of an event type and/or created in a time range (`since <= created_at < until`).
 */
export function replayStoredEvents(deps: RunDeps, request: RunRequest): Promise<RunResult> {
  const { voucherId, eventType, since, until, dryRun } = request
  const run = deps.receiver.clock().getTime().toString(36)
  const fetch = (startKey: Position | undefined) => {
    const page = { startKey, limit: request.pageSize }
    return voucherId === undefined
      ? deps.table.scan(
          { status: PUBLISHED, eventType, since, until, timeAttribute: 'created_at' },
          REPLAY_ATTRIBUTES,
          page,
        )
      : deps.table.voucherItems({ voucherId, eventType, since, until }, REPLAY_ATTRIBUTES, page)
  }

  const handle = async (item: StoredItem, counts: Counts) => {
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

  const outcomes = dryRun
    ? ['would_publish', 'unreadable']
    : ['published', 'unreadable', 'not_published']
  return runPages(deps, request, outcomes, fetch, handle)
}
