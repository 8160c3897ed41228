// The scheduled sweep end to end: `createSweepHandler` built as handlers/sweep.ts builds it (the
// receiver's own pipeline, the DynamoDB sweep and attestation stores, Voucherify's API paced),
// on a table and topics of each test's own (DynamoDB Local, fauxqs) and a stand-in for
// Voucherify's API on 127.0.0.1. Faults come from the stand-in only (429s on demand); no SDK
// client is mocked. Issue 15, item 6, scenarios (a) to (f), and `npm run sweep` itself.

import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Context } from 'aws-lambda'
import { createSweepHandler } from '../../../handlers/sweep-handler'
import { realAttestationStore } from '../../../lib/aws/dynamodb-attestation-store'
import { realSweepStore } from '../../../lib/aws/dynamodb-sweep-store'
import { readConfig } from '../../../lib/config'
import { buildDeps } from '../../../lib/deps'
import { voucherifySweepApi } from '../../../lib/sweep/sweep-api'
import type { SweepApi, SweepDeps, SweepSettings } from '../../../lib/sweep/sweep-campaigns'
import { API_TRANSACTION_EVENT_TYPE } from '../../../lib/voucherify/transaction-payload'
import { type CardTransaction, cardHistory, TEN_TRANSACTIONS } from '../../../scripts/card-history'
import { awsClientsFor } from '../../../scripts/cli/aws-clients'
import { runOperatorCli } from '../../../scripts/cli/main'
import { buildLedger, readCardItems } from '../../../scripts/ledger/card-ledger'
import { loyaltyTransaction } from '../../../scripts/local/voucherify-sample-project'
import {
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
const SETTINGS: SweepSettings = { graceMs: 10 * MINUTE, overlapMs: 60 * MINUTE }
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
}

const standIns: VoucherifyStandIn[] = []
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()))
})

async function world(): Promise<World> {
  const giftCampaignId = randomId('camp')
  const cards: StandInCard[] = []
  const campaigns: StandInCampaign[] = [
    { id: giftCampaignId, name: 'Gift cards', campaign_type: 'GIFT_VOUCHERS' },
  ]
  const [stage, standIn] = await Promise.all([
    isolatedStage(),
    startVoucherifyStandIn({ ...KEYS, cards, campaigns }),
  ])
  standIns.push(standIn)
  return { stage, standIn, giftCampaignId, cards, campaigns }
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

const snsClientAt = (endpoint: string) =>
  awsClientsFor({
    region: process.env.AWS_REGION as string,
    endpoints: {
      dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
      sns: endpoint,
      sqs: process.env.AWS_ENDPOINT_URL_SQS as string,
    },
  }).sns

/** The handler as handlers/sweep.ts builds it, on the world's stage and stand-in. */
function sweepHandler(
  w: World,
  {
    requestsPerMinute = FAST_REQUESTS_PER_MINUTE,
    pageSize,
    wrapApi = (api) => api,
    snsEndpoint,
  }: {
    requestsPerMinute?: number
    pageSize?: number
    wrapApi?: (api: SweepApi) => SweepApi
    /** SNS at another address (a fault proxy in front of fauxqs). */
    snsEndpoint?: string
  } = {},
) {
  const receiver = buildDeps(
    readConfig({
      TABLE_NAME: w.stage.tableName,
      TOPIC_ARN_PREFIX: w.stage.topicArnPrefix,
      TOPIC_NAME_SUFFIX: w.stage.topicNameSuffix,
    }),
    snsEndpoint ? { ...clients, sns: snsClientAt(snsEndpoint) } : clients,
  )
  const sweepDeps = async (): Promise<SweepDeps> => ({
    receiver,
    sweeps: realSweepStore(clients.dynamodb, { tableName: w.stage.tableName }),
    attestations: realAttestationStore(clients.dynamodb, { tableName: w.stage.tableName }),
    api: wrapApi(
      voucherifySweepApi({ baseUrl: w.standIn.url, ...KEYS, requestsPerMinute, pageSize }),
    ),
  })
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
  it("takes in a card's lost last transaction, leaves the chain whole, attests the head and publishes it once with origin=sweep", async () => {
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
      attested_balance: last.balanceAfter,
      attested_at: expect.any(String),
    })
    const messages = await subscriber.receiveAll(1_000)
    expect(messages.map(({ attributes }) => attributes)).toEqual([
      expect.objectContaining({ transaction_id: last.id, origin: 'sweep' }),
    ])
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
    // Interleaved a second apart, so that the pages take turns between the cards.
    const histories = await Promise.all(
      [0, 1, 2].map((index) => card(w, { start: new Date(hoursAgo(2).getTime() + index * 1_000) })),
    )
    const ids = histories.flatMap((h) => h.transactions.map(({ id }) => id))
    const subscriber = await w.stage.subscribeAll()
    // Asked for the page after the first batch (20 pages of one), Voucherify holds the sweep
    // back (429, Retry-After 50 s) past the function's deadline: the run stops there, the first
    // batch taken in.
    const holdBackAfterFirstBatch = (api: SweepApi): SweepApi => ({
      listGiftCampaigns: (signal) => api.listGiftCampaigns(signal),
      async *campaignTransactionPages(campaignId, startingAfter, signal) {
        let pages = 0
        for await (const page of api.campaignTransactionPages(campaignId, startingAfter, signal)) {
          yield page
          if (++pages === 20) w.standIn.throttleNext(1, 50)
        }
      },
    })
    const stopped = sweepHandler(w, { pageSize: 1, wrapApi: holdBackAfterFirstBatch })
    const first = await stopped(lambdaContext(STOP_MARGIN_MS + 5_000))

    const next = await sweepHandler(w, { pageSize: 1 })()

    expect(first.answer).toMatchObject({ status: 'stopped', listed: 20, takenIn: 20, failed: 0 })
    expect(next.answer).toMatchObject({ status: 'complete', listed: 10, takenIn: 10, failed: 0 })
    const counts = countByTransaction(await subscriber.receiveAll(1_000))
    expect([...counts.keys()].sort()).toEqual([...ids].sort())
    expect([...counts.values()].every((count) => count === 1)).toBe(true)
    for (const h of histories) expect((await ledgerOf(w, h.voucherId)).whole).toBe(true)
  })

  it('finishes the transaction under way when the deadline comes, so that the next run publishes nothing twice and no alarm counts a failure', async () => {
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
      expect(next.answer).toMatchObject({ status: 'complete', found: 10, takenIn: 0 })
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
  async function sweepCli(w: World) {
    const stdout: string[] = []
    const stderr: string[] = []
    const args = ['--table', w.stage.tableName, '--topic-arn-prefix', w.stage.topicArnPrefix]
    const code = await runOperatorCli(['sweep', ...args, '--api-url', w.standIn.url], {
      env: { ...process.env, VOUCHERIFY_APP_ID: KEYS.appId, VOUCHERIFY_SECRET_KEY: KEYS.secretKey },
      stdout: (line) => stdout.push(line),
      stderr: { write: (text: string) => stderr.push(...text.split('\n').filter(Boolean)) },
    })
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
      stdout: ['sweep: campaigns 1, listed 10, found 9, taken in 1, failed 0'],
    })
    expect(second).toMatchObject({
      code: 0,
      stdout: ['sweep: campaigns 1, listed 10, found 10, taken in 0, failed 0'],
    })
    expect(await w.stage.item(history.at(10).id, CREATED)).toMatchObject({ origin: 'sweep' })
    const messages = await subscriber.receiveAll(1_000)
    expect(messages.map(({ attributes }) => attributes.transaction_id)).toEqual([history.at(10).id])
  })
})
