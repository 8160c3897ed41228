import type { LedgerHead } from './ledger-chain'

/**
 * The head compared with the balance after Voucherify's newest transaction of the card: equal,
 * the chain is attested at `at`; else the difference (Voucherify's less the head's) is kept.
 */
export interface Attestation {
  at: string
  voucherifyBalance: number
  headBalance: number
}

/**
 * Storage port of the balance attestation the sweep makes: it reads a card's head and records
 * on it what Voucherify's balance said. Apart from LedgerStore, so that the webhook function,
 * which never attests, is granted no read of the table.
 */
export interface AttestationStore {
  /** The card's head; undefined while the ledger holds no transaction of the card. */
  readHead(voucherId: string, signal?: AbortSignal): Promise<LedgerHead | undefined>
  /** Records the attestation on the card's head; fails where the card has no head. */
  recordAttestation(
    voucherId: string,
    attestation: Attestation,
    signal?: AbortSignal,
  ): Promise<void>
}
