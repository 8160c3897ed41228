import { isBefore } from '../ledger/ledger-chain'
import { takeInTransaction, voucherIdOf } from '../voucherify/take-in-transaction'
import {
  API_TRANSACTION_EVENT_TYPE,
  type ApiTransaction,
  noPayloadReason,
  type TransactionPayload,
  transactionPayload,
} from '../voucherify/transaction-payload'
import { CursorRefusedError } from '../voucherify/voucherify-api'
import { attestCards, type ListedNewest } from './attest-cards'
import type { CampaignSweep, SweepDeps, SweepSettings } from './campaign-sweep'
import type {
  CampaignSweepState,
  ListedLookUp,
  SweepFailure,
  SweepWalk,
  WalkKind,
} from './sweep-store'

/** What one walk needs beside its dependencies. */
export interface WalkContext {
  deps: SweepDeps
  settings: SweepSettings
  campaignId: string
  state: CampaignSweepState
  result: CampaignSweep
  dryRun: boolean
  signal?: AbortSignal
  onPage?: (campaign: CampaignSweep) => void
}

/** Refused cursors one walk restarts after in a run: back to its look-back, then to the start. */
const MAX_RESTARTS = 2

const text = (value: unknown) => (typeof value === 'string' ? value : '')

/** A walk of `kind` starting now: incremental from the covered cursor, full from the start. */
export function newWalk(kind: WalkKind, state: CampaignSweepState, now: Date): SweepWalk {
  const startedAt = now.toISOString()
  if (kind === 'incremental') {
    return state.coveredCursor === undefined
      ? { startedAt }
      : { startedAt, from: state.coveredCursor }
  }
  return state.coveredCursor === undefined
    ? { startedAt }
    : { startedAt, incrementalCursor: state.coveredCursor }
}

/**
 * Walks the campaign's listing in id order from where the walk of `kind` stands to the end
 * (`has_more` false): takes every gift transaction the ledger has not published in, parks what
 * keeps failing, attests the cards it saw, and keeps its progress after every page. Throws what
 * stops it (the signal, Voucherify); the progress made is kept.
 */
export async function walkCampaign(context: WalkContext, kind: WalkKind): Promise<void> {
  const { deps, state, result } = context
  let walk = state.walks[kind] ?? newWalk(kind, state, deps.receiver.clock())
  state.walks[kind] = walk
  result.walks.push(kind)
  const cards: SeenCards = { newest: new Map(), unsettled: new Set() }
  for (let restarts = 0; ; restarts++) {
    try {
      const startAfter = walk.cursor ?? walk.from
      for await (const page of deps.api.campaignTransactionPages(
        context.campaignId,
        startAfter,
        context.signal,
      )) {
        await settlePage(context, walk, page.data, cards)
        const last = page.data.at(-1)
        if (last !== undefined) walk.cursor = text(last.id)
        await save(context)
        context.onPage?.(result)
      }
      break
    } catch (error) {
      if (!(error instanceof CursorRefusedError) || restarts >= MAX_RESTARTS) {
        await attest(context, cards)
        throw error
      }
      result.cursorRefused++
      walk = restartAfterRefusal(kind, walk, state, deps.receiver.clock())
      state.walks[kind] = walk
    }
  }
  await attest(context, cards)
  complete(kind, walk, state)
  await save(context)
}

/**
 * Where a walk goes on after Voucherify refused its cursor: an incremental walk goes back to
 * where it started (its look-back); one refused there, and a full walk, start from the start.
 */
function restartAfterRefusal(
  kind: WalkKind,
  walk: SweepWalk,
  state: CampaignSweepState,
  now: Date,
): SweepWalk {
  if (kind === 'incremental' && walk.cursor !== undefined && walk.cursor !== walk.from) {
    return { startedAt: walk.startedAt, ...(walk.from === undefined ? {} : { from: walk.from }) }
  }
  if (kind === 'incremental') delete state.coveredCursor
  return newWalk(kind, state, now)
}

/** The walk reached the listing's end: what it settled becomes the campaign's covered ground. */
function complete(kind: WalkKind, walk: SweepWalk, state: CampaignSweepState): void {
  if (kind === 'incremental') {
    const covered = walk.settledThrough ?? walk.from
    if (covered === undefined) delete state.coveredCursor
    else state.coveredCursor = covered
  }
  if (kind === 'full' || walk.from === undefined) state.fullWalkCompletedAt = walk.startedAt
  delete state.walks[kind]
  if (state.lastStop?.walk === kind) delete state.lastStop
}

async function save({ deps, campaignId, state, dryRun }: WalkContext): Promise<void> {
  if (!dryRun) await deps.sweeps.saveState(campaignId, state)
}

/** The cards a walk listed: each one's newest gift transaction, and those with one on its way. */
interface SeenCards {
  newest: Map<string, ListedNewest>
  unsettled: Set<string>
}

async function attest(context: WalkContext, cards: SeenCards) {
  if (context.dryRun) return
  const settled = new Map(
    [...cards.newest].filter(([voucherId]) => !cards.unsettled.has(voucherId)),
  )
  await attestCards(context.deps, settled, context.result, context.signal)
}

/** One listed transaction, as the walk sorts it out. */
interface Listed {
  transaction: ApiTransaction
  /** The payload it is taken in as, or why it has none. */
  payload: TransactionPayload
  transactionId: string
  createdMs: number
  voucherId: string
  /** A full walk: listed at or before the incremental walk's cursor. */
  behindIncremental: boolean
  /** Whether the walk may move its settled cursor past it. */
  settled: boolean
}

/**
 * Takes in the page's missing gift transactions oldest first (equal times in id order, the
 * order they were created in), then moves the settled cursor over the page, in listing order,
 * as far as every transaction is settled and older than grace + overlap.
 */
async function settlePage(
  context: WalkContext,
  walk: SweepWalk,
  transactions: readonly ApiTransaction[],
  cards: SeenCards,
): Promise<void> {
  const { deps, settings, result, campaignId, signal } = context
  const startedMs = Date.parse(walk.startedAt)
  const takeInBeforeMs = startedMs - settings.graceMs
  const settleBeforeMs = takeInBeforeMs - settings.overlapMs
  const listed = transactions.map((transaction): Listed => {
    const transactionId = text(transaction.id)
    const behindIncremental =
      walk.incrementalCursor !== undefined && walk.pastIncrementalCursor !== true
    if (transactionId === walk.incrementalCursor) walk.pastIncrementalCursor = true
    return {
      transaction,
      payload: transactionPayload(transaction),
      transactionId,
      createdMs: Date.parse(text(transaction.created_at)),
      voucherId: voucherIdOf(transaction),
      behindIncremental,
      settled: false,
    }
  })
  result.listed += listed.length
  const ours = listed.filter((item) => !isLoyalty(item))
  const lookUp = await deps.sweeps.lookUp(
    campaignId,
    ours.map(({ transactionId }) => transactionId),
    API_TRANSACTION_EVENT_TYPE,
    signal,
  )
  const chainOrder = [...listed].sort((a, b) => (isBefore(a, b) ? -1 : isBefore(b, a) ? 1 : 0))
  for (const item of chainOrder) {
    signal?.throwIfAborted()
    item.settled = await settleOne(context, item, takeInBeforeMs, lookUp)
    noteCard(cards, item, lookUp)
  }
  for (const item of listed) {
    if (walk.held) break
    // Older than grace + overlap: a transaction listed later has an id after it (the assumption).
    if (item.settled && !(item.createdMs > settleBeforeMs)) walk.settledThrough = item.transactionId
    else walk.held = true
  }
}

const isLoyalty = ({ payload }: Listed) => !payload.ok && payload.reason === 'not_gift'

/** Keeps the card's newest listed gift transaction; a card with one unsettled or parked is not compared. */
function noteCard(cards: SeenCards, item: Listed, lookUp: ListedLookUp) {
  if (!item.payload.ok) return
  if (!item.settled || lookUp.failures.get(item.transactionId)?.parkedAt !== undefined) {
    cards.unsettled.add(item.voucherId)
  }
  const known = cards.newest.get(item.voucherId)
  if (known && !isBefore(known, item)) return
  const balance = (item.transaction.details as { balance?: { balance?: unknown } }).balance?.balance
  cards.newest.set(item.voucherId, {
    transactionId: item.transactionId,
    createdMs: item.createdMs,
    balanceAfter: typeof balance === 'number' ? balance : undefined,
  })
}

/** What became of one listed transaction; true when it is settled (nothing left to do). */
async function settleOne(
  context: WalkContext,
  item: Listed,
  takeInBeforeMs: number,
  lookUp: ListedLookUp,
): Promise<boolean> {
  const { deps, result, dryRun } = context
  const { payload } = item
  if (isLoyalty(item)) {
    result.notGift++
    return true
  }
  const failure = lookUp.failures.get(item.transactionId)
  if (lookUp.published.has(item.transactionId)) {
    result.found++
    if (failure) await clearFailure(context, item)
    return true
  }
  if (failure?.parkedAt !== undefined) {
    result.stillParked++
    return true
  }
  if (!payload.ok) {
    // A balance the document does not name: no retry can help until the code knows it.
    result.unknownBalanceType++
    await park(context, item, noPayloadReason(payload), failure)
    return true
  }
  // An unreadable created_at is not too recent: the schema refuses it, and it is parked in time.
  if (item.createdMs > takeInBeforeMs) {
    result.tooRecent++
    return false
  }
  if (dryRun) {
    result.wouldTakeIn++
    return false
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
      if (failure) await clearFailure(context, item)
      return true
    case 'in_flight':
      result.inFlight++
      return false
    case 'failed':
      return recordFailure(context, item, taken.reason, failure)
  }
}

/** Counts one more failed attempt; parks the transaction at the limit. True once parked. */
async function recordFailure(
  context: WalkContext,
  item: Listed,
  reason: string,
  failure: SweepFailure | undefined,
): Promise<boolean> {
  const { deps, settings, result } = context
  const attempts = (failure?.attempts ?? 0) + 1
  result.failures.push({ transactionId: item.transactionId, reason })
  if (attempts >= settings.parkAfterAttempts) {
    await park(context, item, reason, failure)
    return true
  }
  result.failed++
  const at = deps.receiver.clock().toISOString()
  await deps.sweeps.saveFailure({
    campaignId: context.campaignId,
    transactionId: item.transactionId,
    attempts,
    reason,
    firstFailedAt: failure?.firstFailedAt ?? at,
    lastFailedAt: at,
  })
  return false
}

async function clearFailure({ deps, campaignId, dryRun }: WalkContext, item: Listed) {
  if (!dryRun) await deps.sweeps.clearFailure(campaignId, item.transactionId)
}

async function park(
  { deps, campaignId, result, dryRun }: WalkContext,
  item: Listed,
  reason: string,
  failure: SweepFailure | undefined,
): Promise<void> {
  if (dryRun) return
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
