// A world for sweepCampaigns without I/O: the receiver on fakes, the sweep store fake answering
// from the receiver's transaction store, and Voucherify as the stand-in `npm start` runs
// (scripts/local/voucherify-stand-in.ts), answered in-process through the real API client.
// Waits (Retry-After, back-offs) move the manual clock instead of time.

import { receiveWebhook } from '../../lib/receive/receive-webhook'
import { signPayload } from '../../lib/receive/signature'
import type { CampaignSweep, SweepSettings } from '../../lib/sweep/campaign-sweep'
import { voucherifySweepApi } from '../../lib/sweep/sweep-api'
import { type SweepRequest, sweepCampaigns } from '../../lib/sweep/sweep-campaigns'
import { sweepSettingsOf } from '../../lib/sweep/sweep-config'
import type { RequestPacer } from '../../lib/voucherify/request-pacer'
import { API_TRANSACTION_EVENT_TYPE } from '../../lib/voucherify/transaction-payload'
import { type StandInOptions, standInFetch } from '../../scripts/local/voucherify-stand-in'
import { envelopeFor, giftEventData } from '../../scripts/sample-events'
import { fakeDeps, TEST_SECRET } from './fakes/fake-deps'
import { InMemorySweepStore } from './fakes/in-memory-sweep-store'
import { transactionOf } from './gift-card'

type Json = Record<string, unknown>

export const CREATED = API_TRANSACTION_EVENT_TYPE
export const MINUTE = 60_000
export const KEYS = { appId: 'sweep-world-app', secretKey: 'sweep-world-secret' }
/** The defaults: grace 10 min, overlap 60 min, a full walk every 7 days, parked after 3 failures. */
export const DEFAULT_SETTINGS: SweepSettings = sweepSettingsOf({
  graceMinutes: 10,
  overlapMinutes: 60,
  fullWalkDays: 7,
  parkAfterAttempts: 3,
})

/** Never waits: the tests' time is the manual clock. */
const noPacer: RequestPacer = { waitTurn: async () => {}, holdFor: () => {} }

/** One gift transaction as both Voucherify's webhook and its API carry it. */
export interface WorldTransaction {
  id: string
  voucherId: string
  createdMs: number
  balanceAfter: number
  /** The webhook's data object. */
  data: Json
  /** The transaction as `GET /v1/campaigns/{id}/transactions` lists it. */
  listed: Json
}

/** Ids that sort as the transactions were created: what the incremental walk relies on. */
export function idFactory() {
  let sequence = 0
  return (createdMs: number) =>
    `vtx_${createdMs.toString(16).padStart(12, '0')}${(sequence++).toString(16).padStart(6, '0')}`
}

export function giftTransaction(options: {
  id: string
  voucherId: string
  campaignId: string
  createdMs: number
  amount: number
  balanceAfter: number
}): WorldTransaction {
  const data = giftEventData(CREATED, {
    transactionId: options.id,
    voucherId: options.voucherId,
    transactionType: options.amount < 0 ? 'CREDITS_REMOVAL' : 'CREDITS_ADDITION',
    amount: options.amount,
    balanceAfter: options.balanceAfter,
    createdAt: new Date(options.createdMs).toISOString(),
  })
  const transaction = transactionOf(data)
  transaction.campaign_id = options.campaignId
  transaction.voucher_id = options.voucherId
  return { ...options, data, listed: structuredClone(transaction) }
}

export function sweepWorld({
  pageSize = 100,
  now = Date.parse('2026-03-01T12:00:00.000Z'),
  settings = DEFAULT_SETTINGS,
} = {}) {
  const fakes = fakeDeps()
  fakes.clock.now = new Date(now)
  const sweeps = new InMemorySweepStore(fakes.store)
  const project: StandInOptions & { expiredCursors: Set<string> } = {
    ...KEYS,
    cards: [],
    campaigns: [],
    expiredCursors: new Set(),
  }
  const voucherify = standInFetch(project)
  const api = voucherifySweepApi({
    baseUrl: 'http://voucherify.invalid',
    ...KEYS,
    pageSize,
    fetch: voucherify.fetch,
    requestsPerMinute: 60,
    pacer: noPacer,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted()
      fakes.clock.advance(ms)
    },
  })
  const deps = { receiver: fakes.deps, sweeps, attestations: fakes.ledger, api }
  const sweep = (request: SweepRequest = {}) => sweepCampaigns(deps, settings, request)

  return {
    ...fakes,
    sweeps,
    project,
    voucherify,
    api,
    deps,
    settings,
    sweep,
    /** The one campaign's result of a sweep. */
    async sweepOne(request: SweepRequest = {}): Promise<CampaignSweep> {
      const { campaigns } = await sweep(request)
      if (campaigns.length !== 1) throw new Error(`${campaigns.length} campaigns swept`)
      return campaigns[0] as CampaignSweep
    },
    /** A gift card campaign the stand-in knows. */
    addCampaign(id: string, campaignType = 'GIFT_VOUCHERS') {
      project.campaigns?.push({ id, name: `Campaign ${id}`, campaign_type: campaignType })
    },
    /** Lists the transactions from now on (its card created on first use). */
    list(...transactions: Array<Pick<WorldTransaction, 'voucherId' | 'listed'>>) {
      for (const { voucherId, listed } of transactions) {
        let card = project.cards.find(({ id }) => id === voucherId)
        if (!card) {
          card = { id: voucherId, code: `CODE-${voucherId}`, transactions: [] }
          project.cards.push(card)
        }
        card.transactions.push(listed)
      }
    },
    /** Delivers the transaction by webhook, as Voucherify does while its webhook is enabled. */
    deliver({ data }: Pick<WorldTransaction, 'data'>) {
      const body = Buffer.from(JSON.stringify(envelopeFor(CREATED, data)))
      return receiveWebhook(fakes.deps, {
        body,
        signature: signPayload(TEST_SECRET, body),
        pathEventType: undefined,
      })
    },
    /** Whether the ledger has published the transaction. */
    published: (id: string) =>
      fakes.store.get({ transaction_id: id, event_type: CREATED })?.status === 'published',
  }
}

export type SweepWorld = ReturnType<typeof sweepWorld>

/** A card's transactions `minutes` apart from `startMs`, balances following from `opening`. */
export function cardOf(
  world: { nextId: (createdMs: number) => string },
  options: {
    voucherId: string
    campaignId: string
    startMs: number
    amounts: readonly number[]
    opening?: number
    minutesApart?: number
  },
): WorldTransaction[] {
  let balance = options.opening ?? 10_000
  return options.amounts.map((amount, index) => {
    balance += amount
    const createdMs = options.startMs + index * (options.minutesApart ?? 1) * MINUTE
    return giftTransaction({
      id: world.nextId(createdMs),
      voucherId: options.voucherId,
      campaignId: options.campaignId,
      createdMs,
      amount,
      balanceAfter: balance,
    })
  })
}
