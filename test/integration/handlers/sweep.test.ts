// The scheduled sweep end to end: `createSweepHandler` built as handlers/sweep.ts builds it (the
// receiver's own pipeline, the DynamoDB sweep and attestation stores, Voucherify's API paced),
// on a table and topics of each test's own (DynamoDB Local, fauxqs) and a stand-in for
// Voucherify's API on 127.0.0.1. Faults come from the stand-in (429s on demand, cursors it
// refuses) and a fault proxy in front of fauxqs; no SDK client is mocked; a later run is the
// receiver's clock moved on. Issue 15, item 6, scenarios (a) to (f); issue 19: the walk in id
// order and its covered cursor, the weekly full walk, parking, polite stops and a refused
// cursor; and `npm run sweep` itself (--status, --retry-parked).

import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Context } from 'aws-lambda'
import { createSweepHandler } from '../../../handlers/sweep-handler'
import { realSweepStore } from '../../../lib/aws/dynamodb-sweep-store'
import { readConfig } from '../../../lib/config'
import { buildDeps } from '../../../lib/deps'
import type { SweepSettings } from '../../../lib/sweep/campaign-sweep'
import type { SweepApi } from '../../../lib/sweep/sweep-api'
import { buildSweepDeps } from '../../../lib/sweep-deps'
import { API_TRANSACTION_EVENT_TYPE } from '../../../lib/voucherify/transaction-payload'
import { type CardTransaction, cardHistory, TEN_TRANSACTIONS } from '../../../scripts/card-history'
import { awsClientsFor } from '../../../scripts/cli/aws-clients'
import { runOperatorCli } from '../../../scripts/cli/main'
import { buildLedger, readCardItems } from '../../../scripts/ledger/card-ledger'
import { loyaltyTransaction } from '../../../scripts/local/voucherify-sample-project'
import {
  type OnStandInRequest,
  type StandInCampaign,
  type StandInCard,
  startVoucherifyStandIn,
  type VoucherifyStandIn,
} from '../../../scripts/local/voucherify-stand-in'
import { envelopeFor, randomId } from '../../../scripts/sample-events'
import { captureOutput } from '../../support/capture-output'
import { snsKind, startFaultProxy } from '../../support/emulators/fault-proxy'
import { type IsolatedStage, isolatedStage } from '../../support/emulators/isolated-stage'
import { localClients } from '../../support/emulators/local-aws'
import { transactionOf } from '../../support/gift-card'
import { lambdaContext } from '../../support/load-handler'

type Json = Record<string, unknown>

const CREATED = API_TRANSACTION_EVENT_TYPE
const KEYS = { appId: 'sweep-test-app-id', secretKey: 'sweep-test-secret-key' }
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const SETTINGS: SweepSettings = {
  graceMs: 10 * MINUTE,
  overlapMs: 60 * MINUTE,
  fullWalkEveryMs: 7 * DAY,
  parkAfterAttempts: 3,
}
/** What handlers/sweep-handler.ts keeps back from the function's timeout. */
const STOP_MARGIN_MS = 20_000
/** High enough that pacing costs the tests nothing, except where pacing is the point. */
const FAST_REQUESTS_PER_MINUTE = 6_000

const clients = localClients()
const documents = DynamoDBDocumentClient.from(clients.dynamodb)

/** A Voucherify project and a stage of the service, both of one test's own. */
interface World {
  stage: IsolatedStage
  standIn: VoucherifyStandIn
  giftCampaignId: string
  /** What the stand-in knows; it reads these per request. */
  cards: StandInCard[]
  campaigns: StandInCampaign[]
  /** Cursors the stand-in refuses (400), though it still lists them. */
  expiredCursors: Set<string>
}

const standIns: VoucherifyStandIn[] = []
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()))
})

/** `onRequest`: told of each request the stand-in answered, as it answers it. */
async function world(onRequest?: OnStandInRequest): Promise<World> {
  const giftCampaignId = randomId('camp')
  const cards: StandInCard[] = []
  const campaigns: StandInCampaign[] = [
    { id: giftCampaignId, name: 'Gift cards', campaign_type: 'GIFT_VOUCHERS' },
  ]
  const expiredCursors = new Set<string>()
  const [stage, standIn] = await Promise.all([
    isolatedStage(),
    startVoucherifyStandIn({ ...KEYS, cards, campaigns, expiredCursors }, 0, onRequest),
  ])
  standIns.push(standIn)
  return { stage, standIn, giftCampaignId, cards, campaigns, expiredCursors }
}

type History = ReturnType<typeof cardHistory>

/** The transaction as Voucherify's API lists it, in the world's gift campaign. */
const listed = (w: World, transaction: CardTransaction): Json => ({
  ...transactionOf(transaction.dataFor(CREATED)),
  campaign_id: w.giftCampaignId,
})

/** Delivers the transaction as its webhook, through the stage's own webhook handler. */
function deliver(w: World, transaction: CardTransaction) {
  return w.stage.deliver(JSON.stringify(envelopeFor(CREATED, transaction.dataFor(CREATED))))
}

/** A gift card Voucherify knows, of which only the transactions numbered `delivered` arrived. */
async function card(
  w: World,
  { start, delivered = [] }: { start: Date; delivered?: readonly number[] },
): Promise<History> {
  const history = cardHistory(TEN_TRANSACTIONS, { start })
  w.cards.push({
    id: history.voucherId,
    code: randomId('GIFT'),
    transactions: history.transactions.map((transaction) => listed(w, transaction)),
  })
  for (const transaction of history.arriving(delivered)) {
    const answer = await deliver(w, transaction)
    if (answer.body.status !== 'accepted') throw new Error(`delivery ${answer.body.status}`)
  }
  return history
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR)
const ONE_TO_NINE = [1, 2, 3, 4, 5, 6, 7, 8, 9]

/** What `npm run ledger` says of the card: its chain, from the card's items in the index. */
async function ledgerOf(w: World, voucherId: string) {
  return buildLedger(voucherId, await readCardItems(documents, w.stage.tableName, voucherId))
}

const headOf = (w: World, voucherId: string) => w.stage.item(voucherId, '#ledger-head')

/** What the table keeps of the gift campaign's sweeps, as `npm run sweep -- --status` reads it. */
async function sweepStateOf(w: World) {
  const states = await realSweepStore(clients.dynamodb, {
    tableName: w.stage.tableName,
  }).readStates([w.giftCampaignId])
  return states.get(w.giftCampaignId)
}

/** The gift campaign's transaction ids in the order the listing walks them (by id). */
const listingOrder = (w: World) =>
  w.cards
    .flatMap(({ transactions }) => transactions)
    .filter(({ campaign_id }) => campaign_id === w.giftCampaignId)
    .map(({ id }) => String(id))
    .sort()

const snsClientAt = (endpoint: string) =>
  awsClientsFor({
    region: process.env.AWS_REGION as string,
    endpoints: {
      dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
      sns: endpoint,
      sqs: process.env.AWS_ENDPOINT_URL_SQS as string,
    },
  }).sns

/** Voucherify's API that answers the request after the `pages`-th page 429, Retry-After 50 s. */
const holdBackAfter =
  (w: World, pages: number) =>
  (api: SweepApi): SweepApi => ({
    ...api,
    async *campaignTransactionPages(campaignId, startingAfter, signal) {
      let listed = 0
      for await (const page of api.campaignTransactionPages(campaignId, startingAfter, signal)) {
        yield page
        if (++listed === pages) w.standIn.throttleNext(1, 50)
      }
    },
  })

/** The handler as handlers/sweep.ts builds it, on the world's stage and stand-in. */
function sweepHandler(
  w: World,
  {
    requestsPerMinute = FAST_REQUESTS_PER_MINUTE,
    pageSize,
    wrapApi = (api) => api,
    snsEndpoint,
    clockOffsetMs = 0,
  }: {
    /** A run this much later than now: the receiver's clock, which the sweep reads too. */
    clockOffsetMs?: number
    requestsPerMinute?: number
    pageSize?: number
    wrapApi?: (api: SweepApi) => SweepApi
    /** SNS at another address (a fault proxy in front of fauxqs). */
    snsEndpoint?: string
  } = {},
) {
  const built = buildDeps(
    readConfig({
      TABLE_NAME: w.stage.tableName,
      TOPIC_ARN_PREFIX: w.stage.topicArnPrefix,
      TOPIC_NAME_SUFFIX: w.stage.topicNameSuffix,
    }),
    snsEndpoint ? { ...clients, sns: snsClientAt(snsEndpoint) } : clients,
  )
  const receiver = { ...built, clock: () => new Date(Date.now() + clockOffsetMs) }
  const sweepDeps = async () => {
    const deps = buildSweepDeps(receiver, clients.dynamodb, w.stage.tableName, {
      baseUrl: w.standIn.url,
      ...KEYS,
      requestsPerMinute,
      pageSize,
    })
    return { ...deps, api: wrapApi(deps.api) }
  }
  // The integration setup disables metrics for every test; these are read back.
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED
  process.env.POWERTOOLS_METRICS_DISABLED = 'false'
  const metrics = new Metrics({ namespace: 'SweepTest', serviceName: 'sweep-test' })
  if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED
  else process.env.POWERTOOLS_METRICS_DISABLED = disabled
  const handler = createSweepHandler({
    sweepDeps,
    settings: SETTINGS,
    campaignIds: undefined,
    logger: new Logger({ serviceName: 'sweep-test', logLevel: 'SILENT' }),
    metrics,
  })
  /** One scheduled run: the handler's answer and the metrics it emitted (EMF, name to value). */
  return async (context?: Context) => {
    let answer: Awaited<ReturnType<typeof handler>> | undefined
    const lines = await captureOutput(async () => {
      answer = await handler({}, context)
    })
    const emitted: Record<string, unknown> = {}
    for (const line of lines) {
      const record = JSON.parse(line) as { _aws?: { CloudWatchMetrics: unknown[] } } & Json
      if (record._aws) Object.assign(emitted, record)
    }
    return { answer: answer as NonNullable<typeof answer>, metrics: emitted }
  }
}

/** A card whose last transaction Voucherify lists with an amount in fractions of a cent. */
async function poisonedCard(w: World) {
  const history = await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
  const listedCard = w.cards.at(-1) as StandInCard
  const poison = listedCard.transactions.at(-1) as Json
  const details = poison.details as { balance: Json }
  listedCard.transactions[listedCard.transactions.length - 1] = {
    ...poison,
    details: { ...details, balance: { ...details.balance, amount: 12.5 } },
  }
  const fix = () => {
    listedCard.transactions[listedCard.transactions.length - 1] = poison
  }
  return { history, poisonId: history.at(10).id, fix }
}

/** Each transaction id a subscriber received, with how many messages named it. */
function countByTransaction(messages: ReadonlyArray<{ attributes: Record<string, string> }>) {
  const counts = new Map<string, number>()
  for (const { attributes } of messages) {
    const id = attributes.transaction_id as string
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return counts
}

describe('the scheduled sweep (createSweepHandler with the real adapters)', () => {
  it("takes in a card's lost last transaction, leaves the chain whole and publishes it once with origin=sweep", async () => {
    const w = await world()
    const history = await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
    const last = history.at(10)
    const subscriber = await w.stage.subscribeAll()
    const sweep = sweepHandler(w)

    const { answer } = await sweep()

    expect(answer).toMatchObject({ status: 'complete', listed: 10, found: 9, takenIn: 1 })
    expect(await w.stage.item(last.id, CREATED)).toMatchObject({
      origin: 'sweep',
      status: 'published',
      ledger_status: 'ok',
    })
    expect(await ledgerOf(w, history.voucherId)).toMatchObject({
      whole: true,
      transactions: 10,
      closing_balance: last.balanceAfter,
    })
    expect(await headOf(w, history.voucherId)).toMatchObject({
      head_transaction_id: last.id,
      head_balance: last.balanceAfter,
    })
    const messages = await subscriber.receiveAll(1_000)
    expect(messages.map(({ attributes }) => attributes)).toEqual([
      expect.objectContaining({ transaction_id: last.id, origin: 'sweep' }),
    ])
  })

  it('keeps the last id of a listing walked to its end, all of it settled, as the campaign’s covered cursor', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
    const sweep = sweepHandler(w)

    await sweep()

    expect(await sweepStateOf(w)).toEqual({
      coveredCursor: listingOrder(w).at(-1),
      fullWalkCompletedAt: expect.any(String),
      visitedAt: expect.any(String),
      walks: {},
    })
  })

  it('lists only what came after the covered cursor on the next run', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
    await sweepHandler(w)()
    const covered = listingOrder(w).at(-1)
    const before = w.standIn.requests.length

    const { answer } = await sweepHandler(w)()

    expect(answer).toMatchObject({ status: 'complete', listed: 0, takenIn: 0 })
    const listings = w.standIn.requests
      .slice(before)
      .filter(({ path }) => path.endsWith('/transactions'))
    expect(listings.map(({ query }) => [query.order, query.starting_after_id])).toEqual([
      ['id', covered],
    ])
  })

  it('attests a card’s head against Voucherify’s balance on the weekly full walk, once the head has settled', async () => {
    const w = await world()
    const history = await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
    await sweepHandler(w)()
    const aWeekOnAndADay = sweepHandler(w, { clockOffsetMs: 8 * DAY })

    const { answer } = await aWeekOnAndADay()

    expect(answer).toMatchObject({ status: 'complete', listed: 10, found: 10, unattested: 0 })
    expect(await headOf(w, history.voucherId)).toMatchObject({
      head_transaction_id: history.at(10).id,
      attested_balance: history.at(10).balanceAfter,
      attested_at: expect.any(String),
    })
  })

  it('takes in on the full walk a transaction listed behind the covered cursor, and counts it in SweepMissedByIncremental', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE.concat(10) })
    await sweepHandler(w)()
    // Listed only now, hours after it was created, with an id before the covered cursor.
    const late = cardHistory(TEN_TRANSACTIONS, { start: hoursAgo(3) })
    const lateId = `vtx_000000${randomId('x').slice(2)}`
    w.cards.push({
      id: late.voucherId,
      code: randomId('GIFT'),
      transactions: [{ ...listed(w, late.at(1)), id: lateId }],
    })

    const { answer, metrics } = await sweepHandler(w, { clockOffsetMs: 8 * DAY })()

    expect(answer).toMatchObject({ status: 'complete', takenIn: 1, missedByIncremental: 1 })
    expect(metrics).toMatchObject({ SweepMissedByIncremental: 1, SweepTakenIn: 1 })
    expect(await w.stage.item(lateId, CREATED)).toMatchObject({ origin: 'sweep' })
  })

  it('takes in, in one sweep, 200 transactions on 20 cards that a webhook disabled for three days never delivered, and says so in SweepTakenIn', async () => {
    const w = await world()
    // Twenty cards whose lives span the past three days, none delivered.
    const histories = await Promise.all(
      Array.from({ length: 20 }, (_, index) => card(w, { start: hoursAgo(72 - index * 3.5) })),
    )
    const sweep = sweepHandler(w)

    const { answer, metrics } = await sweep()

    expect(answer).toMatchObject({
      status: 'complete',
      campaigns: 1,
      listed: 200,
      found: 0,
      takenIn: 200,
      failed: 0,
      unattested: 0,
    })
    expect(metrics).toMatchObject({ SweepTakenIn: 200, SweepFailed: 0, LedgerUnattested: 0 })
    const ledgers = await Promise.all(histories.map((h) => ledgerOf(w, h.voucherId)))
    expect(ledgers.map(({ whole, transactions }) => ({ whole, transactions }))).toEqual(
      histories.map(() => ({ whole: true, transactions: 10 })),
    )
    expect(ledgers.map(({ closing_balance }) => closing_balance)).toEqual(
      histories.map((h) => h.at(10).balanceAfter),
    )
  })

  it('carries a sweep stopped halfway by the function deadline on in the next run, publishing every transaction exactly once', async () => {
    const w = await world()
    // Listed by id, which says nothing of the card or the time: the pages mix the three cards.
    const histories = await Promise.all(
      [0, 1, 2].map((index) => card(w, { start: new Date(hoursAgo(2).getTime() + index * 1_000) })),
    )
    const ids = histories.flatMap((h) => h.transactions.map(({ id }) => id))
    const subscriber = await w.stage.subscribeAll()
    // Asked for the page after the first 20 (pages of one), Voucherify holds the sweep back
    // (429, Retry-After 50 s) past the function's deadline: the run stops there, 20 taken in.
    const stopped = sweepHandler(w, { pageSize: 1, wrapApi: holdBackAfter(w, 20) })
    const first = await stopped(lambdaContext(STOP_MARGIN_MS + 5_000))
    const whereItStopped = await sweepStateOf(w)

    const next = await sweepHandler(w, { pageSize: 1 })()

    expect(first.answer).toMatchObject({ status: 'stopped', listed: 20, takenIn: 20, failed: 0 })
    // A walk that moved on before its time ran out is how a long walk goes: no stop to alarm on.
    expect(first.metrics).toMatchObject({ SweepStopped: 0, SweepFailed: 0 })
    expect(whereItStopped?.lastStop).toEqual({
      at: expect.any(String),
      walk: 'incremental',
      cursor: listingOrder(w)[19],
      reason: "the run's time ran out",
    })
    expect(next.answer).toMatchObject({ status: 'complete', listed: 10, takenIn: 10, failed: 0 })
    expect((await sweepStateOf(w))?.lastStop).toBeUndefined()
    const counts = countByTransaction(await subscriber.receiveAll(1_000))
    expect([...counts.keys()].sort()).toEqual([...ids].sort())
    expect([...counts.values()].every((count) => count === 1)).toBe(true)
    for (const h of histories) expect((await ledgerOf(w, h.voucherId)).whole).toBe(true)
  })

  it('finishes the transaction under way when the deadline comes, so that the next run publishes nothing twice and counts no failure', async () => {
    const w = await world()
    const history = await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
    const subscriber = await w.stage.subscribeAll()
    // SNS slow to answer: the deadline comes while the lost transaction's message is going out.
    const sns = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL_SNS as string,
      kindOf: snsKind,
    })
    try {
      sns.inject({ when: ({ kind }) => kind === 'Publish', fault: { type: 'delay', ms: 4_000 } })
      const slow = sweepHandler(w, { snsEndpoint: sns.url })
      const first = await slow(lambdaContext(STOP_MARGIN_MS + 2_000))
      await sns.settled()

      const next = await sweepHandler(w)()

      expect(first.answer).toMatchObject({ takenIn: 1, failed: 0 })
      expect(first.metrics).toMatchObject({ SweepFailed: 0 })
      expect(next.answer).toMatchObject({ status: 'complete', takenIn: 0, failed: 0 })
      const messages = await subscriber.receiveAll(1_000)
      expect(messages.map(({ attributes }) => attributes.transaction_id)).toEqual([
        history.at(10).id,
      ])
    } finally {
      await sns.close()
    }
  })

  it("waits out Voucherify's 429s and Retry-After, then takes every transaction in", async () => {
    const w = await world()
    const histories = await Promise.all(
      [3, 2].map((hours) => card(w, { start: hoursAgo(hours), delivered: [1, 2, 3] })),
    )
    const sweep = sweepHandler(w, { requestsPerMinute: 120 })
    w.standIn.throttleNext(3, 1)
    const startedAt = Date.now()

    const { answer } = await sweep()

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3_000)
    expect(answer).toMatchObject({ status: 'complete', listed: 20, found: 6, takenIn: 14 })
    expect(w.standIn.requests.map(({ path, status }) => `${status} ${path}`)).toEqual([
      '429 /v1/campaigns',
      '429 /v1/campaigns',
      '429 /v1/campaigns',
      '200 /v1/campaigns',
      `200 /v1/campaigns/${w.giftCampaignId}/transactions`,
    ])
    for (const h of histories) {
      expect(await ledgerOf(w, h.voucherId)).toMatchObject({ whole: true, transactions: 10 })
    }
  })

  it('answers a webhook that arrives after the sweep took its transaction in as a duplicate, and publishes nothing more', async () => {
    const w = await world()
    const history = await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
    await sweepHandler(w)()
    const subscriber = await w.stage.subscribeAll()

    const late = await deliver(w, history.at(10))

    expect(late).toMatchObject({ status: 200, body: { status: 'duplicate' } })
    expect(await w.stage.item(history.at(10).id, CREATED)).toMatchObject({ origin: 'sweep' })
    expect(await subscriber.receiveAll(500)).toEqual([])
  })

  it('counts a transaction parked on its third failed run in SweepParked, for the sweep-parked alarm', async () => {
    const w = await world()
    const { poisonId } = await poisonedCard(w)
    const sweep = sweepHandler(w)
    const failedRuns = [await sweep(), await sweep()]

    const third = await sweep()

    expect(failedRuns.map(({ answer, metrics }) => [answer.status, metrics.SweepParked])).toEqual([
      ['failed', 0],
      ['failed', 0],
    ])
    expect(third.answer).toMatchObject({ failed: 0, parked: 1 })
    expect(third.metrics).toMatchObject({ SweepParked: 1, SweepFailed: 0 })
    expect(await w.stage.item(poisonId, CREATED)).toBeUndefined()
  })

  it('parks at once a transaction of a balance type it does not know, counting it in SweepUnknownBalanceType and SweepParked', async () => {
    const w = await world()
    const history = await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })
    const listedCard = w.cards.at(-1) as StandInCard
    const last = listedCard.transactions.at(-1) as Json
    const details = last.details as { balance: Json }
    listedCard.transactions[listedCard.transactions.length - 1] = {
      ...last,
      details: { ...details, balance: { ...details.balance, type: 'prepaid_card' } },
    }

    const { answer, metrics } = await sweepHandler(w)()

    expect(answer).toMatchObject({ parked: 1, unknownBalanceType: 1, takenIn: 0 })
    expect(metrics).toMatchObject({ SweepParked: 1, SweepUnknownBalanceType: 1 })
    expect(await w.stage.item(history.at(10).id, CREATED)).toBeUndefined()
  })

  it('ignores loyalty transactions, in a loyalty campaign or in a gift campaign listing, and stores nothing for them', async () => {
    const w = await world()
    const loyaltyCampaignId = randomId('camp')
    w.campaigns.push({ id: loyaltyCampaignId, name: 'Loyalty', campaign_type: 'LOYALTY_PROGRAM' })
    const gift = await card(w, { start: hoursAgo(2) })
    const loyaltyCardId = randomId('v')
    const points = (campaignId: string, type: string, hours: number) =>
      loyaltyTransaction(campaignId, hoursAgo(hours).toISOString(), { cardId: loyaltyCardId, type })
    const inGiftListing = [
      points(w.giftCampaignId, 'POINTS_ACCRUAL', 1.5),
      points(w.giftCampaignId, 'POINTS_REDEMPTION', 1.4),
    ]
    const inLoyaltyCampaign = points(loyaltyCampaignId, 'POINTS_ADDITION', 1.3)
    w.cards.push({
      id: loyaltyCardId,
      code: randomId('LOYAL'),
      transactions: [...inGiftListing, inLoyaltyCampaign],
    })

    const { answer } = await sweepHandler(w)()

    expect(answer).toMatchObject({ status: 'complete', listed: 12, takenIn: 10, failed: 0 })
    for (const { id } of [...inGiftListing, inLoyaltyCampaign]) {
      expect(await w.stage.item(String(id), CREATED)).toBeUndefined()
    }
    expect(await readCardItems(documents, w.stage.tableName, loyaltyCardId)).toEqual([])
    expect(await headOf(w, loyaltyCardId)).toBeUndefined()
    expect(w.standIn.requests.map(({ path }) => path)).not.toContain(
      `/v1/campaigns/${loyaltyCampaignId}/transactions`,
    )
    expect(await ledgerOf(w, gift.voucherId)).toMatchObject({ whole: true, transactions: 10 })
  })
})

describe('npm run sweep', () => {
  /** Runs `npm run sweep -- <args>` in this process against the world's stage and stand-in. */
  async function sweepCli(w: World, ...more: string[]) {
    return sweepCliUntil(w, new AbortController().signal, ...more)
  }

  /** `npm run sweep -- <args>`, with Ctrl-C when `signal` aborts. */
  async function sweepCliUntil(w: World, signal: AbortSignal, ...more: string[]) {
    const stdout: string[] = []
    const stderr: string[] = []
    const args = ['--table', w.stage.tableName, '--topic-arn-prefix', w.stage.topicArnPrefix]
    const pace = ['--requests-per-minute', String(FAST_REQUESTS_PER_MINUTE)]
    const code = await runOperatorCli(
      ['sweep', ...args, '--api-url', w.standIn.url, ...pace, ...more],
      {
        env: {
          ...process.env,
          VOUCHERIFY_APP_ID: KEYS.appId,
          VOUCHERIFY_SECRET_KEY: KEYS.secretKey,
        },
        stdout: (line) => stdout.push(line),
        stderr: { write: (text: string) => stderr.push(...text.split('\n').filter(Boolean)) },
      },
      { signal },
    )
    return { code, stdout, stderr }
  }

  it('takes a lost transaction in with one summary line, and a second run takes nothing in', async () => {
    const w = await world()
    const history = await card(w, { start: hoursAgo(0.5), delivered: ONE_TO_NINE })
    const subscriber = await w.stage.subscribeAll()

    const first = await sweepCli(w)
    const second = await sweepCli(w)

    expect(first).toMatchObject({
      code: 0,
      stdout: ['sweep: campaigns 1, listed 10, found 9, taken in 1, failed 0, parked 0'],
    })
    // Younger than grace + overlap, the card's transactions hold the cursor: listed again.
    expect(second).toMatchObject({
      code: 0,
      stdout: ['sweep: campaigns 1, listed 10, found 10, taken in 0, failed 0, parked 0'],
    })
    expect(await w.stage.item(history.at(10).id, CREATED)).toMatchObject({ origin: 'sweep' })
    const messages = await subscriber.receiveAll(1_000)
    expect(messages.map(({ attributes }) => attributes.transaction_id)).toEqual([history.at(10).id])
  })

  it('prints one line per campaign with the walks it made and its counts', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(2), delivered: ONE_TO_NINE })

    const { stderr } = await sweepCli(w)

    expect(stderr).toContain(
      `${w.giftCampaignId}: complete, walks incremental listed=10 found=9 taken_in=1 ` +
        'too_recent=0 not_gift=0 failed=0 parked=0',
    )
  })

  it('parks a transaction that failed three runs, and shows it parked in --status', async () => {
    const w = await world()
    const { poisonId } = await poisonedCard(w)
    const runs = [await sweepCli(w), await sweepCli(w)]

    const third = await sweepCli(w)
    const status = await sweepCli(w, '--status')

    expect(runs.map(({ code }) => code)).toEqual([1, 1])
    expect(third.stdout).toContainEqual(
      expect.stringMatching(/^sweep: campaigns 1, .*, taken in 0, failed 0, parked 1$/),
    )
    expect(status.code).toBe(0)
    expect(status.stdout).toContainEqual(
      expect.stringMatching(
        new RegExp(`^  parked ${poisonId} since \\S+ after 3 attempt\\(s\\): schema: `),
      ),
    )
  })

  it('shows a transaction still failing, with its attempts, in --status', async () => {
    const w = await world()
    const { poisonId } = await poisonedCard(w)
    await sweepCli(w)

    const status = await sweepCli(w, '--status')

    expect(status.stdout).toContainEqual(
      expect.stringMatching(
        new RegExp(`^  failing ${poisonId}, 1 attempt\\(s\\), last \\S+: schema: `),
      ),
    )
  })

  it('takes a parked transaction in with --retry-parked once Voucherify lists it right, and clears its record', async () => {
    const w = await world()
    const { poisonId, history, fix } = await poisonedCard(w)
    for (let run = 0; run < 3; run++) await sweepCli(w)
    fix()

    const retried = await sweepCli(w, '--retry-parked')

    expect(retried).toMatchObject({
      code: 0,
      stdout: [
        `${w.giftCampaignId} ${poisonId}: taken_in`,
        'sweep: parked retried 1, still parked 0',
      ],
    })
    expect(await w.stage.item(poisonId, CREATED)).toMatchObject({ origin: 'sweep' })
    expect(await ledgerOf(w, history.voucherId)).toMatchObject({ whole: true, transactions: 10 })
    expect((await sweepCli(w, '--status')).stdout).not.toContainEqual(
      expect.stringMatching(/^ {2}(parked|failing) /),
    )
  })

  it('refuses --retry-parked --dry-run with exit 2, taking nothing in and leaving the park as it is', async () => {
    const w = await world()
    const { poisonId, fix } = await poisonedCard(w)
    for (let run = 0; run < 3; run++) await sweepCli(w)
    fix()

    const refused = await sweepCli(w, '--retry-parked', '--dry-run')

    expect(refused.code).toBe(2)
    expect(await w.stage.item(poisonId, CREATED)).toBeUndefined()
    expect((await sweepCli(w, '--status')).stdout).toContainEqual(
      expect.stringMatching(new RegExp(`^ {2}parked ${poisonId} since `)),
    )
  })

  it('leaves a parked transaction parked when --retry-parked finds it failing still', async () => {
    const w = await world()
    const { poisonId } = await poisonedCard(w)
    for (let run = 0; run < 3; run++) await sweepCli(w)

    const retried = await sweepCli(w, '--retry-parked')

    expect(retried.code).toBe(1)
    expect(retried.stdout).toContainEqual(
      expect.stringMatching(new RegExp(`^${w.giftCampaignId} ${poisonId}: parked \\(schema: `)),
    )
    expect((await sweepCli(w, '--status')).stdout).toContainEqual(
      expect.stringMatching(new RegExp(`^  parked ${poisonId} since \\S+ after 4 attempt\\(s\\)`)),
    )
  })

  it('stops politely on a Retry-After longer than a sweep waits: exit 130, no request after the 429, the reason on the campaign', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(2) })
    w.standIn.throttleNext(1, 600)

    const stopped = await sweepCli(w, '--campaign', w.giftCampaignId)

    expect(stopped.code).toBe(130)
    expect(w.standIn.requests.map(({ status }) => status)).toEqual([429])
    expect((await sweepStateOf(w))?.lastStop).toEqual({
      at: expect.any(String),
      walk: 'incremental',
      reason: 'Voucherify asked to wait 600 s, longer than a sweep waits',
    })
    expect(stopped.stderr).toContain(
      'sweep: stopped (Voucherify asked to wait 600 s, longer than a sweep waits); the next sweep carries on where this one left off',
    )
  })

  it('stops politely on a Retry-After longer than a sweep waits at the campaign listing too: exit 130, nothing asked after the 429', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(2) })
    w.standIn.throttleNext(1, 600)

    const stopped = await sweepCli(w)

    expect(w.standIn.requests.map(({ path, status }) => `${status} ${path}`)).toEqual([
      '429 /v1/campaigns',
    ])
    expect(stopped.code).toBe(130)
  })

  it('stops at Ctrl-C before the next transaction: exit 130, interrupted on the campaign, and the next run takes everything in', async () => {
    const ctrlC = new AbortController()
    const w = await world(({ path }) => {
      if (path.endsWith('/transactions')) ctrlC.abort()
    })
    const history = await card(w, { start: hoursAgo(2) })

    const interrupted = await sweepCliUntil(w, ctrlC.signal, '--campaign', w.giftCampaignId)
    const whereItStopped = await sweepStateOf(w)
    const next = await sweepCli(w, '--campaign', w.giftCampaignId)

    expect(interrupted).toMatchObject({
      code: 130,
      stdout: [expect.stringMatching(/^sweep: campaigns 1, .*, taken in 0, /)],
    })
    expect(whereItStopped?.lastStop).toMatchObject({ walk: 'incremental', reason: 'interrupted' })
    expect(next.code).toBe(0)
    expect(await ledgerOf(w, history.voucherId)).toMatchObject({ whole: true, transactions: 10 })
  })

  it('shows where and why the last run stopped in --status', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(2) })
    w.standIn.throttleNext(1, 600)
    await sweepCli(w, '--campaign', w.giftCampaignId)

    const status = await sweepCli(w, '--campaign', w.giftCampaignId, '--status')

    expect(status.stdout).toContainEqual(
      expect.stringMatching(
        /^ {2}stopped \S+ in the incremental walk at its start: Voucherify asked to wait 600 s, longer than a sweep waits$/,
      ),
    )
  })
})

describe('the scheduled sweep when Voucherify refuses its cursor', () => {
  it('restarts a walk refused at the covered cursor from the start, and still takes everything in', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(3), delivered: ONE_TO_NINE.concat(10) })
    await sweepHandler(w)()
    const covered = (await sweepStateOf(w))?.coveredCursor as string
    w.expiredCursors.add(covered)
    const later = await card(w, { start: hoursAgo(2) })

    const { answer } = await sweepHandler(w)()

    expect(answer).toMatchObject({ status: 'complete', cursorRefused: 1, takenIn: 10, failed: 0 })
    expect(w.standIn.requests.map(({ status }) => status)).toContain(400)
    expect(await ledgerOf(w, later.voucherId)).toMatchObject({ whole: true, transactions: 10 })
    expect((await sweepStateOf(w))?.coveredCursor).toBe(listingOrder(w).at(-1))
  })

  it('restarts a walk refused midway from where it began, not from the start', async () => {
    const w = await world()
    await card(w, { start: hoursAgo(4), delivered: ONE_TO_NINE.concat(10) })
    await sweepHandler(w)()
    const began = (await sweepStateOf(w))?.coveredCursor as string
    // Listed after the covered cursor: ids past any of the first card's, in the card's order.
    const laterId = (number: number) => `vtx_g${String(number).padStart(2, '0')}`
    const later = cardHistory(TEN_TRANSACTIONS, { start: hoursAgo(3) })
    w.cards.push({
      id: later.voucherId,
      code: randomId('GIFT'),
      transactions: later.transactions.map((t) => ({ ...listed(w, t), id: laterId(t.number) })),
    })
    // Stopped by the deadline after three pages of one: the walk's cursor is midway.
    const stopped = await sweepHandler(w, { pageSize: 1, wrapApi: holdBackAfter(w, 3) })(
      lambdaContext(STOP_MARGIN_MS + 3_000),
    )
    const midway = (await sweepStateOf(w))?.walks.incremental?.cursor as string
    w.expiredCursors.add(midway)
    const before = w.standIn.requests.length

    const { answer } = await sweepHandler(w)()

    expect([stopped.answer.status, midway]).toEqual(['stopped', laterId(3)])
    expect(answer).toMatchObject({ status: 'complete', cursorRefused: 1, failed: 0 })
    const listings = w.standIn.requests
      .slice(before)
      .filter(({ path }) => path.endsWith('/transactions'))
      .map(({ query, status }) => [query.starting_after_id, status])
    expect(listings.slice(0, 2)).toEqual([
      [laterId(3), 400],
      [began, 200],
    ])
    const stored = await Promise.all(
      later.transactions.map((_, i) => w.stage.item(laterId(i + 1), CREATED)),
    )
    expect(stored.every((item) => item?.status === 'published')).toBe(true)
  })
})
