// sweepCampaigns against Voucherify as its API document allows it to behave (the stand-in of
// `npm start`, in-process, through the real client), the receiver and the sweep store on fakes.
// Each finding of issue 19 has its example here; test/unit/lib/sweep/sweep-model.test.ts
// generates whole worlds.
import {
  cardOf,
  DEFAULT_SETTINGS,
  giftTransaction,
  idFactory,
  MINUTE,
  type SweepWorld,
  sweepWorld,
  type WorldTransaction,
} from '../../../support/sweep-world'

const HOUR = 60 * MINUTE
const T0 = Date.parse('2026-03-01T09:00:00.000Z')
const nextId = idFactory()

/** A world whose clock is `hoursLater` after T0, with campaign `camp_1`. */
function worldAt(hoursLater: number, pageSize = 100) {
  const world = sweepWorld({ now: T0 + hoursLater * HOUR, pageSize })
  world.addCampaign('camp_1')
  return world
}

/** A card of `count` transactions a minute apart from `startMs` on campaign `campaignId`. */
function card(count: number, startMs = T0, campaignId = 'camp_1', voucherId = `v_${nextId(0)}`) {
  const amounts = Array.from({ length: count }, (_, index) => (index % 3 === 1 ? -700 : 1_000))
  return cardOf({ nextId }, { voucherId, campaignId, startMs, amounts })
}

/** A transaction listed only now, yet with an id just after `before`'s: behind any cursor past it. */
const listedBehind = (before: WorldTransaction) =>
  giftTransaction({
    id: `${before.id}0`,
    voucherId: 'v_behind',
    campaignId: 'camp_1',
    createdMs: before.createdMs + 30_000,
    amount: 800,
    balanceAfter: 800,
  })

/** Voucherify refuses camp_1's covered cursor from now on, as if it had expired. */
const expireCoveredCursor = (world: SweepWorld) =>
  world.project.expiredCursors.add(world.sweeps.states.get('camp_1')?.coveredCursor as string)

const allPublished = (world: SweepWorld, transactions: readonly WorldTransaction[]) =>
  transactions.filter(({ id }) => !world.published(id)).map(({ id }) => id)

describe('sweepCampaigns: the walk', () => {
  it('names order=id on every listing request it makes', async () => {
    const world = worldAt(2, 3)
    world.list(...card(10))

    await world.sweepOne()

    const listings = world.voucherify.requests.filter(({ path }) => path.endsWith('/transactions'))
    expect(listings.length).toBeGreaterThan(1)
    expect(listings.every(({ query }) => query.order === 'id')).toBe(true)
  })

  it('takes in every lost transaction of a listing that ends with more_starting_after null', async () => {
    const world = worldAt(2, 4)
    const transactions = [...card(10), ...card(10, T0 + 30_000)]
    world.list(...transactions)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ status: 'complete', listed: 20, takenIn: 20 })
    expect(allPublished(world, transactions)).toEqual([])
  })

  it('does not stop at a page holding a transaction older than the look-back: it walks to the end', async () => {
    const world = worldAt(3, 2)
    const first = card(4)
    world.list(...first)
    await world.sweepOne()
    world.clock.advance(3 * HOUR)
    // Listed late with an old created_at, among new ones: a created_at stop rule stops here.
    const lateButOld = card(1, T0 + 10 * MINUTE)
    const fresh = card(5, T0 + 4 * HOUR)
    world.list(...lateButOld, ...fresh)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ status: 'complete', takenIn: 6 })
    expect(allPublished(world, [...lateButOld, ...fresh])).toEqual([])
  })

  it('takes in transactions of equal created_at in id order, so the head is the last created', async () => {
    const world = worldAt(2)
    const [a, b] = [nextId(T0), nextId(T0)]
    const first = giftTransaction({
      id: a,
      voucherId: 'v_tie',
      campaignId: 'camp_1',
      createdMs: T0,
      amount: 1_000,
      balanceAfter: 11_000,
    })
    const second = giftTransaction({
      id: b,
      voucherId: 'v_tie',
      campaignId: 'camp_1',
      createdMs: T0,
      amount: -700,
      balanceAfter: 10_300,
    })
    world.list(second, first)

    const result = await world.sweepOne()

    expect(world.ledger.heads.get('v_tie')).toMatchObject({ transactionId: b, balance: 10_300 })
    expect(result.attested).toBe(1)
  })

  it('takes nothing more in when it sweeps twice', async () => {
    const world = worldAt(3)
    world.list(...card(10), ...card(10, T0 + 20_000))
    await world.sweepOne()

    const second = await world.sweepOne()

    expect(second).toMatchObject({ status: 'complete', takenIn: 0 })
    expect(world.publisher.published).toHaveLength(20)
  })

  it('leaves transactions younger than the grace period to a later sweep, which takes them in', async () => {
    const world = worldAt(0)
    const transactions = card(10, T0 - 15 * MINUTE)
    world.list(...transactions)
    const first = await world.sweepOne()
    world.clock.advance(20 * MINUTE)

    const later = await world.sweepOne()

    expect(first).toMatchObject({ tooRecent: 4, takenIn: 6 })
    expect(later).toMatchObject({ takenIn: 4 })
    expect(allPublished(world, transactions)).toEqual([])
  })

  it('keeps its cursor before transactions younger than grace + overlap, so one listed late behind them is still taken in', async () => {
    const world = worldAt(3)
    const old = card(3)
    const recent = card(3, T0 + 2 * HOUR + 30 * MINUTE)
    world.list(...old, ...recent)
    await world.sweepOne()
    // Created before `recent` (so its id sorts among theirs) but listed only now.
    const late = giftTransaction({
      id: `${recent[0]?.id}0`,
      voucherId: 'v_late',
      campaignId: 'camp_1',
      createdMs: T0 + 2 * HOUR + 30 * MINUTE,
      amount: 500,
      balanceAfter: 500,
    })
    world.list(late)
    world.clock.advance(15 * MINUTE)

    const result = await world.sweepOne()

    expect(world.sweeps.states.get('camp_1')?.coveredCursor).toBe(old.at(-1)?.id)
    expect(result.takenIn).toBe(1)
    expect(world.published(late.id)).toBe(true)
  })

  it('ignores loyalty card transactions, told by their balance type, and never stores them', async () => {
    const world = worldAt(2)
    const [gift] = card(1)
    const points = card(2).map((transaction) => {
      const listed = structuredClone(transaction.listed)
      const details = listed.details as { balance: Record<string, unknown> }
      details.balance.type = 'loyalty_card'
      listed.type = 'POINTS_ACCRUAL'
      return { ...transaction, listed }
    })
    world.list(gift as WorldTransaction, ...points)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ listed: 3, notGift: 2, takenIn: 1, failed: 0, parked: 0 })
    expect(points.map(({ id }) => world.published(id))).toEqual([false, false])
  })

  it('answers a webhook arriving after the sweep took its transaction in as a duplicate', async () => {
    const world = worldAt(2)
    const [transaction] = card(1)
    world.list(transaction as WorldTransaction)
    await world.sweepOne()

    const outcome = await world.deliver(transaction as WorldTransaction)

    expect(outcome.status).toBe('duplicate')
  })

  it('takes nothing in and records nothing in a dry run', async () => {
    const world = worldAt(2, 3)
    world.list(...card(10))

    const result = await world.sweepOne({ dryRun: true })

    expect(result).toMatchObject({ status: 'complete', listed: 10, wouldTakeIn: 10, takenIn: 0 })
    expect(world.publisher.published).toEqual([])
    expect(world.sweeps.savedStates).toEqual([])
  })
})

describe('sweepCampaigns: the full walk', () => {
  it('walks the whole history of a campaign on its first sweep, as its full walk', async () => {
    const world = worldAt(24 * 365)
    world.list(...card(10))

    const result = await world.sweepOne()

    expect(result).toMatchObject({ walks: ['incremental'], listed: 10, takenIn: 10 })
    expect(world.sweeps.states.get('camp_1')?.fullWalkCompletedAt).toBe(
      world.clock.now.toISOString(),
    )
  })

  it('walks from the start again once the full-walk period has passed', async () => {
    const world = worldAt(2)
    world.list(...card(10))
    await world.sweepOne()
    world.clock.advance(DEFAULT_SETTINGS.fullWalkEveryMs)

    const result = await world.sweepOne()

    expect(result.walks).toEqual(['incremental', 'full'])
  })

  it('counts a transaction the full walk takes in behind the incremental cursor as a broken assumption', async () => {
    const world = worldAt(3)
    const transactions = card(5)
    world.list(...transactions)
    await world.sweepOne()
    // The incremental walk cannot see it.
    const behind = listedBehind(transactions[1] as WorldTransaction)
    world.list(behind)
    const incremental = await world.sweepOne()

    const full = await world.sweepOne({ full: true })

    expect(incremental.takenIn).toBe(0)
    expect(full).toMatchObject({ takenIn: 1, missedByIncremental: 1 })
  })

  it('starts a fresh full walk on --full, whatever full walk was under way', async () => {
    const world = worldAt(3, 2)
    world.list(...card(10))
    await world.sweepOne()
    world.sweeps.states.set('camp_1', {
      ...(world.sweeps.states.get('camp_1') ?? { walks: {} }),
      walks: { full: { startedAt: new Date(T0).toISOString(), cursor: 'vtx_gone' } },
    })

    const result = await world.sweepOne({ full: true })

    expect(result).toMatchObject({ status: 'complete', cursorRefused: 0, found: 10 })
  })
})

describe('sweepCampaigns: cursors Voucherify refuses', () => {
  it('restarts the walk from its look-back when its cursor has expired, and still takes everything in', async () => {
    const world = worldAt(5, 2)
    world.list(...card(4))
    await world.sweepOne()
    const fresh = card(6, T0 + HOUR)
    world.list(...fresh)
    const cursor = world.sweeps.states.get('camp_1')?.coveredCursor as string
    const controller = new AbortController()
    let pages = 0
    const stopAfterTwoPages = () => {
      if (++pages === 2) controller.abort()
    }
    await world.sweepOne({ signal: controller.signal, onPage: stopAfterTwoPages })
    const walkCursor = world.sweeps.states.get('camp_1')?.walks.incremental?.cursor as string
    world.project.expiredCursors.add(walkCursor)

    const result = await world.sweepOne()

    expect(walkCursor).not.toBe(cursor)
    expect(result).toMatchObject({ status: 'complete', cursorRefused: 1 })
    expect(allPublished(world, fresh)).toEqual([])
  })

  it('restarts from the listing start when the look-back cursor itself is refused', async () => {
    const world = worldAt(5)
    const transactions = card(4)
    world.list(...transactions)
    await world.sweepOne()
    expireCoveredCursor(world)
    const fresh = card(2, T0 + HOUR)
    world.list(...fresh)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ status: 'complete', cursorRefused: 1, found: 4, takenIn: 2 })
  })

  it('walks on past the first two ids of the listing refused as cursors, from the listing’s start', async () => {
    const world = worldAt(5, 2)
    const transactions = card(4)
    world.list(...transactions)
    for (const { id } of transactions.slice(0, 2)) world.project.expiredCursors.add(id)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ status: 'complete', takenIn: 4, cursorRefused: 0 })
  })

  it('counts what it takes in behind a refused look-back cursor as missed by the incremental walk', async () => {
    const world = worldAt(5)
    const transactions = card(4)
    world.list(...transactions)
    await world.sweepOne()
    expireCoveredCursor(world)
    const behind = listedBehind(transactions[1] as WorldTransaction)
    world.list(behind)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ cursorRefused: 1, takenIn: 1, missedByIncremental: 1 })
  })
})

describe('sweepCampaigns: poison is parked, not looped', () => {
  /** A transaction the ledger cannot take in: its amount is no whole number of cents. */
  function poisoned(transaction: WorldTransaction): WorldTransaction {
    const listed = structuredClone(transaction.listed)
    ;(listed.details as { balance: Record<string, unknown> }).balance.amount = 10.5
    return { ...transaction, listed }
  }

  it('parks a transaction after it failed three times, and it no longer holds the cursor', async () => {
    const world = worldAt(3)
    const [bad, ...good] = card(4)
    world.list(poisoned(bad as WorldTransaction), ...good)

    const runs = [await world.sweepOne(), await world.sweepOne(), await world.sweepOne()]

    expect(runs.map(({ failed, parked }) => ({ failed, parked }))).toEqual([
      { failed: 1, parked: 0 },
      { failed: 1, parked: 0 },
      { failed: 0, parked: 1 },
    ])
    expect(await world.sweeps.listFailures('camp_1')).toEqual([
      expect.objectContaining({
        transactionId: bad?.id,
        attempts: 3,
        parkedAt: expect.any(String),
      }),
    ])
    expect(world.sweeps.states.get('camp_1')?.coveredCursor).toBe(good.at(-1)?.id)
  })

  it('leaves a parked transaction alone on later walks', async () => {
    const world = worldAt(3)
    const [bad] = card(1)
    world.list(poisoned(bad as WorldTransaction))
    for (let run = 0; run < 3; run++) await world.sweepOne()

    const later = await world.sweepOne({ full: true })

    expect(later).toMatchObject({ stillParked: 1, failed: 0, parked: 0 })
  })

  it('parks a transaction of a balance type the document does not name at once, and counts it', async () => {
    const world = worldAt(3)
    const [transaction] = card(1)
    const listed = structuredClone((transaction as WorldTransaction).listed)
    ;(listed.details as { balance: Record<string, unknown> }).balance.type = 'prepaid_card'
    world.list({ ...(transaction as WorldTransaction), listed })

    const result = await world.sweepOne()

    expect(result).toMatchObject({ unknownBalanceType: 1, parked: 1, notGift: 0 })
    expect(result.failures).toEqual([])
    expect((await world.sweeps.listFailures('camp_1'))[0]?.reason).toBe(
      'unknown_balance_type: prepaid_card',
    )
  })
})

describe('sweepCampaigns: runs that stop early', () => {
  it('starts the next run with the campaigns the last one did not reach', async () => {
    const world = sweepWorld({ now: T0 + 3 * HOUR, pageSize: 5 })
    for (const id of ['camp_a', 'camp_b', 'camp_c']) {
      world.addCampaign(id)
      world.list(...card(10, T0, id))
    }
    const controller = new AbortController()
    await world.sweep({
      signal: controller.signal,
      onPage: ({ campaignId }) => campaignId === 'camp_a' && controller.abort(),
    })
    world.clock.advance(MINUTE)

    const next = await world.sweep()

    expect(next.campaigns.map(({ campaignId }) => campaignId)).toEqual([
      'camp_b',
      'camp_c',
      'camp_a',
    ])
  })

  it('stops politely on a Retry-After longer than it waits: no request after the 429, the reason on the campaign', async () => {
    const world = worldAt(3, 2)
    world.list(...card(10))
    world.voucherify.throttleNext(1, 600)

    const summary = await world.sweep({ campaignIds: ['camp_1'] })

    expect(summary.stopReason).toBe('Voucherify asked to wait 600 s, longer than a sweep waits')
    expect(world.voucherify.requests.at(-1)?.status).toBe(429)
    expect(world.sweeps.states.get('camp_1')?.lastStop).toMatchObject({
      walk: 'incremental',
      reason: summary.stopReason,
    })
  })

  it('stops politely when the campaign listing itself is answered with a long Retry-After', async () => {
    const world = worldAt(3)
    world.list(...card(2))
    world.voucherify.throttleNext(1, 600)

    const summary = await world.sweep()

    expect(summary).toEqual({
      campaigns: [],
      stopReason: 'Voucherify asked to wait 600 s, longer than a sweep waits',
      campaignsBeyondListing: false,
    })
    expect(world.voucherify.requests).toHaveLength(1)
  })

  it('waits out a short Retry-After and carries on', async () => {
    const world = worldAt(3, 2)
    world.list(...card(10))
    world.voucherify.throttleNext(2, 5)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ status: 'complete', takenIn: 10 })
  })

  it('carries a stopped walk on from its cursor and takes nothing in twice', async () => {
    const world = worldAt(3, 2)
    const transactions = card(10)
    world.list(...transactions)
    const controller = new AbortController()
    let pages = 0
    await world.sweepOne({
      signal: controller.signal,
      onPage: () => ++pages === 2 && controller.abort(),
    })

    const next = await world.sweepOne()

    expect(next).toMatchObject({ status: 'complete', listed: 6, takenIn: 6 })
    expect(world.publisher.published).toHaveLength(10)
    expect(world.sweeps.states.get('camp_1')?.lastStop).toBeUndefined()
  })
})

describe('sweepCampaigns: attestation', () => {
  it("records a card whose head disagrees with Voucherify's balance as unattested, with the difference", async () => {
    const world = worldAt(2)
    const transactions = card(3)
    for (const transaction of transactions) await world.deliver(transaction)
    world.list(...transactions)
    const voucherId = transactions[0]?.voucherId as string
    const head = world.ledger.heads.get(voucherId)
    if (!head) throw new Error('no head')
    head.balance += 100

    const result = await world.sweepOne()

    expect(result.unattested).toEqual([voucherId])
    expect(world.ledger.heads.get(voucherId)).toMatchObject({ unattestedDifference: -100 })
  })

  it('leaves a card alone while one of its transactions is claimed by a delivery under way', async () => {
    const world = worldAt(2)
    const transactions = card(3)
    world.list(...transactions)
    for (const transaction of transactions.slice(0, 2)) await world.deliver(transaction)
    // The last one's delivery claimed it and has not finished.
    world.store.failing.add('markPublished')
    await world.deliver(transactions[2] as WorldTransaction)
    world.store.failing.clear()

    const result = await world.sweepOne()

    expect(result).toMatchObject({ inFlight: 1, attested: 0, unattested: [] })
  })

  /** Card of three, all delivered; its head put back at #2 by a step `minutesAgo`, while #3 is listed as the newest. */
  async function headBehindListed(minutesAgo: number) {
    const world = worldAt(2)
    const transactions = card(3)
    world.list(...transactions)
    for (const transaction of transactions) await world.deliver(transaction)
    const [, second] = transactions as [WorldTransaction, WorldTransaction]
    const stored = world.ledger.heads.get(second.voucherId)
    if (!stored) throw new Error('no head')
    world.ledger.heads.set(second.voucherId, {
      ...stored,
      transactionId: second.id,
      createdMs: second.createdMs,
      balance: second.balanceAfter,
      updatedAt: new Date(world.clock.now.getTime() - minutesAgo * MINUTE).toISOString(),
    })
    return { world, voucherId: second.voucherId }
  }

  it('leaves a card alone whose head is behind what was listed and was written within the settle window', async () => {
    const { world } = await headBehindListed(0)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ found: 3, attested: 0, unattested: [] })
  })

  it('records a head behind what was listed once the settle window has passed', async () => {
    const { world, voucherId } = await headBehindListed(2)

    const result = await world.sweepOne()

    expect(result.unattested).toEqual([voucherId])
  })

  it('does not record over a head that moved between its read and its write', async () => {
    const world = worldAt(2)
    const transactions = card(3)
    world.list(...transactions)
    await world.sweepOne()
    const voucherId = transactions[0]?.voucherId as string
    const read = world.ledger.readHead.bind(world.ledger)
    world.ledger.readHead = async (id) => {
      const head = await read(id)
      const stored = world.ledger.heads.get(id)
      if (stored) world.ledger.heads.set(id, { ...stored, transactionId: 'vtx_moved' })
      return head
    }
    world.clock.advance(HOUR)

    const result = await world.sweepOne()

    expect(result).toMatchObject({ attested: 0, unattested: [] })
    expect(world.ledger.heads.get(voucherId)?.attestedAt).not.toBe(world.clock.now.toISOString())
  })
})

describe('sweepCampaigns: attestation once a run', () => {
  it('attests a card once in a run that makes both walks', async () => {
    const world = worldAt(2)
    world.list(...card(3))
    await world.sweepOne()
    world.clock.advance(DEFAULT_SETTINGS.fullWalkEveryMs)
    world.list(...card(1, world.clock.now.getTime() - 5 * HOUR, 'camp_1', 'v_other'))

    const result = await world.sweepOne()

    expect(result.walks).toEqual(['incremental', 'full'])
    expect(result.attested).toBe(2)
  })
})

describe('sweepCampaigns: the campaign listing', () => {
  it('says when more gift campaigns exist than the listing reaches', async () => {
    const world = sweepWorld({ now: T0 + HOUR })
    for (let index = 0; index < 10_001; index++) world.addCampaign(`camp_${index}`)

    const summary = await world.sweep({ dryRun: true })

    expect(summary.campaignsBeyondListing).toBe(true)
    expect(summary.campaigns).toHaveLength(10_000)
  })
})
