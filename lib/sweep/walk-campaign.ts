import { isBefore } from '../ledger/ledger-chain'
import { API_TRANSACTION_EVENT_TYPE, type ApiTransaction } from '../voucherify/transaction-payload'
import { CursorRefusedError } from '../voucherify/voucherify-api'
import { attestCards, type ListedNewest } from './attest-cards'
import type { CampaignSweep } from './campaign-sweep'
import type { CampaignSweepState, ListedLookUp, SweepWalk, WalkKind } from './sweep-store'
import {
  clearFailure,
  isLoyalty,
  type Listed,
  type ListedPlace,
  listedOf,
  type TakeInContext,
  takeInListed,
} from './take-in-listed'

/** What one walk needs: a campaign in a run, and its state. */
export interface WalkContext extends TakeInContext {
  state: CampaignSweepState
  /** Cards attested in this run already: a full walk after the incremental one skips them. */
  attestedCards: Set<string>
  onPage?: (campaign: CampaignSweep) => void
}

/** Refused cursors one walk restarts after in a run: back to its look-back, then to the start. */
const MAX_RESTARTS = 2

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
        await save(context)
        context.onPage?.(result)
      }
      break
    } catch (error) {
      // Unattested cards of a stopped walk wait for the next: the run's time is up, or nearly.
      if (!(error instanceof CursorRefusedError) || restarts >= MAX_RESTARTS) throw error
      result.cursorRefused++
      walk = restartAfterRefusal(kind, walk, state, deps.receiver.clock())
      state.walks[kind] = walk
    }
  }
  complete(kind, walk, state)
  await save(context)
  // After the walk is recorded as done: a deadline that cuts the attestation short loses no walk.
  await attest(context, cards)
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
  if (kind === 'full' || state.coveredCursor === undefined) return newWalk(kind, state, now)
  // From the start: what it takes in behind the refused cursor, incremental walks passed over.
  const incrementalCursor = state.coveredCursor
  delete state.coveredCursor
  return { ...newWalk(kind, state, now), incrementalCursor }
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
  const { attestedCards } = context
  const settled = new Map(
    [...cards.newest].filter(([id]) => !cards.unsettled.has(id) && !attestedCards.has(id)),
  )
  await attestCards(context.deps, settled, context.result, context.signal)
  for (const voucherId of settled.keys()) attestedCards.add(voucherId)
}

/**
 * Takes in the page's missing gift transactions oldest first (equal times in id order, the
 * order they were created in), then moves the settled cursor over the page, in listing order,
 * as far as every transaction is settled and older than grace + overlap, and the walk's cursor
 * past the page.
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
  const listed = transactions.map((transaction) => {
    const behindIncremental =
      walk.incrementalCursor !== undefined && walk.pastIncrementalCursor !== true
    if (transaction.id === walk.incrementalCursor) walk.pastIncrementalCursor = true
    return listedOf(transaction, behindIncremental)
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
    item.place = await placeOf(context, item, takeInBeforeMs, lookUp)
    noteCard(cards, item)
  }
  for (const item of listed) {
    if (walk.held) break
    // Older than grace + overlap: a transaction listed later has an id after it (the assumption).
    const settled = item.place !== 'waiting' && !(item.createdMs > settleBeforeMs)
    if (settled) walk.settledThrough = item.transactionId
    else walk.held = true
  }
  const last = listed.at(-1)
  if (last !== undefined) walk.cursor = last.transactionId
}

/** Keeps the card's newest listed gift transaction; a card with one not in the ledger is not compared. */
function noteCard(cards: SeenCards, item: Listed) {
  if (isLoyalty(item)) return
  if (item.place !== 'in_ledger') cards.unsettled.add(item.voucherId)
  if (!item.payload.ok) return
  const known = cards.newest.get(item.voucherId)
  if (known && !isBefore(known, item)) return
  const balance = (item.transaction.details as { balance?: { balance?: unknown } }).balance?.balance
  cards.newest.set(item.voucherId, {
    transactionId: item.transactionId,
    createdMs: item.createdMs,
    balanceAfter: typeof balance === 'number' ? balance : undefined,
  })
}

/** Sorts one listed transaction out: takes it in if the ledger lacks it, and says where it stands. */
async function placeOf(
  context: WalkContext,
  item: Listed,
  takeInBeforeMs: number,
  lookUp: ListedLookUp,
): Promise<ListedPlace> {
  const { result } = context
  if (isLoyalty(item)) {
    result.notGift++
    return 'not_ours'
  }
  const failure = lookUp.failures.get(item.transactionId)
  if (lookUp.published.has(item.transactionId)) {
    result.found++
    if (failure) await clearFailure(context, item.transactionId)
    return 'in_ledger'
  }
  if (failure?.parkedAt !== undefined) {
    result.stillParked++
    return 'recorded'
  }
  // Failed earlier in this run: its failure record has it tried again next run.
  if (context.attempted.has(item.transactionId)) return 'recorded'
  // An unreadable created_at is not too recent: the schema refuses it, and it is parked in time.
  if (item.payload.ok && item.createdMs > takeInBeforeMs) {
    result.tooRecent++
    return 'waiting'
  }
  const outcome = await takeInListed(context, item, failure)
  if (outcome === 'taken_in' || outcome === 'already_stored') return 'in_ledger'
  return outcome === 'in_flight' ? 'waiting' : 'recorded'
}
