import type { Deps } from '../../lib/deps'
import { ingestPayload, readPayload } from '../../lib/receive-webhook'
import type { Counts } from './checkpoint'
import type { Pacer } from './pacer'
import { trustedPayloadOf } from './replay-message'
import type { Position, ReplayTable, StoredItem } from './replay-table'
import { type RunDeps, type RunResult, runPages } from './run-pages'
import { inRange, isRangeSet, type TimeRange, textBounds } from './time-range'

export interface QuarantineSelection extends TimeRange {
  eventType?: string
}

export interface QuarantineRequest {
  /** `since` and `until` bound `received_at`: quarantine items have no `created_at`. */
  selection: QuarantineSelection
  dryRun: boolean
  resume: boolean
  pageSize: number
}

export interface QuarantineDeps extends RunDeps {
  table: ReplayTable
  /** The receiver's own dependencies: each payload goes through `ingestPayload` again. */
  ingest: Deps
  pacer: Pacer
  /** The dry run's list, ids and issue paths only. */
  list: (line: string) => void
}

const QUARANTINED = 'quarantined'
const QUARANTINE_ATTRIBUTES = ['status', 'delivery', 'payload', 'received_at'] as const

function initialCounts(dryRun: boolean): Counts {
  return dryRun
    ? { pages: 0, read: 0, matched: 0, valid_now: 0, still_invalid: 0, unprocessable: 0 }
    : {
        pages: 0,
        read: 0,
        matched: 0,
        accepted: 0,
        duplicate: 0,
        still_invalid: 0,
        in_flight: 0,
        unprocessable: 0,
      }
}

const increment = (counts: Counts, name: string) => {
  counts[name] = (counts[name] ?? 0) + 1
}

const paths = (issues: ReadonlyArray<{ path: string }>) =>
  issues.map((issue) => issue.path).join(', ')

/**
 * Takes quarantined payloads through the receiver again, after a schema fix: each one that is
 * valid now is stored and published as if it had just arrived, and its quarantine item marked
 * `resolved`; one that still fails stays quarantined (its item counts the attempt).
 */
export function reprocessQuarantined(
  deps: QuarantineDeps,
  request: QuarantineRequest,
): Promise<RunResult> {
  const { selection, dryRun, pageSize } = request
  const range = isRangeSet(selection)
    ? { attribute: 'received_at', ...textBounds(selection) }
    : undefined

  const fetch = (startKey: Position | undefined) =>
    deps.table.scan(
      { status: QUARANTINED, eventType: selection.eventType, range },
      QUARANTINE_ATTRIBUTES,
      { startKey, limit: pageSize },
    )

  const handle = async (item: StoredItem, counts: Counts) => {
    if (item.status !== QUARANTINED || !inRange(item.received_at, selection)) return
    increment(counts, 'matched')
    const key = `${item.event_type} ${item.transaction_id}`
    const payload = trustedPayloadOf(item)

    if (dryRun) {
      const read = readPayload(payload, deps.clock().toISOString())
      if (read.ok) {
        increment(counts, 'valid_now')
        deps.list(`would store and publish ${key} as ${read.event.idempotency.key}`)
      } else if (read.outcome.status === 'invalid') {
        increment(counts, 'still_invalid')
        deps.list(`still invalid ${key}: ${paths(read.outcome.issues)}`)
      } else {
        increment(counts, 'unprocessable')
        deps.list(`unprocessable (${read.outcome.status}) ${key}`)
      }
      return
    }

    await deps.pacer.wait()
    const outcome = await ingestPayload(deps.ingest, payload)
    switch (outcome.status) {
      case 'accepted':
      case 'duplicate': {
        increment(counts, outcome.status)
        const resolved = await deps.table.markResolved(item, {
          resolvedAt: deps.clock().toISOString(),
          idempotencyKey: outcome.idempotencyKey,
          outcome: outcome.status,
        })
        if (!resolved) deps.progress.note(`already resolved by another run: ${key}`)
        return
      }
      case 'invalid':
        increment(counts, 'still_invalid')
        deps.progress.note(`still invalid ${key}: ${paths(outcome.issues)}`)
        return
      case 'in_flight':
        // Another delivery of the same event holds the claim: a later run finds it a duplicate.
        increment(counts, 'in_flight')
        deps.progress.note(`in flight, left quarantined: ${key}`)
        return
      case 'unavailable':
        throw new Error(`${key}: ${outcome.stage} failed`, { cause: outcome.cause })
      default:
        increment(counts, 'unprocessable')
        deps.progress.note(`unprocessable (${outcome.status}), left quarantined: ${key}`)
    }
  }

  return runPages(
    deps,
    {
      selection: { mode: 'quarantined', table: deps.table.tableName, ...selection },
      resume: request.resume,
      dryRun,
      counts: initialCounts(dryRun),
    },
    fetch,
    handle,
  )
}
