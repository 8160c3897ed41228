import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import {
  increment,
  itemName,
  type ReingestDeps,
  type ReingestMode,
  type ReingestRequest,
  reingestStored,
} from './reingest'
import type { StoredItem } from './replay-table'
import type { RunResult } from './run-pages'

/** A claim whose lease has not run out: its delivery may be publishing the event right now. */
function isLeaseLive(item: StoredItem, now: Date): boolean {
  return Number(item.lease_expires_at) > now.getTime()
}

const unpublishedMode: ReingestMode = {
  name: 'unpublished',
  status: ITEM_STATUS.claimed,
  // `origin` too: a transaction reconcile took in is published with the origin it was stored with.
  attributes: ['status', 'lease_expires_at', 'delivery', 'payload', 'received_at', 'origin'],
  invalidCount: 'invalid',
  outcomes: {
    dryRun: ['would_publish', 'in_flight', 'invalid', 'unprocessable'],
    run: ['accepted', 'duplicate', 'in_flight', 'invalid', 'unprocessable'],
  },
  preview(item, _event, counts, deps) {
    if (isLeaseLive(item, deps.clock())) {
      increment(counts, 'in_flight')
      const until = new Date(Number(item.lease_expires_at)).toISOString()
      deps.list(`in flight ${itemName(item)} (lease live until ${until})`)
      return
    }
    increment(counts, 'would_publish')
    deps.list(`would publish ${itemName(item)} (lease expired)`)
  },
}

/**
 * Publishes events stored but never published (still `claimed`: their publish failed on every
 * retry), each through the receiver again with its stored payload. The claim rules decide: an
 * expired claim is taken over, the ledger step applied again (harmless) and the event published
 * as a first publication (no `replay` attribute), then marked published; a live claim is left to
 * its delivery.
 */
export function publishUnpublished(
  deps: ReingestDeps,
  request: ReingestRequest,
): Promise<RunResult> {
  return reingestStored(deps, request, unpublishedMode)
}
