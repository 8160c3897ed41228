import type { LedgerHead, LedgerStep, LedgerVerdict } from './ledger-chain'

/** What became of one attempt to write a step. */
export type StepResult =
  | { status: 'applied' }
  /** Another delivery of the same transaction (any event type) applied it first: its verdict. */
  | { status: 'already_applied'; verdict: LedgerVerdict }
  /** The head was not what the step expected: here it is (undefined: the card has none). */
  | { status: 'head_changed'; head: LedgerHead | undefined }
  /** Another write to the same items was in progress; trying again may succeed. */
  | { status: 'conflict' }

/**
 * Storage port of the balance chain. `applyStep` records the step's verdict once per
 * transaction and moves the card's head, both or neither, and only when the head is what the
 * step expects. An aborted signal abandons the call.
 */
export interface LedgerStore {
  applyStep(step: LedgerStep, applied: AppliedBy, signal?: AbortSignal): Promise<StepResult>
}

/** Which delivery applied a step, kept beside the verdict. */
export interface AppliedBy {
  eventType: string
  at: string
}
