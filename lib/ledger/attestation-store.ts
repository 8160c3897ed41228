import type { LedgerHead } from './ledger-chain'

/**
 * The head compared with the balance after Voucherify's newest transaction of the card: equal,
 * the chain is attested at `at`; else the difference (Voucherify's less the head's) is kept.
 */
export interface Attestation {
  at: string
  voucherifyBalance: number
  /** The head compared: the record is written only while the head is still this one. */
  head: LedgerHead
}

/** A head as the attestation reads it: with when a step last wrote it. */
export interface AttestedHead extends LedgerHead {
  updatedAt?: string
}

/**
 * Storage port of the balance attestation the sweep makes: it reads a card's head and records
 * on it what Voucherify's balance said. Apart from LedgerStore, so that the webhook function,
 * which never attests, is granted no read of the table.
 */
export interface AttestationStore {
  /** The card's head, read strongly consistent; undefined while the ledger holds none of the card. */
  readHead(voucherId: string, signal?: AbortSignal): Promise<AttestedHead | undefined>
  /**
   * Records the attestation on the card's head, unless the head moved on from `attestation.head`
   * or a later attestation is there already: two sweeps cannot overwrite each other's newer word.
   */
  recordAttestation(
    voucherId: string,
    attestation: Attestation,
    signal?: AbortSignal,
  ): Promise<'recorded' | 'stale'>
}
