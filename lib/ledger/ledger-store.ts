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
  /** The card's head; undefined while the ledger holds no transaction of the card. */
  readHead(voucherId: string, signal?: AbortSignal): Promise<LedgerHead | undefined>
  /** Records on the card's head what Voucherify's balance said of it (see `Attestation`). */
  recordAttestation(
    voucherId: string,
    attestation: Attestation,
    signal?: AbortSignal,
  ): Promise<void>
}

/**
 * The head compared with the balance after Voucherify's newest transaction of the card: equal,
 * the chain is attested at `at`; else the difference (Voucherify's less the head's) is kept.
 */
export interface Attestation {
  at: string
  voucherifyBalance: number
  headBalance: number
}

/** Which delivery applied a step, kept beside the verdict. */
export interface AppliedBy {
  eventType: string
  at: string
}
