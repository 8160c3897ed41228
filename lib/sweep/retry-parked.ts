import { takeInTransaction } from '../voucherify/take-in-transaction'
import { noPayloadReason, transactionPayload } from '../voucherify/transaction-payload'
import type { SweepDeps } from './campaign-sweep'

/** What became of one parked transaction tried again (ids and reasons only). */
export interface ParkedRetry {
  campaignId: string
  transactionId: string
  /** `not_listed`: Voucherify no longer lists it; its record goes, there is nothing to take in. */
  outcome: 'taken_in' | 'already_stored' | 'in_flight' | 'still_failing' | 'not_listed'
  reason?: string
}

/**
 * Tries every parked transaction of the campaigns again, after a fix: each is read from
 * Voucherify by id and taken in through the receiver's pipeline. One taken in leaves the park;
 * one that fails again stays parked with the new reason.
 */
export async function retryParked(
  deps: SweepDeps,
  campaignIds: readonly string[],
  signal?: AbortSignal,
): Promise<ParkedRetry[]> {
  const retries: ParkedRetry[] = []
  for (const campaignId of campaignIds) {
    const parked = (await deps.sweeps.listFailures(campaignId, signal)).filter((f) => f.parkedAt)
    for (const failure of parked) {
      signal?.throwIfAborted()
      const { transactionId } = failure
      const retry = (outcome: ParkedRetry['outcome'], reason?: string) =>
        retries.push({ campaignId, transactionId, outcome, ...(reason ? { reason } : {}) })
      const transaction = await deps.api.findTransaction(campaignId, transactionId, signal)
      if (!transaction) {
        await deps.sweeps.clearFailure(campaignId, transactionId, signal)
        retry('not_listed')
        continue
      }
      const payload = transactionPayload(transaction)
      const taken = payload.ok
        ? await takeInTransaction(deps.receiver, payload.body, 'sweep')
        : ({ outcome: 'failed', reason: noPayloadReason(payload) } as const)
      if (taken.outcome === 'taken_in' || taken.outcome === 'already_stored') {
        await deps.sweeps.clearFailure(campaignId, transactionId, signal)
        retry(taken.outcome)
      } else if (taken.outcome === 'in_flight') {
        retry('in_flight', taken.reason)
      } else {
        const at = deps.receiver.clock().toISOString()
        await deps.sweeps.saveFailure(
          { ...failure, attempts: failure.attempts + 1, reason: taken.reason, lastFailedAt: at },
          signal,
        )
        retry('still_failing', taken.reason)
      }
    }
  }
  return retries
}
