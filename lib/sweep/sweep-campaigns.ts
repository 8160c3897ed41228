import type { Deps } from '../deps'
import type { AttestationStore } from '../ledger/attestation-store'
import { takeInTransaction, voucherIdOf } from '../voucherify/take-in-transaction'
import {
  API_TRANSACTION_EVENT_TYPE,
  type ApiTransaction,
  transactionPayload,
} from '../voucherify/transaction-payload'
import type { TransactionPage } from '../voucherify/voucherify-api'
import type { SweepStore, SweepWalk } from './sweep-store'

/** What the sweep reads of Voucherify's API. */
export interface SweepApi {
  listGiftCampaigns(signal?: AbortSignal): Promise<string[]>
  /** Newest first, from the start or after a previous page's cursor. */
  campaignTransactionPages(
    campaignId: string,
    startingAfter: string | undefined,
    signal?: AbortSignal,
  ): AsyncIterable<TransactionPage>
}

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
  /** How far before the last completed pass a pass looks again, for transactions listed late. */
  overlapMs: number
}

export interface SweepRequest {
  /** The campaigns to sweep; every gift card campaign of the project when absent. */
  campaignIds?: readonly string[]
  /** Walk each campaign's whole history (what the first sweep of a stage does anyway). */
  full?: boolean
  /** Compare and count; take nothing in, record nothing. */
  dryRun?: boolean
  /** Stops the sweep after the transaction under way; the progress made is kept. */
  signal?: AbortSignal
  /** After each page: for a progress bar. */
  onPage?: (campaign: CampaignSweep) => void
}

/** One campaign's pass: counts, and why a transaction was not taken in (ids only). */
export interface CampaignSweep {
  campaignId: string
  /** `stopped`: the signal ended it; the next sweep carries on from its last page. */
  status: 'complete' | 'stopped' | 'failed'
  full: boolean
  listed: number
  /** Gift transactions the ledger has published already. */
  found: number
  takenIn: number
  wouldTakeIn: number
  /** Stored by its webhook between the comparison and the take-in. */
  alreadyStored: number
  /** Claimed by a delivery under way: the next sweep looks again. */
  inFlight: number
  failed: number
  /** Loyalty card transactions: not the ledger's. */
  notGift: number
  /** Younger than the grace period: left to the webhook and the next sweep. */
  tooRecent: number
  /** Older than the pass looks back: a completed pass covered them. */
  covered: number
  attested: number
  /** Cards whose head disagrees with Voucherify's balance: recorded on the head. */
  unattested: string[]
  failures: Array<{ transactionId: string; reason: string }>
  error?: string
}

export interface SweepSummary {
  campaigns: CampaignSweep[]
}

const text = (value: unknown) => (typeof value === 'string' ? value : '')

/** The balance Voucherify reports after `transaction`, when it reports one. */
function balanceAfter(transaction: ApiTransaction): number | undefined {
  const details = transaction.details as { balance?: { balance?: unknown } } | null | undefined
  const balance = details?.balance?.balance
  return typeof balance === 'number' ? balance : undefined
}

function newCampaignSweep(campaignId: string, full: boolean): CampaignSweep {
  return {
    campaignId,
    status: 'complete',
    full,
    listed: 0,
    found: 0,
    takenIn: 0,
    wouldTakeIn: 0,
    alreadyStored: 0,
    inFlight: 0,
    failed: 0,
    notGift: 0,
    tooRecent: 0,
    covered: 0,
    attested: 0,
    unattested: [],
    failures: [],
  }
}

/**
 * For each gift campaign, lists its transactions newest first back to where the last completed
 * pass left off (less an overlap), and takes every gift transaction the ledger has not published
 * in through the receiver's pipeline, marked `origin=sweep`; then attests each card it saw.
 */
export async function sweepCampaigns(
  deps: SweepDeps,
  settings: SweepSettings,
  request: SweepRequest = {},
): Promise<SweepSummary> {
  const campaignIds = request.campaignIds ?? (await deps.api.listGiftCampaigns(request.signal))
  const campaigns: CampaignSweep[] = []
  for (const campaignId of campaignIds) {
    campaigns.push(await sweepCampaign(deps, settings, campaignId, request))
    if (campaigns.at(-1)?.status === 'stopped') break
  }
  return { campaigns }
}

/**
 * How many pages a pass lists before it takes their missing transactions in, oldest first: a
 * backlog within them reaches each card's chain in the order it happened.
 */
const PAGES_PER_BATCH = 20

/** A listed gift transaction old enough to be taken in. */
interface Candidate {
  transaction: ApiTransaction
  createdMs: number
  /** Its card's first in the pass, so its newest: what the card is attested against. */
  newestOfCard: boolean
}

interface Pass {
  graceCutoffMs: number
  lookBackToMs: number | undefined
  seenCards: Set<string>
  walk: SweepWalk
}

async function sweepCampaign(
  deps: SweepDeps,
  settings: SweepSettings,
  campaignId: string,
  request: SweepRequest,
): Promise<CampaignSweep> {
  const { signal, dryRun = false } = request
  const state = await deps.sweeps.readState(campaignId, signal)
  const full = request.full === true || state.coveredUntil === undefined
  // A pass that stopped is carried on, unless a whole walk is asked for and it was not one.
  const walk: SweepWalk =
    state.walk && (state.walk.full || !full)
      ? { ...state.walk }
      : { startedAt: deps.receiver.clock().toISOString(), full }
  const result = newCampaignSweep(campaignId, walk.full)
  const pass: Pass = {
    graceCutoffMs: Date.parse(walk.startedAt) - settings.graceMs,
    lookBackToMs:
      walk.full || state.coveredUntil === undefined
        ? undefined
        : Date.parse(state.coveredUntil) - settings.overlapMs,
    seenCards: new Set<string>(),
    walk,
  }
  try {
    let batch: Candidate[] = []
    let pagesInBatch = 0
    for await (const page of deps.api.campaignTransactionPages(campaignId, walk.cursor, signal)) {
      const listed = readPage(page.data, pass, result)
      batch.push(...listed.candidates)
      pagesInBatch++
      const last = listed.reachedCovered || page.next === undefined
      if (last || pagesInBatch === PAGES_PER_BATCH) {
        await takeIn(deps, batch, pass, result, dryRun, signal)
        batch = []
        pagesInBatch = 0
        if (!last) {
          walk.cursor = page.next
          if (!dryRun) await deps.sweeps.saveWalk(campaignId, walk, signal)
        }
      }
      request.onPage?.(result)
      if (last) break
    }
    if (!dryRun) {
      const unsettledMs = walk.oldestUnsettledAt ? Date.parse(walk.oldestUnsettledAt) : Infinity
      const coveredUntil = new Date(Math.min(pass.graceCutoffMs, unsettledMs)).toISOString()
      await deps.sweeps.completeWalk(campaignId, coveredUntil, signal)
    }
  } catch (error) {
    if (signal?.aborted) return { ...result, status: 'stopped' }
    return { ...result, status: 'failed', error: (error as Error).message }
  }
  return result
}

/** Sorts one page's transactions out; true once the page reaches covered ground. */
function readPage(
  transactions: readonly ApiTransaction[],
  pass: Pass,
  result: CampaignSweep,
): { candidates: Candidate[]; reachedCovered: boolean } {
  let reachedCovered = false
  const candidates: Candidate[] = []
  for (const transaction of transactions) {
    result.listed++
    const createdMs = Date.parse(text(transaction.created_at))
    if (pass.lookBackToMs !== undefined && createdMs < pass.lookBackToMs) {
      result.covered++
      reachedCovered = true
      continue
    }
    const payload = transactionPayload(transaction)
    if (!payload.ok && payload.reason === 'not_gift') {
      result.notGift++
      continue
    }
    // Newest first: a card's first transaction in the pass is its newest one.
    const voucherId = voucherIdOf(transaction)
    const newestOfCard = !pass.seenCards.has(voucherId)
    pass.seenCards.add(voucherId)
    if (createdMs > pass.graceCutoffMs) {
      result.tooRecent++
      continue
    }
    candidates.push({ transaction, createdMs, newestOfCard })
  }
  return { candidates, reachedCovered }
}

/** Takes in, oldest first, the candidates the ledger has not published, then attests their cards. */
async function takeIn(
  deps: SweepDeps,
  candidates: readonly Candidate[],
  pass: Pass,
  result: CampaignSweep,
  dryRun: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ids = candidates.map(({ transaction }) => text(transaction.id))
  const published = await deps.sweeps.publishedAmong(ids, API_TRANSACTION_EVENT_TYPE, signal)
  // Oldest first, as they happened: newest first would give each card's chain a gap and then
  // out_of_order verdicts, and FIFO subscribers the card's transactions backwards.
  const oldestFirst = [...candidates].sort((a, b) => a.createdMs - b.createdMs)
  // What the pass could not take in holds the watermark back, so the next pass sees it again.
  const unsettled = ({ createdMs }: Candidate) => {
    const oldest = pass.walk.oldestUnsettledAt
    if (Number.isFinite(createdMs) && (oldest === undefined || createdMs < Date.parse(oldest))) {
      pass.walk.oldestUnsettledAt = new Date(createdMs).toISOString()
    }
  }
  const fail = (candidate: Candidate, reason: string) => {
    result.failed++
    result.failures.push({ transactionId: text(candidate.transaction.id), reason })
    unsettled(candidate)
  }
  for (const candidate of oldestFirst) {
    signal?.throwIfAborted()
    const transactionId = text(candidate.transaction.id)
    if (published.has(transactionId)) {
      result.found++
      continue
    }
    const payload = transactionPayload(candidate.transaction)
    if (!payload.ok) {
      fail(candidate, payload.reason)
    } else if (dryRun) {
      result.wouldTakeIn++
    } else {
      // Not cut by the signal: a publish aborted midway may still go out, and the next sweep
      // would publish it again. The stop comes between transactions; one has a budget of its own.
      const taken = await takeInTransaction(deps.receiver, payload.body, 'sweep')
      if (taken.outcome === 'taken_in') result.takenIn++
      if (taken.outcome === 'already_stored') result.alreadyStored++
      if (taken.outcome === 'in_flight') {
        result.inFlight++
        unsettled(candidate)
      }
      if (taken.outcome === 'failed') fail(candidate, taken.reason)
    }
  }
  if (!dryRun) {
    for (const { transaction, newestOfCard } of candidates) {
      if (newestOfCard) await attest(deps, transaction, result, signal)
    }
  }
}

/**
 * Compares the card's head with the balance after Voucherify's newest transaction of it, and
 * records the verdict on the head. A head newer than that transaction says this pass did not
 * see the card's newest (it carried on after a stop): nothing is recorded then.
 */
async function attest(
  { attestations, receiver }: Pick<SweepDeps, 'attestations' | 'receiver'>,
  transaction: ApiTransaction,
  result: CampaignSweep,
  signal: AbortSignal | undefined,
): Promise<void> {
  const voucherId = voucherIdOf(transaction)
  const voucherifyBalance = balanceAfter(transaction)
  const head = await attestations.readHead(voucherId, signal)
  if (!head || voucherifyBalance === undefined) return
  if (head.createdMs > Date.parse(text(transaction.created_at))) return
  await attestations.recordAttestation(
    voucherId,
    { at: receiver.clock().toISOString(), voucherifyBalance, headBalance: head.balance },
    signal,
  )
  if (voucherifyBalance === head.balance) result.attested++
  else result.unattested.push(voucherId)
}
