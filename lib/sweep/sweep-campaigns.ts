import {
  type GiftCampaigns,
  RateLimitedError,
  VoucherifyApiError,
} from '../voucherify/voucherify-api'
import type { CampaignSweep, SweepDeps, SweepSettings } from './campaign-sweep'
import type { CampaignSweepState, WalkKind } from './sweep-store'
import { newTakeInContext, retryFailures } from './take-in-listed'
import { newWalk, type WalkContext, walkCampaign } from './walk-campaign'

export interface SweepRequest {
  /** The campaigns to sweep; every gift card campaign of the project when absent. */
  campaignIds?: readonly string[]
  /** Start a full walk of each campaign now, afresh, whatever one was under way. */
  full?: boolean
  /** Compare and count; take nothing in, record nothing. */
  dryRun?: boolean
  /** Stops the sweep after the transaction under way; the progress made is kept. */
  signal?: AbortSignal
  /** After each page: for a progress bar. */
  onPage?: (campaign: CampaignSweep) => void
}

export interface SweepSummary {
  campaigns: CampaignSweep[]
  /** Why the run stopped before every walk it had to make was done; the next run carries on. */
  stopReason?: string
  /** More gift campaigns exist than `GET /v1/campaigns` can page to: name them in the settings. */
  campaignsBeyondListing: boolean
}

/**
 * One sweep run. Every campaign's incremental walk first, the campaign that waited longest
 * first, then the full walks that are due: a long full walk never holds back another
 * campaign's new transactions, and a run that stops early leaves the others first in line.
 * What stops the whole run (its signal, a Retry-After longer than it waits, Voucherify
 * unreachable or refusing the keys) is recorded on the campaign it stopped in.
 */
export async function sweepCampaigns(
  deps: SweepDeps,
  settings: SweepSettings,
  request: SweepRequest = {},
): Promise<SweepSummary> {
  const { signal } = request
  let listing: GiftCampaigns
  try {
    listing = request.campaignIds
      ? { ids: [...request.campaignIds], complete: true }
      : await deps.api.listGiftCampaigns(signal)
  } catch (error) {
    const stopReason = stopReasonOf(error, signal)
    if (stopReason === undefined) throw error
    return { campaigns: [], stopReason, campaignsBeyondListing: false }
  }
  const states = await deps.sweeps.readStates(listing.ids, signal)
  const stateOf = (campaignId: string) => states.get(campaignId) ?? { walks: {} }
  const inLine = [...listing.ids].sort((a, b) =>
    (stateOf(a).visitedAt ?? '').localeCompare(stateOf(b).visitedAt ?? ''),
  )
  const contexts = new Map(
    inLine.map((campaignId): [string, WalkContext] => [
      campaignId,
      {
        ...newTakeInContext(deps, settings, campaignId, request),
        state: stateOf(campaignId),
        attestedCards: new Set(),
        onPage: request.onPage,
      },
    ]),
  )
  let stopReason: string | undefined
  const now = deps.receiver.clock()
  /** Campaigns whose incremental walk this run went from the start to the end: a full walk already. */
  const walkedWhole = new Set<string>()
  for (const kind of ['incremental', 'full'] as const) {
    for (const context of contexts.values()) {
      if (stopReason !== undefined) break
      const { state, result, campaignId } = context
      if (result.status === 'failed' || walkedWhole.has(campaignId)) continue
      if (kind === 'full' && !fullWalkDue(state, settings, request, now)) continue
      const { incremental } = state.walks
      const fromStart = incremental ? incremental.from === undefined : !state.coveredCursor
      if (kind === 'incremental') state.visitedAt = now.toISOString()
      // `--full` starts afresh, whatever full walk was under way or refused.
      if (kind === 'full' && request.full) state.walks.full = newWalk('full', state, now)
      stopReason = await walkOrStop(context, kind)
      if (kind === 'incremental' && fromStart && result.status === 'complete') {
        walkedWhole.add(campaignId)
      }
      // Failures are tried again every run wherever they lie, until taken in or parked.
      if (kind === 'incremental' && stopReason === undefined && !context.dryRun) {
        stopReason = await orStop(context, 'incremental', () => retryFailures(context, 'failing'))
      }
    }
  }
  return {
    campaigns: [...contexts.values()].map(({ result }) => result).filter((c) => c.walks.length),
    ...(stopReason === undefined ? {} : { stopReason }),
    campaignsBeyondListing: !listing.complete,
  }
}

/** A full walk is under way, asked for, or due (never before the first walk reached the end). */
function fullWalkDue(
  state: CampaignSweepState,
  settings: SweepSettings,
  request: SweepRequest,
  now: Date,
): boolean {
  if (state.walks.full || request.full) return true
  if (state.coveredCursor === undefined && state.fullWalkCompletedAt === undefined) return false
  const last = state.fullWalkCompletedAt ? Date.parse(state.fullWalkCompletedAt) : -Infinity
  return now.getTime() - last >= settings.fullWalkEveryMs
}

/** Runs the walk; answers why the whole run must stop, if it must. */
const walkOrStop = (context: WalkContext, kind: WalkKind) =>
  orStop(context, kind, () => walkCampaign(context, kind))

/**
 * Runs a campaign's work; an error that stops the whole run is recorded on the campaign, with
 * where and why, and answered; one of this campaign's only fails the campaign.
 */
async function orStop(
  context: WalkContext,
  kind: WalkKind,
  work: () => Promise<unknown>,
): Promise<string | undefined> {
  const { deps, state, result, signal } = context
  try {
    await work()
    return undefined
  } catch (error) {
    const reason = stopReasonOf(error, signal)
    if (reason === undefined) {
      result.status = 'failed'
      result.error = (error as Error).message
      return undefined
    }
    result.status = 'stopped'
    const cursor = state.walks[kind]?.cursor
    result.stop = {
      at: deps.receiver.clock().toISOString(),
      walk: kind,
      ...(cursor === undefined ? {} : { cursor }),
      reason,
    }
    state.lastStop = result.stop
    // Without the run's signal: it may be what stopped the run, and this is a single write.
    if (!context.dryRun) await deps.sweeps.saveState(context.campaignId, state)
    return reason
  }
}

/** The stop of a run whose time budget ended: a long walk carried on over several runs. */
export const TIME_RAN_OUT = "the run's time ran out"

/** Why an error stops the whole run rather than one campaign; undefined for one campaign's. */
function stopReasonOf(error: unknown, signal: AbortSignal | undefined): string | undefined {
  if (signal?.aborted) {
    const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError'
    return timedOut ? TIME_RAN_OUT : 'interrupted'
  }
  // Voucherify limits the whole project: every further request would be refused as well.
  if (error instanceof RateLimitedError) {
    return `Voucherify asked to wait ${Math.ceil(error.retryAfterMs / 1_000)} s, longer than a sweep waits`
  }
  if (error instanceof VoucherifyApiError) {
    const { status } = error
    if (status === undefined || status >= 500 || status === 401 || status === 403) {
      return `Voucherify: ${error.message}`
    }
  }
  return undefined
}
