import { takeInTransaction, voucherIdOf } from '../voucherify/take-in-transaction'
import {
  type ApiTransaction,
  noPayloadReason,
  type TransactionPayload,
  transactionPayload,
} from '../voucherify/transaction-payload'
import {
  type CampaignSweep,
  newCampaignSweep,
  type SweepDeps,
  type SweepSettings,
} from './campaign-sweep'
import type { SweepFailure } from './sweep-store'

/** What taking a listed transaction in needs: one campaign in one run. */
export interface TakeInContext {
  deps: SweepDeps
  settings: SweepSettings
  campaignId: string
  result: CampaignSweep
  dryRun: boolean
  signal?: AbortSignal
  /** Transactions that failed in this run already: none is tried twice in one run. */
  attempted: Set<string>
}

/** A campaign's context at the start of a run: nothing counted, nothing tried yet. */
export function newTakeInContext(
  deps: SweepDeps,
  settings: SweepSettings,
  campaignId: string,
  { dryRun = false, signal }: { dryRun?: boolean; signal?: AbortSignal } = {},
): TakeInContext {
  const result = newCampaignSweep(campaignId)
  return { deps, settings, campaignId, result, dryRun, signal, attempted: new Set() }
}

/** One listed transaction, as the sweep sorts it out. */
export interface Listed {
  transaction: ApiTransaction
  /** The payload it is taken in as, or why it has none. */
  payload: TransactionPayload
  transactionId: string
  createdMs: number
  voucherId: string
  /** A full walk: listed at or before the incremental walk's cursor. */
  behindIncremental: boolean
  /** Where the walk left it; undefined until it is sorted out. */
  place?: ListedPlace
}

/**
 * Where a listed transaction stands after the walk: `in_ledger`; `not_ours` (a loyalty card's);
 * `recorded` (failing or parked: its failure record has it tried again or shown); `waiting`
 * (too recent, or a delivery of it under way). All but `waiting` let the cursor pass.
 */
export type ListedPlace = 'in_ledger' | 'not_ours' | 'recorded' | 'waiting'

const text = (value: unknown) => (typeof value === 'string' ? value : '')

export const listedOf = (transaction: ApiTransaction, behindIncremental = false): Listed => ({
  transaction,
  payload: transactionPayload(transaction),
  transactionId: text(transaction.id),
  createdMs: Date.parse(text(transaction.created_at)),
  voucherId: voucherIdOf(transaction),
  behindIncremental,
})

export const isLoyalty = ({ payload }: Listed) => !payload.ok && payload.reason === 'not_gift'

/** What became of a transaction the sweep tried to take in; all but `in_flight` are settled. */
export type TakeInOutcome =
  | 'taken_in'
  | 'already_stored'
  | 'would_take_in'
  /** A delivery of it is under way: the next run looks again. */
  | 'in_flight'
  /** Failed, fewer times than the limit: tried again next run. */
  | 'failing'
  | 'parked'

/**
 * Takes a gift transaction the ledger lacks in through the receiver's pipeline. A failure is
 * recorded (tried again every run until taken in, parked at the limit); a balance type the
 * document does not name is parked at once, as no retry can help until the code knows it.
 */
export async function takeInListed(
  context: TakeInContext,
  item: Listed,
  failure: SweepFailure | undefined,
): Promise<TakeInOutcome> {
  const { deps, result, dryRun } = context
  const { payload } = item
  if (!payload.ok) {
    result.unknownBalanceType++
    await park(context, item, noPayloadReason(payload), failure)
    return 'parked'
  }
  if (dryRun) {
    result.wouldTakeIn++
    return 'would_take_in'
  }
  // Not cut by the signal: a publish aborted midway may still go out, and the next sweep would
  // publish it again. The stop comes between transactions; one has a budget of its own.
  const taken = await takeInTransaction(deps.receiver, payload.body, 'sweep')
  switch (taken.outcome) {
    case 'taken_in':
    case 'already_stored':
      if (taken.outcome === 'taken_in') result.takenIn++
      else result.alreadyStored++
      if (taken.outcome === 'taken_in' && item.behindIncremental) result.missedByIncremental++
      if (failure) await clearFailure(context, item.transactionId)
      return taken.outcome
    case 'in_flight':
      result.inFlight++
      return 'in_flight'
    case 'failed':
      return recordFailure(context, item, taken.reason, failure)
  }
}

/** Counts one more failed attempt; parks the transaction at the limit. */
async function recordFailure(
  context: TakeInContext,
  item: Listed,
  reason: string,
  failure: SweepFailure | undefined,
): Promise<'failing' | 'parked'> {
  const { deps, settings, result, campaignId } = context
  const attempts = (failure?.attempts ?? 0) + 1
  context.attempted.add(item.transactionId)
  result.failures.push({ transactionId: item.transactionId, reason })
  if (attempts >= settings.parkAfterAttempts) {
    await park(context, item, reason, failure)
    return 'parked'
  }
  result.failed++
  const at = deps.receiver.clock().toISOString()
  await deps.sweeps.saveFailure({
    campaignId,
    transactionId: item.transactionId,
    attempts,
    reason,
    firstFailedAt: failure?.firstFailedAt ?? at,
    lastFailedAt: at,
  })
  return 'failing'
}

export async function clearFailure(
  { deps, campaignId, dryRun }: TakeInContext,
  transactionId: string,
): Promise<void> {
  if (!dryRun) await deps.sweeps.clearFailure(campaignId, transactionId)
}

async function park(
  { deps, campaignId, result, dryRun, attempted }: TakeInContext,
  item: Listed,
  reason: string,
  failure: SweepFailure | undefined,
): Promise<void> {
  if (dryRun) return
  attempted.add(item.transactionId)
  result.parked++
  const at = deps.receiver.clock().toISOString()
  await deps.sweeps.saveFailure({
    campaignId,
    transactionId: item.transactionId,
    attempts: (failure?.attempts ?? 0) + 1,
    reason,
    firstFailedAt: failure?.firstFailedAt ?? at,
    lastFailedAt: at,
    parkedAt: at,
  })
}

/** What became of one recorded failure tried again (ids and reasons only). */
export interface FailureRetry {
  campaignId: string
  transactionId: string
  /** `not_listed`: Voucherify no longer lists it; its record goes, there is nothing to take in. */
  outcome: TakeInOutcome | 'not_listed'
  reason?: string
}

/**
 * Tries the campaign's failing transactions again (or, after a fix, its parked ones), wherever
 * the walks are: each read from Voucherify by id and taken in. The sweep does this every run,
 * so a failure is retried until it is taken in or parked, and never holds a cursor back.
 */
export async function retryFailures(
  context: TakeInContext,
  which: 'failing' | 'parked',
): Promise<FailureRetry[]> {
  const { deps, campaignId, signal } = context
  const retries: FailureRetry[] = []
  const failures = await deps.sweeps.listFailures(campaignId, signal)
  for (const failure of failures) {
    const { transactionId } = failure
    if ((failure.parkedAt !== undefined) !== (which === 'parked')) continue
    if (context.attempted.has(transactionId)) continue
    signal?.throwIfAborted()
    const transaction = await deps.api.findTransaction(campaignId, transactionId, signal)
    if (!transaction) {
      await clearFailure(context, transactionId)
      retries.push({ campaignId, transactionId, outcome: 'not_listed' })
      continue
    }
    const failedBefore = context.result.failures.length
    // A parked one that fails again is parked again at once: its attempts are past the limit.
    const outcome = await takeInListed(context, listedOf(transaction), failure)
    const reason = context.result.failures[failedBefore]?.reason
    retries.push({ campaignId, transactionId, outcome, ...(reason ? { reason } : {}) })
  }
  return retries
}
