import type { Deps } from '../deps'
import type { AttestationStore } from '../ledger/attestation-store'
import type { SweepApi } from './sweep-api'
import type { SweepStop, SweepStore, WalkKind } from './sweep-store'

export interface SweepDeps {
  /** The receiver's own dependencies: a missing transaction goes through its pipeline. */
  receiver: Deps
  sweeps: SweepStore
  attestations: AttestationStore
  api: SweepApi
}

export interface SweepSettings {
  /** Transactions younger than this are left to their webhooks, and to the next sweep. */
  graceMs: number
  /**
   * How much later than its grace a transaction may first be listed: the incremental walk's
   * cursor never passes a transaction younger than grace + overlap (docs/design.md "The sweep").
   */
  overlapMs: number
  /** A walk from the listing's start once every this long: it finds what the incremental walk passed over. */
  fullWalkEveryMs: number
  /** Failed attempts after which a transaction is parked. */
  parkAfterAttempts: number
}

/** One campaign in one sweep run: counts, and why a transaction was not taken in (ids only). */
export interface CampaignSweep {
  campaignId: string
  /** `stopped`: the run ended before this campaign's walk did; the next run carries it on. */
  status: 'complete' | 'stopped' | 'failed'
  /** The walks this run made of it, in order. */
  walks: WalkKind[]
  listed: number
  /** Gift transactions the ledger has published already. */
  found: number
  takenIn: number
  wouldTakeIn: number
  /** Stored by its webhook between the comparison and the take-in. */
  alreadyStored: number
  /** Claimed by a delivery under way: the next sweep looks again. */
  inFlight: number
  /** Failed this time, fewer than `parkAfterAttempts` times so far: tried again next run. */
  failed: number
  /** Parked by this run: failed `parkAfterAttempts` times, or of a balance type not known. */
  parked: number
  /** Parked before: listed and left alone until `--retry-parked`. */
  stillParked: number
  /** Of a `details.balance.type` that is neither `gift_voucher` nor `loyalty_card` (parked). */
  unknownBalanceType: number
  /** Loyalty card transactions: not the ledger's. */
  notGift: number
  /** Younger than the grace period: left to the webhook and the next sweep. */
  tooRecent: number
  /** Taken in by a full walk behind the incremental walk's cursor: its assumption did not hold. */
  missedByIncremental: number
  /** Cursors Voucherify refused: the walk restarted further back. */
  cursorRefused: number
  attested: number
  /** Cards whose head disagrees with Voucherify's balance: recorded on the head. */
  unattested: string[]
  failures: Array<{ transactionId: string; reason: string }>
  /** Where and why the run stopped in this campaign. */
  stop?: SweepStop
  error?: string
}

export function newCampaignSweep(campaignId: string): CampaignSweep {
  return {
    campaignId,
    status: 'complete',
    walks: [],
    listed: 0,
    found: 0,
    takenIn: 0,
    wouldTakeIn: 0,
    alreadyStored: 0,
    inFlight: 0,
    failed: 0,
    parked: 0,
    stillParked: 0,
    unknownBalanceType: 0,
    notGift: 0,
    tooRecent: 0,
    missedByIncremental: 0,
    cursorRefused: 0,
    attested: 0,
    unattested: [],
    failures: [],
  }
}
