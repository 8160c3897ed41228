import type { SweepState, SweepStore, SweepWalk } from '../../../lib/sweep/sweep-store'
import type { InMemoryTransactionStore } from './in-memory-transaction-store'

/**
 * The sweep's state per campaign, in memory; `publishedAmong` answers from the transaction
 * store the receiver writes to, so a transaction taken in through the pipeline is published.
 */
export class InMemorySweepStore implements SweepStore {
  readonly states = new Map<string, SweepState>()
  /** Every walk saved, in order: what a stopped sweep left behind. */
  readonly savedWalks: Array<{ campaignId: string; walk: SweepWalk }> = []

  constructor(private readonly transactions: InMemoryTransactionStore) {}

  async readState(campaignId: string): Promise<SweepState> {
    const state = this.states.get(campaignId)
    return structuredClone(state ?? {})
  }

  async saveWalk(campaignId: string, walk: SweepWalk): Promise<void> {
    const saved = structuredClone(walk)
    this.savedWalks.push({ campaignId, walk: saved })
    this.states.set(campaignId, { ...this.states.get(campaignId), walk: saved })
  }

  async completeWalk(campaignId: string, coveredUntil: string): Promise<void> {
    this.states.set(campaignId, { coveredUntil })
  }

  async publishedAmong(transactionIds: readonly string[], eventType: string): Promise<Set<string>> {
    return new Set(
      transactionIds.filter(
        (id) =>
          this.transactions.get({ transaction_id: id, event_type: eventType })?.status ===
          'published',
      ),
    )
  }
}
