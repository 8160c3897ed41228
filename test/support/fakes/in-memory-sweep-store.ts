import type {
  CampaignSweepState,
  ListedLookUp,
  SweepFailure,
  SweepStore,
} from '../../../lib/sweep/sweep-store'
import type { InMemoryTransactionStore } from './in-memory-transaction-store'

/**
 * The sweep's state and failures per campaign, in memory; `lookUp` answers whether a
 * transaction is published from the transaction store the receiver writes to.
 */
export class InMemorySweepStore implements SweepStore {
  readonly states = new Map<string, CampaignSweepState>()
  readonly failures = new Map<string, SweepFailure>()
  /** Every state saved, in order: what a stopped sweep left behind. */
  readonly savedStates: Array<{ campaignId: string; state: CampaignSweepState }> = []

  constructor(private readonly transactions: InMemoryTransactionStore) {}

  async readStates(campaignIds: readonly string[]): Promise<Map<string, CampaignSweepState>> {
    return new Map(
      campaignIds.map((id) => [id, structuredClone(this.states.get(id) ?? { walks: {} })]),
    )
  }

  async saveState(campaignId: string, state: CampaignSweepState): Promise<void> {
    const saved = stored(state)
    this.savedStates.push({ campaignId, state: saved })
    this.states.set(campaignId, saved)
  }

  async lookUp(
    campaignId: string,
    transactionIds: readonly string[],
    eventType: string,
  ): Promise<ListedLookUp> {
    const published = transactionIds.filter(
      (id) =>
        this.transactions.get({ transaction_id: id, event_type: eventType })?.status ===
        'published',
    )
    const failures = transactionIds.flatMap((id) => {
      const failure = this.failures.get(failureKey(campaignId, id))
      return failure ? [[id, structuredClone(failure)] as const] : []
    })
    return { published: new Set(published), failures: new Map(failures) }
  }

  async saveFailure(failure: SweepFailure): Promise<void> {
    this.failures.set(failureKey(failure.campaignId, failure.transactionId), stored(failure))
  }

  async clearFailure(campaignId: string, transactionId: string): Promise<void> {
    this.failures.delete(failureKey(campaignId, transactionId))
  }

  /** In transaction id order, as the adapter's Query of the campaign's partition answers. */
  async listFailures(campaignId: string): Promise<SweepFailure[]> {
    return [...this.failures.values()]
      .filter((failure) => failure.campaignId === campaignId)
      .sort((a, b) => (a.transactionId < b.transactionId ? -1 : 1))
      .map((failure) => structuredClone(failure))
  }
}

const failureKey = (campaignId: string, transactionId: string) => `${campaignId} ${transactionId}`

/** A copy without the fields that are undefined, at any depth: DynamoDB keeps no undefined. */
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T
