/**
 * The two walks a campaign can have under way. `incremental`: from where the last one left
 * everything settled to the listing's end, every run. `full`: from the listing's start, relying
 * on nothing (onboarding, once every `fullWalkDays`, `--full`).
 */
export type WalkKind = 'incremental' | 'full'

/** One walk over a campaign's listing in id order (`order=id`); kept until it reaches the end. */
export interface SweepWalk {
  /** When it began: what it takes in and settles is measured from here. */
  startedAt: string
  /** The id it lists after; absent: the listing's start. */
  from?: string
  /** Where to carry on: every page up to this id is done. */
  cursor?: string
  /** The last id through which every transaction the walk listed is settled. */
  settledThrough?: string
  /** It met a transaction it could not settle: `settledThrough` moves no further. */
  held?: boolean
  /** A full walk: the incremental cursor when it began; what it takes in before that id, the incremental walk passed over. */
  incrementalCursor?: string
  /** A full walk: it has listed `incrementalCursor` already. */
  pastIncrementalCursor?: boolean
}

/** Why a walk stopped before the listing's end, and where: what the status shows. */
export interface SweepStop {
  at: string
  walk: WalkKind
  cursor?: string
  reason: string
}

/** What the table keeps of a campaign's sweeps. */
export interface CampaignSweepState {
  /** Where the next incremental walk starts; absent: no walk completed yet, it starts at the beginning. */
  coveredCursor?: string
  /** When a walk from the listing's start last reached the end. */
  fullWalkCompletedAt?: string
  walks: Partial<Record<WalkKind, SweepWalk>>
  /** When a run last reached the campaign: a run starts with the one that waited longest. */
  visitedAt?: string
  /** The last walk that stopped early; cleared when a walk of the same kind completes. */
  lastStop?: SweepStop
}

/** A listed transaction the sweep could not take in (ids and reasons only, never a value). */
export interface SweepFailure {
  campaignId: string
  transactionId: string
  attempts: number
  reason: string
  firstFailedAt: string
  lastFailedAt: string
  /** Parked: no longer tried, no longer holds the cursor; `npm run sweep -- --retry-parked` tries it again. */
  parkedAt?: string
}

/** What the table says of listed transactions: which the ledger published, which failed before. */
export interface ListedLookUp {
  published: Set<string>
  failures: Map<string, SweepFailure>
}

/**
 * Storage port of the sweep. Progress is written after the work it covers, so a sweep that
 * stops anywhere is carried on by the next without taking anything in twice.
 */
export interface SweepStore {
  /** Every campaign's state; a campaign never swept has `{ walks: {} }`. */
  readStates(
    campaignIds: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, CampaignSweepState>>
  saveState(campaignId: string, state: CampaignSweepState, signal?: AbortSignal): Promise<void>
  /** Which of these transactions the ledger has published as `eventType`, and their failures. */
  lookUp(
    campaignId: string,
    transactionIds: readonly string[],
    eventType: string,
    signal?: AbortSignal,
  ): Promise<ListedLookUp>
  saveFailure(failure: SweepFailure, signal?: AbortSignal): Promise<void>
  /** The transaction was taken in after all: its failure record goes. */
  clearFailure(campaignId: string, transactionId: string, signal?: AbortSignal): Promise<void>
  /** A campaign's failing and parked transactions (a query of its own partition). */
  listFailures(campaignId: string, signal?: AbortSignal): Promise<SweepFailure[]>
}
