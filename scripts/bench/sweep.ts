// The sweep against the local stack: DynamoDB Local and fauxqs behind counting proxies, the
// Voucherify stand-in in this process, and a requests-per-minute budget no run here reaches, so
// that seconds measure the work; what the default budget adds is arithmetic (the report).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import {
  API_TRANSACTION_EVENT_TYPE,
  type CampaignSweep,
  readSweepConfig,
  realAttestationStore,
  realSweepStore,
  type SweepApi,
  sweepCampaigns,
  voucherifySweepApi,
} from '../../lib'
import { cardHistory, TEN_TRANSACTIONS } from '../card-history'
import { receiverDeps } from '../cli/receiver-deps'
import type { LocalAws } from '../local/local-aws'
import { stageSetting } from '../local/serverless-resources'
import {
  type StandInCard,
  type StandInOptions,
  startVoucherifyStandIn,
} from '../local/voucherify-stand-in'
import { countsSince, startCountingProxy } from './counting-proxy'

type Json = Record<string, unknown>

/** High enough that the pacer never waits: 1 ms between requests. */
export const UNPACED_REQUESTS_PER_MINUTE = 60_000
/** How far apart the campaign's transactions are: one a minute, oldest to newest. */
export const SPACING_MS = 60_000

export interface SweepSizes {
  /** Cards of ten transactions each (scripts/card-history.ts), none in the ledger at first. */
  perThousandCards: number
  /** The campaign of the incremental sweep, and how many of its newest are new. */
  incremental: { transactions: number; newTransactions: number }
}

export interface SweepRun {
  pass: CampaignSweep
  seconds: number
  /** Of `seconds`, waiting for the stand-in's answers (it sorts the campaign per request). */
  apiSeconds: number
  apiRequests: number
  pages: number
  /** DynamoDB and SNS requests by operation. */
  calls: Record<string, number>
  /** Capacity units DynamoDB Local reported, by operation. */
  units: Record<string, number>
}

export interface SweepResult {
  /** The sweep function's defaults (lib/sweep/sweep-config.ts). */
  defaults: { graceMs: number; overlapMs: number; requestsPerMinute: number }
  perThousand: { transactions: number; cards: number; first: SweepRun; second: SweepRun }
  incremental: {
    transactions: number
    cards: number
    newTransactions: number
    /** Already taken in, between the watermark less the overlap and the watermark. */
    inOverlap: number
    /** Taken in beforehand so each new transaction chains onto its card's head. */
    previousOfNew: number
    run: SweepRun
  }
}

/**
 * `cards` card histories in `campaignId`, interleaved (every card's first transaction, then
 * every card's second, …) `SPACING_MS` apart, the newest at `newestMs`.
 */
function campaign(campaignId: string, cards: number, newestMs: number): StandInCard[] {
  const histories = Array.from({ length: cards }, () => cardHistory())
  const total = cards * TEN_TRANSACTIONS.length
  return histories.map((history, c) => ({
    id: history.voucherId,
    code: `GIFT-${c}`,
    transactions: history.transactions.map((transaction, k) => {
      const json = transaction.dataFor(API_TRANSACTION_EVENT_TYPE).transaction as Json
      const order = k * cards + c
      json.created_at = new Date(newestMs - (total - 1 - order) * SPACING_MS).toISOString()
      json.campaign_id = campaignId
      return json
    }),
  }))
}

const createdMs = (transaction: Json) => Date.parse(String(transaction.created_at))
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
    closers.push(async () => {
      dynamodb.destroy()
      sns.destroy()
    })
    const { tableName } = aws.resources
    const options: StandInOptions = { appId: 'bench', secretKey: 'bench', cards: [] }
    const standIn = await startVoucherifyStandIn(options)
    closers.push(standIn.close)

    const config = readSweepConfig({ VOUCHERIFY_API_URL: standIn.url })
    const settings = { graceMs: config.graceMs, overlapMs: config.overlapMs }
    const waited = { ms: 0 }
    const sweeps = realSweepStore(dynamodb, { tableName })
    const deps = {
      receiver: receiverDeps(
        { dynamodb, sns },
        { tableName, topicArnPrefix: stageSetting(aws.resources, 'TOPIC_ARN_PREFIX') },
      ),
      sweeps,
      attestations: realAttestationStore(dynamodb, { tableName }),
      api: timed(
        voucherifySweepApi({
          baseUrl: standIn.url,
          appId: options.appId,
          secretKey: options.secretKey,
          requestsPerMinute: UNPACED_REQUESTS_PER_MINUTE,
        }),
        waited,
      ),
    }
    /** Shows the stand-in `cards` as the one gift campaign `id`, and sweeps it once. */
    const sweep = async (id: string, cards: StandInCard[], full: boolean): Promise<SweepRun> => {
      options.cards = cards
      options.campaigns = [{ id, name: id, campaign_type: 'GIFT_VOUCHERS' }]
      const before = {
        requests: standIn.requests.length,
        calls: { ...dynamodbProxy.counts(), ...snsProxy.counts() },
        units: dynamodbProxy.capacity(),
      }
      waited.ms = 0
      const started = performance.now()
      const { campaigns } = await sweepCampaigns(deps, settings, { full })
      const seconds = (performance.now() - started) / 1_000
      const requests = standIn.requests.slice(before.requests)
      const pass = campaigns.find((candidate) => candidate.campaignId === id)
      if (pass?.status !== 'complete') throw new Error(`sweep of ${id}: ${pass?.error ?? 'none'}`)
      return {
        pass,
        seconds,
        apiSeconds: waited.ms / 1_000,
        apiRequests: requests.length,
        pages: requests.filter((request) => request.path.endsWith('/transactions')).length,
        calls: countsSince({ ...dynamodbProxy.counts(), ...snsProxy.counts() }, before.calls),
        units: countsSince(dynamodbProxy.capacity(), before.units),
      }
    }
    // Transactions old enough for the grace period when the sweeps below start.
    const newestMs = Date.now() - settings.graceMs - SPACING_MS
    // The SDK's first calls (connections, endpoint rules) are not steady state.
    await sweep('camp_bench_warm_up', campaign('camp_bench_warm_up', 1, newestMs), true)

    const small = campaign('camp_bench_1k', sizes.perThousandCards, newestMs)
    const transactions = count(small)
    onProgress(`  ${transactions} transactions on ${small.length} cards, none in the ledger`)
    const first = await sweep('camp_bench_1k', small, true)
    const second = await sweep('camp_bench_1k', small, true)
    onProgress(
      `  whole-history sweeps: ${first.seconds.toFixed(1)} s taking all in, ` +
        `${second.seconds.toFixed(1)} s finding all`,
    )

    const { transactions: total, newTransactions } = sizes.incremental
    const id = 'camp_bench_incremental'
    const started = Date.now()
    const large = campaign(id, Math.ceil(total / TEN_TRANSACTIONS.length), newestMs)
    const times = large.flatMap((card) => card.transactions.map(createdMs)).sort((a, b) => b - a)
    const watermarkMs = times[newTransactions - 1] as number
    const lookBackMs = watermarkMs - settings.overlapMs
    const overlaps = (ms: number) => ms >= lookBackMs && ms < watermarkMs
    // The ledger holds the overlap window and, for each card with a new transaction, the one
    // before it; the older ones are not in the table: the pass stops before it reaches them.
    const before = large
      .map((card) => ({
        ...card,
        transactions: card.transactions.filter((transaction, index, all) => {
          const next = all[index + 1]
          return overlaps(createdMs(transaction)) || (next && createdMs(next) >= watermarkMs)
        }),
      }))
      .filter((card) => card.transactions.length > 0)
    const beforeCount = count(before)
    const overlapCount = times.filter(overlaps).length
    await sweep(id, before, true)
    await sweeps.completeWalk(id, new Date(watermarkMs).toISOString())
    onProgress(
      `  ${times.length} transactions in the stand-in, ` +
        `${beforeCount} taken in beforehand (${((Date.now() - started) / 1_000).toFixed(1)} s)`,
    )
    const run = await sweep(id, large, false)
    onProgress(
      `  incremental sweep: ${run.pass.takenIn} taken in, ${run.pass.found} found, ` +
        `${run.apiRequests} API requests, ${run.seconds.toFixed(1)} s ` +
        `(${run.apiSeconds.toFixed(1)} s waiting for the stand-in)`,
    )
    return {
      defaults: { ...settings, requestsPerMinute: config.requestsPerMinute },
      perThousand: { transactions, cards: small.length, first, second },
      incremental: {
        transactions: times.length,
        cards: large.length,
        newTransactions,
        inOverlap: overlapCount,
        previousOfNew: beforeCount - overlapCount,
        run,
      },
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }
}
