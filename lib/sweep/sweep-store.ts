/** One pass over a campaign's transactions, newest first; kept until it completes. */
export interface SweepWalk {
  /** When the pass began: what it can vouch for ends `grace` before this. */
  startedAt: string
  /** The whole history (onboarding, `--full`), or back to the last completed pass. */
  full: boolean
  /** Where to carry on: the `starting_after_id` after the last page fully taken in. */
  cursor?: string
  /**
   * The oldest transaction so far the pass could not take in (failed, or claimed by a delivery
   * under way): the watermark never moves past it, so a later pass looks at it again.
   */
  oldestUnsettledAt?: string
}

/** What the table keeps of a campaign's sweeps. */
export interface SweepState {
  /** Every transaction created before this was considered by a completed pass. */
  coveredUntil?: string
  /** A pass under way, or stopped before it completed (the next run carries it on). */
  walk?: SweepWalk
}

/**
 * Storage port of the sweep. Progress is written after the work it covers, so a sweep that
 * stops anywhere is carried on by the next without taking anything in twice.
 */
export interface SweepStore {
  readState(campaignId: string, signal?: AbortSignal): Promise<SweepState>
  /** Keeps the pass's progress, after its pages up to `walk.cursor` are taken in. */
  saveWalk(campaignId: string, walk: SweepWalk, signal?: AbortSignal): Promise<void>
  /** Ends the pass: the watermark moves to `coveredUntil`, the progress is dropped. */
  completeWalk(campaignId: string, coveredUntil: string, signal?: AbortSignal): Promise<void>
  /** Which of these transactions the ledger has published as `eventType`. */
  publishedAmong(
    transactionIds: readonly string[],
    eventType: string,
    signal?: AbortSignal,
  ): Promise<Set<string>>
}
