// sweepCampaigns on the in-memory fakes: the receiver's own pipeline (fakeDeps), the sweep store
// fake answering from the receiver's transaction store, and a Voucherify that lists each
// campaign's transactions newest first, page by page, from realistic card histories.
import { receiveWebhook } from '../../../../lib/receive/receive-webhook'
import { signPayload } from '../../../../lib/receive/signature'
import {
  type SweepApi,
  type SweepRequest,
  type SweepSettings,
  sweepCampaigns,
} from '../../../../lib/sweep/sweep-campaigns'
import {
  API_TRANSACTION_EVENT_TYPE,
  type ApiTransaction,
} from '../../../../lib/voucherify/transaction-payload'
import type { TransactionPage } from '../../../../lib/voucherify/voucherify-api'
import {
  type CardTransaction,
  cardHistory,
  TEN_TRANSACTIONS,
} from '../../../../scripts/card-history'
import { envelopeFor, randomId } from '../../../../scripts/sample-events'
import { fakeDeps, TEST_SECRET } from '../../../support/fakes/fake-deps'
import { InMemorySweepStore } from '../../../support/fakes/in-memory-sweep-store'
import { transactionOf } from '../../../support/gift-card'

const CREATED = API_TRANSACTION_EVENT_TYPE
const MINUTE = 60_000
const SETTINGS: SweepSettings = { graceMs: 10 * MINUTE, overlapMs: 15 * MINUTE }
/** Where card histories start by default (each transaction a minute after the last). */
const HISTORY_START = Date.parse('2026-03-01T09:00:00.000Z')
const at = (ms: number) => new Date(ms)

/** A transaction as Voucherify's API lists it: the transaction object of its webhook data. */
const listed = (transaction: CardTransaction): ApiTransaction =>
  transactionOf(transaction.dataFor(CREATED))

/** Oldest first, as a campaign's listing orders them by id (here: by time). */
const byTime = (transactions: readonly CardTransaction[]) =>
  [...transactions].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))

/**
 * Voucherify's campaign endpoints: campaigns in the order added, each listed newest first (the
 * reverse of the order its transactions were added in), `pageSize` a page.
 */
class FakeVoucherify implements SweepApi {
  readonly campaigns = new Map<string, ApiTransaction[]>()
  /** Campaigns whose listing fails, as an API that answers 500 would. */
  readonly failing = new Set<string>()
  pagesServed = 0
  /** Aborts `controller` when asked for one more page than this. */
  stopAfter?: { pages: number; controller: AbortController }

  constructor(public pageSize = 100) {}

  /** Adds transactions to the campaign's listing, after those it holds (newer ids). */
  list(campaignId: string, ...transactions: ApiTransaction[]) {
    this.campaigns.set(campaignId, [...(this.campaigns.get(campaignId) ?? []), ...transactions])
  }

  async listGiftCampaigns(): Promise<string[]> {
    return [...this.campaigns.keys()]
  }

  async *campaignTransactionPages(
    campaignId: string,
    startingAfter: string | undefined,
    signal?: AbortSignal,
  ): AsyncGenerator<TransactionPage> {
    if (this.failing.has(campaignId)) throw new Error('Voucherify answered HTTP 500 (injected)')
    const newestFirst = [...(this.campaigns.get(campaignId) ?? [])].reverse()
    let start =
      startingAfter === undefined ? 0 : newestFirst.findIndex(({ id }) => id === startingAfter) + 1
    for (;;) {
      if (this.stopAfter && this.pagesServed >= this.stopAfter.pages) {
        this.stopAfter.controller.abort()
      }
      signal?.throwIfAborted()
      const data = newestFirst.slice(start, start + this.pageSize)
      this.pagesServed++
      const hasMore = start + this.pageSize < newestFirst.length
      yield { data, next: hasMore ? String(data.at(-1)?.id) : undefined }
      if (!hasMore) return
      start += this.pageSize
    }
  }
}

/** The receiver on fakes, the sweep store fake on its transaction store, and Voucherify. */
function sweepWorld({ pageSize = 100, now = HISTORY_START + 30 * MINUTE } = {}) {
  const fakes = fakeDeps()
  fakes.clock.now = at(now)
  const sweeps = new InMemorySweepStore(fakes.store)
  const api = new FakeVoucherify(pageSize)
  const sweep = async (request: SweepRequest = {}) =>
    sweepCampaigns(
      { receiver: fakes.deps, sweeps, attestations: fakes.ledger, api },
      SETTINGS,
      request,
    )
  /** The one campaign's pass of a sweep. */
  const sweepOne = async (request: SweepRequest = {}) => {
    const { campaigns } = await sweep(request)
    if (campaigns.length !== 1) throw new Error(`${campaigns.length} campaigns swept`)
    return campaigns[0] as NonNullable<(typeof campaigns)[0]>
  }
  return { ...fakes, sweeps, api, sweep, sweepOne }
}

type World = ReturnType<typeof sweepWorld>

/** Delivers the transaction by webhook, as Voucherify does while its webhook is enabled. */
function deliver({ deps }: World, transaction: CardTransaction) {
  const body = Buffer.from(JSON.stringify(envelopeFor(CREATED, transaction.dataFor(CREATED))))
  return receiveWebhook(deps, {
    body,
    signature: signPayload(TEST_SECRET, body),
    pathEventType: undefined,
  })
}

async function deliverAll(world: World, transactions: readonly CardTransaction[]) {
  for (const transaction of transactions) {
    const outcome = await deliver(world, transaction)
    if (outcome.status !== 'accepted') throw new Error(`delivery ${outcome.status}`)
  }
}

const itemOf = ({ store }: World, transaction: CardTransaction) =>
  store.get({ transaction_id: transaction.id, event_type: CREATED })

const publishedIds = ({ publisher }: World) =>
  publisher.published.map(({ attributes }) => attributes.transaction_id)

/** Twenty cards of ten transactions each, interleaved in time a second apart. */
function twentyCards() {
  return Array.from({ length: 20 }, (_, index) =>
    cardHistory(undefined, { start: at(HISTORY_START + index * 1_000) }),
  )
}

describe('sweepCampaigns', () => {
  it("takes in a card's lost last transaction once, marked origin=sweep, and attests the card", async () => {
    const world = sweepWorld()
    const card = cardHistory()
    await deliverAll(world, card.transactions.slice(0, 9))
    world.api.list('camp_1', ...card.transactions.map(listed))
    const last = card.at(10)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ status: 'complete', listed: 10, found: 9, takenIn: 1 })
    expect(world.publisher.published.slice(9).map(({ attributes }) => attributes)).toEqual([
      expect.objectContaining({ transaction_id: last.id, origin: 'sweep' }),
    ])
    expect(itemOf(world, last)).toMatchObject({
      origin: 'sweep',
      status: 'published',
      ledger_status: 'ok',
    })
    expect(result.attested).toBe(1)
    expect(world.ledger.heads.get(card.voucherId)).toMatchObject({
      transactionId: last.id,
      balance: last.balanceAfter,
      attestedBalance: last.balanceAfter,
      attestedAt: world.clock.now.toISOString(),
    })
  })

  it('takes in 200 transactions on 20 cards that were never delivered, in one sweep', async () => {
    const world = sweepWorld()
    const cards = twentyCards()
    const transactions = byTime(cards.flatMap((card) => card.transactions))
    world.api.list('camp_1', ...transactions.map(listed))

    const result = await world.sweepOne()

    expect(result).toMatchObject({
      status: 'complete',
      listed: 200,
      found: 0,
      takenIn: 200,
      failed: 0,
      attested: 20,
      unattested: [],
    })
    expect(new Set(publishedIds(world))).toEqual(new Set(transactions.map(({ id }) => id)))
  })

  it('leaves no gap in any chain after taking in 200 lost transactions on 20 cards', async () => {
    const world = sweepWorld()
    const cards = twentyCards()
    const transactions = byTime(cards.flatMap((card) => card.transactions))
    world.api.list('camp_1', ...transactions.map(listed))

    await world.sweepOne()

    expect(transactions.filter((t) => itemOf(world, t)?.ledger_status === 'gap')).toEqual([])
    expect(cards.map((card) => world.ledger.heads.get(card.voucherId)?.balance)).toEqual(
      cards.map((card) => card.at(10).balanceAfter),
    )
  })

  it("takes a backlog spread over several pages in oldest first, so a card's chain stays ok", async () => {
    const world = sweepWorld({ pageSize: 3 })
    const card = cardHistory()
    await deliverAll(world, card.transactions.slice(0, 2))
    world.api.list('camp_1', ...card.transactions.map(listed))

    await world.sweepOne()

    expect(card.transactions.map((t) => itemOf(world, t)?.ledger_status)).toEqual(
      card.transactions.map(() => 'ok'),
    )
  })

  it('holds the watermark at a transaction it could not take in, so the next sweep sees it again', async () => {
    const world = sweepWorld()
    const card = cardHistory()
    const [broken, ...rest] = card.transactions.map(listed)
    // No balance to report: the transaction cannot be taken in.
    world.api.list('camp_1', { ...broken, details: {} } as ApiTransaction, ...rest)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ failed: 1, takenIn: 9 })
    expect(world.sweeps.states.get('camp_1')).toEqual({ coveredUntil: card.at(1).createdAt })
  })

  it("takes a page's lost transactions in oldest first, so a card's chain stays ok", async () => {
    const world = sweepWorld()
    const card = cardHistory()
    await deliverAll(world, card.transactions.slice(0, 2))
    world.api.list('camp_1', ...card.transactions.map(listed))

    await world.sweepOne()

    expect(card.transactions.map((t) => itemOf(world, t)?.ledger_status)).toEqual(
      card.transactions.map(() => 'ok'),
    )
    expect(publishedIds(world)).toEqual(card.transactions.map(({ id }) => id))
  })

  it('takes nothing more in when it sweeps twice', async () => {
    const world = sweepWorld({ now: HISTORY_START + 21 * MINUTE })
    const transactions = byTime(twentyCards().flatMap((card) => card.transactions))
    world.api.list('camp_1', ...transactions.map(listed))
    await world.sweepOne()

    const second = await world.sweepOne()

    expect(second).toMatchObject({ status: 'complete', listed: 200, found: 200, takenIn: 0 })
    expect(world.publisher.published).toHaveLength(200)
  })

  it('leaves transactions younger than the grace period to a later sweep, which takes them in', async () => {
    const world = sweepWorld({ now: HISTORY_START + 15 * MINUTE })
    const card = cardHistory()
    world.api.list('camp_1', ...card.transactions.map(listed))
    const first = await world.sweepOne()
    world.clock.advance(20 * MINUTE)

    const later = await world.sweepOne()

    expect(first).toMatchObject({ tooRecent: 4, takenIn: 6 })
    expect(later).toMatchObject({ tooRecent: 0, found: 6, takenIn: 4 })
    expect(publishedIds(world).sort()).toEqual(card.transactions.map(({ id }) => id).sort())
  })

  it('ignores loyalty card transactions and never stores them', async () => {
    const world = sweepWorld()
    const card = cardHistory([{ type: 'CREDITS_ADDITION', amount: 2_000 }])
    const gift = listed(card.at(1))
    const details = gift.details as { balance: Record<string, unknown> }
    const points = ['POINTS_ACCRUAL', 'POINTS_REDEMPTION'].map((type) => ({
      ...gift,
      id: randomId('vtx'),
      type,
      details: { balance: { ...details.balance, type: 'loyalty_card', object: 'balance' } },
    }))
    world.api.list('camp_1', gift, ...points)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ listed: 3, notGift: 2, takenIn: 1, failed: 0 })
    expect(
      points.map(({ id }) => world.store.get({ transaction_id: id, event_type: CREATED })),
    ).toEqual([undefined, undefined])
    expect(publishedIds(world)).toEqual([card.at(1).id])
  })

  it('reports a sweep stopped halfway as stopped and keeps the cursor after its last batch', async () => {
    const world = sweepWorld({ pageSize: 1 })
    const cards = [cardHistory(), cardHistory(), cardHistory()]
    world.api.list('camp_1', ...byTime(cards.flatMap((c) => c.transactions)).map(listed))
    const controller = new AbortController()
    // A batch is 20 pages: the stop comes while the second batch is being listed.
    world.api.stopAfter = { pages: 25, controller }

    const result = await world.sweepOne({ signal: controller.signal })

    expect(result).toMatchObject({ status: 'stopped', listed: 25, takenIn: 20 })
    const newestFirst = [...(world.api.campaigns.get('camp_1') ?? [])].reverse()
    expect(world.sweeps.states.get('camp_1')).toEqual({
      walk: expect.objectContaining({ full: true, cursor: newestFirst[19]?.id }),
    })
  })

  it('carries a stopped sweep on from its cursor and takes nothing in twice', async () => {
    const world = sweepWorld({ pageSize: 1 })
    const cards = [cardHistory(), cardHistory(), cardHistory()]
    const transactions = byTime(cards.flatMap((c) => c.transactions))
    world.api.list('camp_1', ...transactions.map(listed))
    const controller = new AbortController()
    world.api.stopAfter = { pages: 25, controller }
    await world.sweepOne({ signal: controller.signal })
    world.api.stopAfter = undefined

    const next = await world.sweepOne()

    expect(next).toMatchObject({ status: 'complete', listed: 10, found: 0, takenIn: 10 })
    expect(publishedIds(world).sort()).toEqual(transactions.map(({ id }) => id).sort())
    expect(world.sweeps.states.get('camp_1')).toEqual({ coveredUntil: expect.any(String) })
  })

  it('looks back only to the watermark less the overlap, yet takes in a transaction listed late inside it', async () => {
    const world = sweepWorld({ pageSize: 5, now: HISTORY_START + 60 * MINUTE })
    const old = cardHistory()
    world.api.list('camp_1', ...old.transactions.map(listed))
    await world.sweepOne()
    // The watermark is now 09:50, so the next pass looks back to 09:35.
    const fresh = cardHistory(TEN_TRANSACTIONS.slice(0, 3), {
      start: at(HISTORY_START + 90 * MINUTE),
    })
    const late = cardHistory(TEN_TRANSACTIONS.slice(0, 1), {
      start: at(HISTORY_START + 45 * MINUTE),
    })
    world.api.list('camp_1', ...fresh.transactions.map(listed), ...late.transactions.map(listed))
    world.clock.advance(60 * MINUTE)
    world.api.pagesServed = 0

    const result = await world.sweepOne()

    expect(result).toMatchObject({
      status: 'complete',
      full: false,
      listed: 5,
      covered: 1,
      takenIn: 4,
    })
    expect(world.api.pagesServed).toBe(1)
    expect(itemOf(world, late.at(1))).toMatchObject({ origin: 'sweep', status: 'published' })
  })

  it('walks the whole history of a campaign on its first sweep', async () => {
    const world = sweepWorld({ now: HISTORY_START + 365 * 24 * 60 * MINUTE })
    const card = cardHistory()
    world.api.list('camp_1', ...card.transactions.map(listed))

    const result = await world.sweepOne()

    expect(result).toMatchObject({ full: true, listed: 10, covered: 0, takenIn: 10 })
    expect(world.ledger.heads.get(card.voucherId)?.balance).toBe(card.at(10).balanceAfter)
  })

  it('walks the whole history again when asked for a full sweep', async () => {
    const world = sweepWorld()
    const card = cardHistory()
    world.api.list('camp_1', ...card.transactions.map(listed))
    await world.sweepOne()
    world.clock.advance(24 * 60 * MINUTE)

    const result = await world.sweepOne({ full: true })

    expect(result).toMatchObject({ full: true, listed: 10, covered: 0, found: 10, takenIn: 0 })
  })

  it('answers a webhook arriving after the sweep took its transaction in as a duplicate', async () => {
    const world = sweepWorld()
    const card = cardHistory()
    await deliverAll(world, card.transactions.slice(0, 9))
    world.api.list('camp_1', ...card.transactions.map(listed))
    await world.sweepOne()

    const outcome = await deliver(world, card.at(10))

    expect(outcome.status).toBe('duplicate')
    expect(publishedIds(world).filter((id) => id === card.at(10).id)).toHaveLength(1)
  })

  it('takes nothing in and records no progress in a dry run', async () => {
    const world = sweepWorld({ pageSize: 3 })
    const card = cardHistory()
    world.api.list('camp_1', ...card.transactions.map(listed))

    const result = await world.sweepOne({ dryRun: true })

    expect(result).toMatchObject({ status: 'complete', listed: 10, wouldTakeIn: 10, takenIn: 0 })
    expect(world.publisher.published).toEqual([])
    expect(world.store.items.size).toBe(0)
    expect(world.sweeps.states.size).toBe(0)
    expect(world.sweeps.savedWalks).toEqual([])
  })

  it("records a card whose head disagrees with Voucherify's newest balance as unattested, with the difference", async () => {
    const world = sweepWorld()
    const card = cardHistory()
    await deliverAll(world, card.transactions)
    world.api.list('camp_1', ...card.transactions.map(listed))
    const head = world.ledger.heads.get(card.voucherId)
    if (!head) throw new Error('no head')
    head.balance += 100

    const result = await world.sweepOne()

    expect(result).toMatchObject({ found: 10, takenIn: 0, attested: 0 })
    expect(result.unattested).toEqual([card.voucherId])
    expect(world.ledger.heads.get(card.voucherId)).toMatchObject({
      unattestedDifference: -100,
      unattestedAt: world.clock.now.toISOString(),
    })
  })

  it('reports a campaign whose listing fails as failed and still sweeps the others', async () => {
    const world = sweepWorld()
    const [first, second] = [cardHistory(), cardHistory()]
    world.api.list('camp_a', ...first.transactions.map(listed))
    world.api.list('camp_broken', ...first.transactions.map(listed))
    world.api.list('camp_b', ...second.transactions.map(listed))
    world.api.failing.add('camp_broken')

    const { campaigns } = await world.sweep()

    expect(
      campaigns.map(({ campaignId, status, takenIn }) => ({ campaignId, status, takenIn })),
    ).toEqual([
      { campaignId: 'camp_a', status: 'complete', takenIn: 10 },
      { campaignId: 'camp_broken', status: 'failed', takenIn: 0 },
      { campaignId: 'camp_b', status: 'complete', takenIn: 10 },
    ])
    expect(campaigns[1]?.error).toContain('HTTP 500')
    expect(world.sweeps.states.get('camp_broken')).toBeUndefined()
  })
})
