import type { Deps } from '../deps'
import {
  assumeChainHolds,
  type ChainEntry,
  decideStep,
  type LedgerStep,
  type LedgerVerdict,
} from './ledger-chain'

/**
 * Attempts before giving up on a card whose head keeps moving (each lost race means another
 * transaction of the card was applied); the delivery then gets 503 and Voucherify retries.
 */
export const MAX_LEDGER_ATTEMPTS = 10

/** The transaction's verdict, and whether this delivery applied it (only those are counted). */
export interface LedgerOutcome {
  verdict: LedgerVerdict
  appliedNow: boolean
  /** This delivery's event type: for an applied step, the one that delivered it first. */
  eventType: string
}

/** A short random pause before retrying a write that collided with another (DynamoDB's advice). */
const conflictPause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt))

export class LedgerContentionError extends Error {
  override name = 'LedgerContentionError'
}

/**
 * Applies a transaction to its card's head exactly once, whichever event type delivers it
 * first. The first attempt assumes the chain holds (one call, no read); a refusal carries the
 * head as it is, and the next attempt is decided against that.
 */
export async function applyToLedger(
  deps: Pick<Deps, 'ledger' | 'clock'>,
  entry: ChainEntry,
  eventType: string,
  signal?: AbortSignal,
): Promise<LedgerOutcome> {
  let step: LedgerStep = assumeChainHolds(entry)
  for (let attempt = 1; attempt <= MAX_LEDGER_ATTEMPTS; attempt++) {
    const applied = { eventType, at: deps.clock().toISOString() }
    const result = await deps.ledger.applyStep(step, applied, signal)
    switch (result.status) {
      case 'applied':
        return { verdict: step.verdict, appliedNow: true, eventType }
      // A call whose answer was lost is resent by the SDK with the same ClientRequestToken,
      // which DynamoDB answers as applied: this is another delivery's step.
      case 'already_applied':
        return { verdict: result.verdict, appliedNow: false, eventType }
      case 'head_changed':
        step = decideStep(result.head, entry)
        break
      case 'conflict':
        await conflictPause(attempt)
        break
    }
  }
  throw new LedgerContentionError(
    `The ledger head of ${entry.voucherId} moved on ${MAX_LEDGER_ATTEMPTS} attempts in a row`,
  )
}
