import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import { LEDGER_ATTRIBUTE } from '../../lib/ledger/ledger-chain'
import type { OutgoingMessage } from '../../lib/receive/build-message'
import { readPayload } from '../../lib/receive/read-payload'
import type { Counts } from '../cli/progress'
import { LEDGER_MESSAGE_ATTRIBUTES, ledgerMessageFor } from './ledger-message'
import {
  itemName,
  PAYLOAD_GONE,
  type Position,
  type StoredItem,
  trustedPayloadOf,
  type WithPayload,
  withPayloads,
} from './replay-table'
import { increment, type RunDeps, type RunRequest, type RunResult, runPages } from './run-pages'

/**
 * What a replay reads of a transaction item: what its first message was built from, what is
 * listed, and what a message built from the ledger holds. Its payload is in its payload item.
 */
const REPLAY_ATTRIBUTES = [
  ...new Set([
    'status',
    'created_at',
    'voucher_id',
    'delivery',
    'received_at',
    'origin',
    'ledger_status',
    ...LEDGER_MESSAGE_ATTRIBUTES,
  ]),
]

/** Only published items: the others are in flight (their delivery publishes them) or quarantined. */
const PUBLISHED = ITEM_STATUS.published

/**
 * The message first published for a stored item, built again from its payload, `received_at`,
 * `origin` and ledger verdict (the same body and attributes), plus `replay=true` so that
 * subscribers can tell or filter. Its data carries the customer's personal fields only with
 * `publishPersonalData`, as the function's messages do. On a FIFO topic SNS drops a message
 * whose deduplication id it saw in the last five minutes, so a replayed one gets its own:
 * `replay:<run>:` + the original's.
 */
export function replayMessageFor(
  item: StoredItem,
  payload: string | undefined,
  run: string,
  { publishPersonalData }: { publishPersonalData: boolean },
): { ok: true; message: OutgoingMessage } | { ok: false; reason: string } {
  if (payload === undefined) return { ok: false, reason: PAYLOAD_GONE }
  if (typeof item.received_at !== 'string') return { ok: false, reason: 'no_received_at' }
  const read = readPayload(trustedPayloadOf(item, payload), item.received_at)
  if (!read.ok) return { ok: false, reason: read.outcome.status }
  if (
    read.event.eventType !== item.event_type ||
    read.event.idempotency.key !== item.transaction_id
  ) {
    return { ok: false, reason: 'key_mismatch' }
  }
  const message = publishPersonalData ? read.messageWithPersonalData : read.message
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
 * The payloads are read from their payload items, a page at a time. A transaction whose payload
 * expired or was erased is noted and counted, and published only with `fromLedger`: then as a
 * message built from its transaction item alone (`ledgerMessageFor`).
 */
export function replayStoredEvents(deps: RunDeps, request: RunRequest): Promise<RunResult> {
  const { voucherId, eventType, since, until, dryRun, fromLedger = false } = request
  const { settings } = deps.receiver
  const run = deps.receiver.clock().getTime().toString(36)
  const fetch = async (startKey: Position | undefined) => {
    const page = { startKey, limit: request.pageSize }
    const items = await (voucherId === undefined
      ? deps.table.scan(
          { status: PUBLISHED, eventType, since, until, timeAttribute: 'created_at' },
          REPLAY_ATTRIBUTES,
          page,
        )
      : deps.table.voucherItems({ voucherId, eventType, since, until }, REPLAY_ATTRIBUTES, page))
    const published = (item: StoredItem) => item.status === PUBLISHED
    return withPayloads(deps.table, items, published, deps.receiver.clock())
  }

  /** A transaction whose payload is gone: noted; from its ledger fields with `fromLedger`. */
  const withoutPayload = async (item: StoredItem, counts: Counts) => {
    const message = fromLedger ? ledgerMessageFor(item, run) : undefined
    if (message === undefined) {
      increment(counts, PAYLOAD_GONE)
      deps.progress.note(`payload expired or erased: ${itemName(item)}`)
      return
    }
    if (dryRun) {
      increment(counts, 'would_publish_from_ledger')
      deps.list(`would publish from the ledger ${describe(item)}`)
      return
    }
    await deps.pacer.waitTurn()
    await deps.receiver.publisher.publish(message)
    increment(counts, 'published_from_ledger')
  }

  const handle = async ({ item, payload }: WithPayload, counts: Counts) => {
    if (item.status !== PUBLISHED) {
      increment(counts, 'not_published')
      return
    }
    if (payload === undefined) return withoutPayload(item, counts)
    const rebuilt = replayMessageFor(item, payload, run, settings)
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

  const gone = fromLedger
    ? [dryRun ? 'would_publish_from_ledger' : 'published_from_ledger', PAYLOAD_GONE]
    : [PAYLOAD_GONE]
  const outcomes = dryRun
    ? ['would_publish', ...gone, 'unreadable']
    : ['published', ...gone, 'unreadable', 'not_published']
  return runPages(deps, request, outcomes, fetch, handle)
}
