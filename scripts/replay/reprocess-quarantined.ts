import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import {
  increment,
  itemName,
  type ReingestDeps,
  type ReingestMode,
  type ReingestRequest,
  type ReingestSelection,
  reingestStored,
} from './reingest'
import type { RunResult } from './run-pages'

export type QuarantineSelection = ReingestSelection
export type QuarantineRequest = ReingestRequest
export type QuarantineDeps = ReingestDeps

const quarantineMode: ReingestMode = {
  name: 'quarantined',
  status: ITEM_STATUS.quarantined,
  attributes: ['status', 'delivery', 'payload', 'received_at'],
  invalidCount: 'still_invalid',
  outcomes: {
    dryRun: ['valid_now', 'still_invalid', 'unprocessable'],
    run: ['accepted', 'duplicate', 'still_invalid', 'in_flight', 'unprocessable'],
  },
  preview(item, event, counts, deps) {
    increment(counts, 'valid_now')
    deps.list(`would store and publish ${itemName(item)} as ${event.idempotency.key}`)
  },
  async afterStored(item, outcome, deps) {
    const resolved = await deps.table.markResolved(item, {
      resolvedAt: deps.clock().toISOString(),
      idempotencyKey: outcome.idempotencyKey,
      outcome: outcome.status,
    })
    if (!resolved) deps.progress.note(`already resolved by another run: ${itemName(item)}`)
  },
}

/**
 * Takes quarantined payloads through the receiver again, after a schema fix: each one that is
 * valid now is stored and published as if it had just arrived, and its quarantine item marked
 * `resolved`; one that still fails stays quarantined (its item counts the attempt).
 */
export function reprocessQuarantined(
  deps: QuarantineDeps,
  request: QuarantineRequest,
): Promise<RunResult> {
  return reingestStored(deps, request, quarantineMode)
}
