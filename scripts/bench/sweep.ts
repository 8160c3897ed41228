// The sweep against the local stack: DynamoDB Local and fauxqs behind counting proxies, the
// Voucherify stand-in answering in this process (`standInFetch`), and a requests-per-minute
// budget no run here reaches, so that seconds measure the work; what the default budget adds is
// arithmetic (the report). Three runs of `sweepCampaigns` with its default settings:
// - onboarding: a campaign none of whose transactions is in the ledger, never swept: its first
//   (onboarding) walk from the listing's start takes every one in;
// - incremental: 50 campaigns holding 100,000 transactions, swept before: the ledger is filled
//   beforehand by writing its items to DynamoDB Local directly (faster than the pipeline by far),
//   and each campaign's state is the one the previous run left;
// - full: the same 50 campaigns in a run whose full walks are due, every transaction listed again.
import { randomBytes } from 'node:crypto'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import {
  API_TRANSACTION_EVENT_TYPE,
  buildSweepDeps,
  type CampaignSweep,
  ITEM_STATUS,
  itemKeys,
  MAX_PAGE_SIZE,
  readPayload,
  realSweepStore,
  SWEEP_SETTINGS,
  type SweepApi,
  type SweepSettings,
  sweepCampaigns,
  sweepSettingsOf,
  toTransactionRecord,
} from '../../lib'
import { cardHistory, TEN_TRANSACTIONS } from '../card-history'
import { receiverDeps } from '../cli/receiver-deps'
import type { LocalAws } from '../local/local-aws'
import { stageSetting } from '../local/serverless-resources'
import { type StandInCard, type StandInOptions, standInFetch } from '../local/voucherify-stand-in'
import { countsSince, startCountingProxy } from './counting-proxy'

type Json = Record<string, unknown>

/** High enough that the pacer never waits: 1 ms between requests. */
export const UNPACED_REQUESTS_PER_MINUTE = 60_000
/** How far apart a campaign's transactions are: one a minute, oldest to newest. */
export const SPACING_MS = 60_000
/** serverless.yml's default `sweepIntervalMinutes`: how long before this run the previous one began. */
export const INTERVAL_MINUTES = 15
/**
 * How much later, in the sweep's clock, the run with the full walks comes: past the settle window
 * of the heads the incremental run moved, so that it attests them too.
 */
export const FULL_RUN_LATER_MS = 2 * 60_000

export interface SweepSizes {
  /** Cards of ten transactions each (scripts/card-history.ts) in the onboarded campaign. */
  onboardingCards: number
  /** The incremental case: campaigns, and cards of ten transactions in each. */
  incremental: { campaigns: number; cardsPerCampaign: number }
}

/** What one run did, summed over its campaigns. */
export interface SweepTotals {
  campaigns: number
  listed: number
  found: number
  takenIn: number
  tooRecent: number
  attested: number
  unattested: number
  failed: number
  parked: number
  missedByIncremental: number
}

export interface SweepRun {
  totals: SweepTotals
  seconds: number
  /** Of `seconds`, waiting for the stand-in's answers (it sorts the campaign per request). */
  apiSeconds: number
  apiRequests: number
  /** Of `apiRequests`, pages of transactions (the rest list the gift campaigns). */
  pages: number
  /** DynamoDB and SNS requests by operation. */
  calls: Record<string, number>
  /** Capacity units DynamoDB Local reported, by operation. */
  units: Record<string, number>
}

export interface SweepResult {
  /** The sweep function's defaults (lib/sweep/sweep-config.ts SWEEP_SETTINGS). */
  defaults: {
    graceMinutes: number
    overlapMinutes: number
    fullWalkDays: number
    parkAfterAttempts: number
    requestsPerMinute: number
  }
  pageSize: number
  onboarding: { transactions: number; cards: number; run: SweepRun }
  incremental: {
    campaigns: number
    transactions: number
    cards: number
    intervalMinutes: number
    /** Listed again between the covered cursor and the previous run's grace: in the ledger. */
    heldBack: number
    /** Created after the previous run's grace and before this one's: not in the ledger. */
    newTransactions: number
    /** Within this run's grace: left to their webhooks and the next run. */
    withinGrace: number
    /** Items written to DynamoDB Local beforehand, and how long it took. */
    prefill: { transactionItems: number; heads: number; seconds: number }
    run: SweepRun
  }
  /** The same campaigns in a run whose full walks are due. */
  full: { run: SweepRun }
}

/**
 * `cards` card histories in `campaignId`, interleaved (every card's first transaction, then
 * every card's second, …) `SPACING_MS` apart, the newest at `newestMs`, their ids in that order
 * (`tag` keeps them apart from other campaigns'): a listing in id order is one in time order.
 */
function campaign(campaignId: string, tag: string, cards: number, newestMs: number): StandInCard[] {
  const histories = Array.from({ length: cards }, () => cardHistory())
  const total = cards * TEN_TRANSACTIONS.length
  const ids = new Map<string, string>()
  const idOf = (order: number) => `vtx_${tag}_${String(order).padStart(7, '0')}`
  for (const [c, history] of histories.entries()) {
    for (const [k, transaction] of history.transactions.entries()) {
      ids.set(transaction.id, idOf(k * cards + c))
    }
  }
  return histories.map((history, c) => ({
    id: history.voucherId,
    code: `GIFT-${tag}-${c}`,
    transactions: history.transactions.map((transaction, k) => {
      const json = transaction.dataFor(API_TRANSACTION_EVENT_TYPE).transaction as Json
      const order = k * cards + c
      json.id = idOf(order)
      if (typeof json.related_transaction_id === 'string') {
        json.related_transaction_id = ids.get(json.related_transaction_id) ?? null
      }
      json.created_at = new Date(newestMs - (total - 1 - order) * SPACING_MS).toISOString()
      json.campaign_id = campaignId
      return json
    }),
  }))
}

const createdMs = (transaction: Json) => Date.parse(String(transaction.created_at))
const balanceAfter = (transaction: Json) =>
  Number((transaction.details as { balance: { balance: number } }).balance.balance)
const count = (cards: StandInCard[]) =>
  cards.reduce((sum, card) => sum + card.transactions.length, 0)

/** The API, with the time spent waiting for its answers added to `waited.ms`. */
function timed(api: SweepApi, waited: { ms: number }): SweepApi {
  const time = async <T>(answer: Promise<T>) => {
    const started = performance.now()
    try {
      return await answer
    } finally {
      waited.ms += performance.now() - started
    }
  }
  return {
    listGiftCampaigns: (signal) => time(api.listGiftCampaigns(signal)),
    findTransaction: (campaignId, transactionId, signal) =>
      time(api.findTransaction(campaignId, transactionId, signal)),
    async *campaignTransactionPages(campaignId, startingAfter, signal) {
      const pages = api.campaignTransactionPages(campaignId, startingAfter, signal)
      const iterator = pages[Symbol.asyncIterator]()
      try {
        for (;;) {
          const next = await time(iterator.next())
          if (next.done) return
          yield next.value
        }
      } finally {
        await iterator.return?.()
      }
    },
  }
}

function totalsOf(campaigns: CampaignSweep[]): SweepTotals {
  const sum = (pick: (campaign: CampaignSweep) => number) =>
    campaigns.reduce((total, campaign) => total + pick(campaign), 0)
  return {
    campaigns: campaigns.length,
    listed: sum((c) => c.listed),
    found: sum((c) => c.found),
    takenIn: sum((c) => c.takenIn),
    tooRecent: sum((c) => c.tooRecent),
    attested: sum((c) => c.attested),
    unattested: sum((c) => c.unattested.length),
    failed: sum((c) => c.failed),
    parked: sum((c) => c.parked),
    missedByIncremental: sum((c) => c.missedByIncremental),
  }
}

/** Writes `items` 25 to a BatchWriteItem, `parallel` at a time, retrying what DynamoDB leaves. */
async function writeItems(documents: DynamoDBDocumentClient, tableName: string, items: Json[]) {
  const batches: Json[][] = []
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25))
  const parallel = 8
  let next = 0
  const worker = async () => {
    while (next < batches.length) {
      let requests = (batches[next++] as Json[]).map((Item) => ({ PutRequest: { Item } }))
      while (requests.length > 0) {
        const answer = await documents.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
        )
        requests = (answer.UnprocessedItems?.[tableName] ?? []) as typeof requests
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

/**
 * The item the pipeline leaves for a transaction it took in and published: the record
 * `readPayload` and `toTransactionRecord` make of its payload, published, its chain verdict ok.
 */
function publishedItem(transaction: Json, receivedAt: string): Json {
  const body = Buffer.from(
    JSON.stringify({ transaction, balance: (transaction.details as Json).balance }),
  )
  const read = readPayload(
    { body, pathEventType: API_TRANSACTION_EVENT_TYPE, origin: 'sweep' },
    receivedAt,
  )
  if (!read.ok) throw new Error(`bench transaction ${String(transaction.id)} does not read`)
  return {
    ...toTransactionRecord(read.event),
    status: ITEM_STATUS.published,
    message_id: `bench-${String(transaction.id)}`,
    published_at: receivedAt,
    ledger_status: 'ok',
    received_count: 1,
    last_received_at: receivedAt,
  }
}

/** A card's ledger head at `transaction`, written long enough ago to be past the settle window. */
function headItem(voucherId: string, transaction: Json): Json {
  return {
    ...itemKeys.ledgerHead(voucherId),
    head_transaction_id: String(transaction.id),
    head_created_at: String(transaction.created_at),
    head_created_ms: createdMs(transaction),
    head_balance: balanceAfter(transaction),
    updated_at: String(transaction.created_at),
    applied_count: 1,
  }
}

/** Against `aws` (the local stack the end-to-end phase used: its own campaigns, fresh ids). */
export async function measureSweep(
  aws: LocalAws,
  sizes: SweepSizes,
  onProgress: (line: string) => void,
): Promise<SweepResult> {
  const closers: Array<() => Promise<void>> = []
  try {
    const dynamodbProxy = await startCountingProxy(aws.endpoints.dynamodb, { askForCapacity: true })
    closers.push(dynamodbProxy.close)
    const snsProxy = await startCountingProxy(aws.endpoints.fauxqs)
    closers.push(snsProxy.close)
    const common = {
      region: aws.resources.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }
    const dynamodb = new DynamoDBClient({ ...common, endpoint: dynamodbProxy.url })
    const sns = new SNSClient({ ...common, endpoint: snsProxy.url })
    // The setup's writes go to DynamoDB Local directly: they are not the sweep's.
    const setupClient = new DynamoDBClient({ ...common, endpoint: aws.endpoints.dynamodb })
    const setup = DynamoDBDocumentClient.from(setupClient)
    closers.push(async () => {
      dynamodb.destroy()
      sns.destroy()
      setupClient.destroy()
    })
    const { tableName } = aws.resources
    const options: StandInOptions = { appId: 'bench', secretKey: 'bench', cards: [] }
    const standIn = standInFetch(options)

    const defaults = Object.fromEntries(
      Object.entries(SWEEP_SETTINGS).map(([name, setting]) => [name, setting.default]),
    ) as SweepResult['defaults']
    const settings: SweepSettings = sweepSettingsOf(defaults)
    const waited = { ms: 0 }
    /** The sweep's clock: `shift.ms` ahead of this machine's, so a run starts when planned. */
    const shift = { ms: 0 }
    const receiver = {
      ...receiverDeps(
        { dynamodb, sns },
        { tableName, topicArnPrefix: stageSetting(aws.resources, 'TOPIC_ARN_PREFIX') },
      ),
      clock: () => new Date(Date.now() + shift.ms),
    }
    const built = buildSweepDeps(receiver, dynamodb, tableName, {
      baseUrl: 'https://voucherify.invalid',
      appId: options.appId,
      secretKey: options.secretKey,
      requestsPerMinute: UNPACED_REQUESTS_PER_MINUTE,
      fetch: standIn.fetch,
    })
    const deps = { ...built, api: timed(built.api, waited) }
    // Fresh per bench run: a table used before holds none of these ids.
    const run = randomBytes(2).toString('hex')

    /** Shows the stand-in `cards` in the gift campaigns `ids`, and sweeps them once at `atMs`. */
    const sweep = async (
      ids: string[],
      cards: StandInCard[],
      request: { full?: boolean; atMs?: number } = {},
    ): Promise<SweepRun> => {
      options.cards = cards
      options.campaigns = ids.map((id) => ({ id, name: id, campaign_type: 'GIFT_VOUCHERS' }))
      const before = {
        requests: standIn.requests.length,
        calls: { ...dynamodbProxy.counts(), ...snsProxy.counts() },
        units: dynamodbProxy.capacity(),
      }
      waited.ms = 0
      shift.ms = request.atMs === undefined ? 0 : request.atMs - Date.now()
      const started = performance.now()
      const summary = await sweepCampaigns(deps, settings, { full: request.full === true })
      const seconds = (performance.now() - started) / 1_000
      const requests = standIn.requests.slice(before.requests)
      const unfinished = summary.campaigns.filter((c) => c.status !== 'complete')
      if (summary.stopReason !== undefined || unfinished.length > 0) {
        throw new Error(
          `sweep: ${summary.stopReason ?? unfinished.map((c) => `${c.campaignId}: ${c.error}`).join('; ')}`,
        )
      }
      return {
        totals: totalsOf(summary.campaigns),
        seconds,
        apiSeconds: waited.ms / 1_000,
        apiRequests: requests.length,
        pages: requests.filter((r) => r.path.endsWith('/transactions')).length,
        calls: countsSince({ ...dynamodbProxy.counts(), ...snsProxy.counts() }, before.calls),
        units: countsSince(dynamodbProxy.capacity(), before.units),
      }
    }
    const graceMs = settings.graceMs
    // Old enough for the grace period, by half a spacing: no transaction sits on a boundary.
    const pastGraceMs = () => Date.now() - graceMs - SPACING_MS / 2

    // The SDK's first calls (connections, endpoint rules) are not steady state.
    const warmUp = `camp_bench_warm_up_${run}`
    await sweep([warmUp], campaign(warmUp, `w${run}`, 1, pastGraceMs()))

    // Onboarding: never swept, none in the ledger.
    const onboardingId = `camp_bench_onboarding_${run}`
    const small = campaign(onboardingId, `o${run}`, sizes.onboardingCards, pastGraceMs())
    onProgress(
      `  onboarding: ${count(small)} transactions on ${small.length} cards, none in the ledger`,
    )
    const onboarding = await sweep([onboardingId], small)
    onProgress(
      `  onboarding walk: ${onboarding.totals.takenIn} taken in, ${onboarding.seconds.toFixed(1)} s`,
    )

    // Incremental: the previous run began INTERVAL_MINUTES before this one, at `previousMs`.
    const { campaigns: campaignCount, cardsPerCampaign } = sizes.incremental
    const setupStarted = performance.now()
    const plannedMs = Date.now()
    const previousMs = plannedMs - INTERVAL_MINUTES * 60_000
    const settledBeforeMs = previousMs - graceMs - settings.overlapMs
    const ids = Array.from({ length: campaignCount }, (_, i) => `camp_bench_${run}_${i}`)
    const byCampaign = ids.map((id, i) =>
      campaign(id, `${run}c${i}`, cardsPerCampaign, plannedMs - SPACING_MS / 2),
    )
    const large = byCampaign.flat()
    const all = large.flatMap((card) => card.transactions)
    const inLedger = (transaction: Json) => createdMs(transaction) <= previousMs - graceMs
    const receivedAt = new Date(previousMs).toISOString()
    const written = { transactionItems: 0, heads: 0 }
    // A campaign at a time, to hold few items in memory.
    for (const cards of byCampaign) {
      const items = cards.flatMap((card) => card.transactions.filter(inLedger))
      const heads = cards.flatMap((card) => {
        const last = card.transactions.filter(inLedger).at(-1)
        return last ? [headItem(card.id, last)] : []
      })
      await writeItems(setup, tableName, [
        ...items.map((transaction) => publishedItem(transaction, receivedAt)),
        ...heads,
      ])
      written.transactionItems += items.length
      written.heads += heads.length
    }
    const sweeps = realSweepStore(setupClient, { tableName })
    for (const [i, id] of ids.entries()) {
      const settled = (byCampaign[i] as StandInCard[])
        .flatMap((card) => card.transactions)
        .filter((t) => createdMs(t) <= settledBeforeMs)
        .map((t) => String(t.id))
        .sort()
      const at = new Date(previousMs).toISOString()
      await sweeps.saveState(id, {
        ...(settled.length > 0 ? { coveredCursor: settled.at(-1) as string } : {}),
        fullWalkCompletedAt: at,
        visitedAt: at,
        walks: {},
      })
    }
    const prefillSeconds = (performance.now() - setupStarted) / 1_000
    const between = (fromMs: number, toMs: number) =>
      all.filter((t) => createdMs(t) > fromMs && createdMs(t) <= toMs).length
    const heldBack = between(settledBeforeMs, previousMs - graceMs)
    const newTransactions = between(previousMs - graceMs, plannedMs - graceMs)
    const withinGrace = between(plannedMs - graceMs, plannedMs)
    onProgress(
      `  incremental: ${all.length} transactions in ${ids.length} campaigns, ` +
        `${written.transactionItems} items and ${written.heads} heads written beforehand ` +
        `(${prefillSeconds.toFixed(1)} s)`,
    )
    const incremental = await sweep(ids, large, { atMs: plannedMs })
    onProgress(
      `  incremental run: ${incremental.totals.takenIn} taken in, ${incremental.totals.found} found, ` +
        `${incremental.apiRequests} API requests, ${incremental.seconds.toFixed(1)} s`,
    )
    const full = await sweep(ids, large, { full: true, atMs: plannedMs + FULL_RUN_LATER_MS })
    onProgress(
      `  full walks: ${full.totals.listed} listed, ${full.apiRequests} API requests, ` +
        `${full.seconds.toFixed(1)} s`,
    )
    return {
      defaults,
      pageSize: MAX_PAGE_SIZE,
      onboarding: { transactions: count(small), cards: small.length, run: onboarding },
      incremental: {
        campaigns: ids.length,
        transactions: all.length,
        cards: large.length,
        intervalMinutes: INTERVAL_MINUTES,
        heldBack,
        newTransactions,
        withinGrace,
        prefill: { ...written, seconds: prefillSeconds },
        run: incremental,
      },
      full: { run: full },
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }
}
