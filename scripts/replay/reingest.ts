import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import { readPayload } from '../../lib/receive/read-payload'
import { ingestPayload, type WebhookOutcome } from '../../lib/receive/receive-webhook'
import type { Counts } from '../cli/progress'
import {
  itemName,
  livePayload,
  PAYLOAD_GONE,
  type Page,
  type Position,
  type StoredItem,
  trustedPayloadOf,
  type WithPayload,
  withPayloads,
} from './replay-table'
import {
  increment,
  type ReplayMode,
  type RunDeps,
  type RunRequest,
  type RunResult,
  runPages,
} from './run-pages'

export type ReingestMode = Exclude<ReplayMode, 'replay'>

/** What sets the two modes apart: which items, what is read of them, what is counted. */
const MODES = {
  quarantined: {
    status: ITEM_STATUS.quarantined,
    // The payload is the quarantine item's own; absent once its customer was erased.
    attributes: ['status', 'delivery', 'payload', 'expires_at', 'received_at'],
    /** Where a payload that fails today's schema is counted (its issue paths are noted). */
    invalid: 'still_invalid',
    /** The outcomes a dry run and a real one count, in the summary's order. */
    dryRunCounts: ['valid_now', 'still_invalid', 'unprocessable', PAYLOAD_GONE],
    runCounts: [
      'accepted',
      'duplicate',
      'still_invalid',
      'in_flight',
      'unprocessable',
      PAYLOAD_GONE,
    ],
  },
  unpublished: {
    status: ITEM_STATUS.claimed,
    // `origin` too: a transaction reconcile took in is published with the origin it was stored
    // with. The payload is in the transaction's payload item.
    attributes: ['status', 'lease_expires_at', 'delivery', 'received_at', 'origin'],
    invalid: 'invalid',
    dryRunCounts: ['would_publish', 'in_flight', 'invalid', 'unprocessable', PAYLOAD_GONE],
    runCounts: ['accepted', 'duplicate', 'in_flight', 'invalid', 'unprocessable', PAYLOAD_GONE],
  },
} as const

const paths = (issues: ReadonlyArray<{ path: string }>) =>
  issues.map((issue) => issue.path).join(', ')

const label = (count: string) => count.replaceAll('_', ' ')

/**
 * Takes stored payloads through the receiver again, one at a time, as if each had just arrived:
 * of one event type and/or received in a time range (`since <= received_at < until`).
 *
 * `quarantined`, after a schema fix: a payload that is valid now is stored and published, and its
 * quarantine item marked `resolved`; one that still fails stays quarantined (its item counts the
 * attempt).
 *
 * `unpublished`: events stored but never published (still `claimed`: their publish failed on
 * every retry). The claim rules decide: an expired claim is taken over, the ledger step applied
 * again (harmless) and the event published as a first publication (no `replay` attribute), then
 * marked published; a live claim is left to its delivery.
 */
export function reingestStored(
  deps: RunDeps,
  request: RunRequest & { mode: ReingestMode },
): Promise<RunResult> {
  const mode = MODES[request.mode]
  const { receiver, list, progress } = deps
  const { eventType, since, until } = request
  const fetch = async (startKey: Position | undefined): Promise<Page<WithPayload>> => {
    const page = await deps.table.scan(
      { status: mode.status, eventType, since, until, timeAttribute: 'received_at' },
      mode.attributes,
      { startKey, limit: request.pageSize },
    )
    if (request.mode === 'unpublished') {
      return withPayloads(deps.table, page, () => true, receiver.clock())
    }
    const own = (item: StoredItem) =>
      typeof item.payload !== 'string'
        ? undefined
        : livePayload(
            {
              payload: item.payload,
              ...(typeof item.expires_at === 'number' ? { expires_at: item.expires_at } : {}),
            },
            receiver.clock(),
          )
    return {
      ...page,
      entries: page.entries.map(({ value, position }) => ({
        value: { item: value, payload: own(value) },
        position,
      })),
    }
  }

  /** A claim whose lease has not run out: its delivery may be publishing the event right now. */
  const leaseLive = (item: StoredItem) =>
    request.mode === 'unpublished' && Number(item.lease_expires_at) > receiver.clock().getTime()

  const listInFlight = (item: StoredItem, counts: Counts) => {
    increment(counts, 'in_flight')
    const until = new Date(Number(item.lease_expires_at)).toISOString()
    list(`in flight ${itemName(item)} (lease live until ${until})`)
  }

  /** Dry run: reads the payload as the receiver would, without storing or publishing it. */
  const preview = (item: StoredItem, payload: string, counts: Counts) => {
    const read = readPayload(trustedPayloadOf(item, payload), receiver.clock().toISOString())
    if (!read.ok && read.outcome.status === 'invalid') {
      increment(counts, mode.invalid)
      list(`${label(mode.invalid)} ${itemName(item)}: ${paths(read.outcome.issues)}`)
    } else if (!read.ok) {
      increment(counts, 'unprocessable')
      list(`unprocessable (${read.outcome.status}) ${itemName(item)}`)
    } else if (request.mode === 'quarantined') {
      increment(counts, 'valid_now')
      list(`would store and publish ${itemName(item)} as ${read.event.idempotency.key}`)
    } else if (leaseLive(item)) {
      listInFlight(item, counts)
    } else {
      increment(counts, 'would_publish')
      list(`would publish ${itemName(item)} (lease expired)`)
    }
  }

  /** Counts what the receiver made of an item; an unavailable stage stops the run. */
  const settle = async (item: StoredItem, outcome: WebhookOutcome, counts: Counts) => {
    const name = itemName(item)
    switch (outcome.status) {
      case 'accepted':
      case 'duplicate': {
        increment(counts, outcome.status)
        if (request.mode !== 'quarantined') return
        const resolved = await deps.table.markResolved(item, {
          resolvedAt: receiver.clock().toISOString(),
          idempotencyKey: outcome.idempotencyKey,
          outcome: outcome.status,
        })
        if (!resolved) progress.note(`already resolved by another run: ${name}`)
        return
      }
      case 'invalid':
        increment(counts, mode.invalid)
        progress.note(`${label(mode.invalid)} ${name}: ${paths(outcome.issues)}`)
        return
      case 'in_flight':
        // Another delivery holds a live claim on the event: it publishes it, or a later run does.
        increment(counts, 'in_flight')
        progress.note(`in flight, left ${mode.status}: ${name}`)
        return
      case 'unavailable':
        throw new Error(`${name}: ${outcome.stage} failed`, { cause: outcome.cause })
      default:
        increment(counts, 'unprocessable')
        progress.note(`unprocessable (${outcome.status}), left ${mode.status}: ${name}`)
    }
  }

  const handle = async ({ item, payload }: WithPayload, counts: Counts) => {
    if (payload === undefined && leaseLive(item)) {
      // Its delivery may not have stored the payload yet: left to it, as the receiver would.
      if (request.dryRun) return listInFlight(item, counts)
      increment(counts, 'in_flight')
      progress.note(`in flight, left ${mode.status}: ${itemName(item)}`)
      return
    }
    if (payload === undefined) {
      // Erased (or expired): the item is left as it is; nothing can be taken in again.
      increment(counts, PAYLOAD_GONE)
      progress.note(`payload expired or erased: ${itemName(item)}`)
      return
    }
    if (request.dryRun) return preview(item, payload, counts)
    await deps.pacer.waitTurn()
    await settle(item, await ingestPayload(receiver, trustedPayloadOf(item, payload)), counts)
  }

  const outcomes = request.dryRun ? mode.dryRunCounts : mode.runCounts
  return runPages(deps, request, outcomes, fetch, handle)
}
