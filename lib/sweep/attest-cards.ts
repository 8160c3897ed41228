import type { AttestedHead } from '../ledger/attestation-store'
import { isBefore } from '../ledger/ledger-chain'
import type { CampaignSweep, SweepDeps } from './campaign-sweep'

/** A card's newest transaction a walk listed: what its head is compared with. */
export interface ListedNewest {
  transactionId: string
  createdMs: number
  /** Voucherify's balance after it; undefined when it reports none. */
  balanceAfter: number | undefined
}

/** A head a step wrote this recently may have a delivery of the card still under way. */
export const ATTESTATION_SETTLE_MS = 60_000

/**
 * Compares each card's head with Voucherify's balance after its newest listed transaction and
 * records the verdict on the head. A card is left alone when its head is newer than what was
 * listed, is behind it and was written within the settle window, or changes between the two
 * reads a disagreement takes: each means a transaction is on its way, not that one is lost.
 */
export async function attestCards(
  { attestations, receiver }: Pick<SweepDeps, 'attestations' | 'receiver'>,
  cards: ReadonlyMap<string, ListedNewest>,
  result: CampaignSweep,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const [voucherId, newest] of cards) {
    if (newest.balanceAfter === undefined) continue
    const head = await attestations.readHead(voucherId, signal)
    const now = receiver.clock()
    if (!head || isBefore(newest, head)) continue
    // Behind what was listed and written a moment ago: a delivery of the card may be under way.
    if (head.transactionId !== newest.transactionId && !settled(head, now)) continue
    if (head.balance !== newest.balanceAfter) {
      // Read again before raising: a head that moved meanwhile proves nothing.
      const again = await attestations.readHead(voucherId, signal)
      if (again?.transactionId !== head.transactionId || again.updatedAt !== head.updatedAt)
        continue
    }
    const recorded = await attestations.recordAttestation(
      voucherId,
      { at: now.toISOString(), voucherifyBalance: newest.balanceAfter, head },
      signal,
    )
    if (recorded === 'stale') continue
    if (head.balance === newest.balanceAfter) result.attested++
    else result.unattested.push(voucherId)
  }
}

const settled = (head: AttestedHead, now: Date) =>
  head.updatedAt === undefined ||
  now.getTime() - Date.parse(head.updatedAt) >= ATTESTATION_SETTLE_MS
