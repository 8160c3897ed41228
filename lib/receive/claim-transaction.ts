import { randomUUID } from 'node:crypto'
import type { Deps } from '../deps'
import type { TransactionRecord } from './transaction-store'

export type ClaimOutcome =
  | { status: 'claimed'; claimToken: string }
  | { status: 'duplicate'; messageId: string; receivedCount: number }
  | { status: 'in_flight'; leaseExpiresAt: number }

/**
 * Decides whether this delivery may publish. The first delivery of a transaction claims it;
 * later ones are duplicates once it is published, wait while its claim is live, and take the
 * claim over once its lease has run out (the holder crashed or failed to publish).
 */
export async function claimTransaction(
  deps: Pick<Deps, 'store' | 'clock' | 'settings'>,
  record: TransactionRecord,
  signal?: AbortSignal,
): Promise<ClaimOutcome> {
  const now = deps.clock()
  const claim = { token: randomUUID(), expiresAt: now.getTime() + deps.settings.claimLeaseMs }
  const state = await deps.store.recordDelivery(record, claim, now.toISOString(), signal)
  if (state.status === 'published') {
    return { status: 'duplicate', messageId: state.messageId, receivedCount: state.receivedCount }
  }
  if (state.claimToken === claim.token) return { status: 'claimed', claimToken: claim.token }
  if (state.leaseExpiresAt > now.getTime()) {
    return { status: 'in_flight', leaseExpiresAt: state.leaseExpiresAt }
  }
  const tookOver = await deps.store.takeOverClaim(record, state.claimToken, claim, signal)
  return tookOver
    ? { status: 'claimed', claimToken: claim.token }
    : { status: 'in_flight', leaseExpiresAt: claim.expiresAt }
}
