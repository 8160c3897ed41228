// `npm run reconcile` end to end: its CLI against DynamoDB Local, fauxqs and a stand-in for
// Voucherify's API on 127.0.0.1. The real API (api.voucherify.io) is not reachable from where
// these tests run; the stand-in answers as the endpoint's OpenAPI describes
// (scripts/local/voucherify-stand-in.ts, held to the schema by
// test/unit/scripts/local/voucherify-stand-in.test.ts).

import { CreateTopicCommand } from '@aws-sdk/client-sns'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { topicNameFor } from '../../../lib/receive/event-publisher'
import { API_TRANSACTION_EVENT_TYPE } from '../../../lib/voucherify/transaction-payload'
import { runOperatorCli } from '../../../scripts/cli/main'
import {
  startVoucherifyStandIn,
  type VoucherifyStandIn,
} from '../../../scripts/local/voucherify-stand-in'
import {
  apiGatewayEventFor,
  envelopeFor,
  LOCAL_WEBHOOK_SECRET,
  randomId,
} from '../../../scripts/sample-events'
import { startFaultProxy } from '../../support/emulators/fault-proxy'
import { subscribeFifoQueue } from '../../support/emulators/fifo-queue'
import { localClients, subscribeQueue } from '../../support/emulators/local-aws'
import { type GiftCard, giftCard, transactionIdOf, transactionOf } from '../../support/gift-card'
import { loadHandler } from '../../support/load-handler'

type Json = Record<string, unknown>

const KEYS = { appId: 'local-app-id', secretKey: 'local-secret-key' }
const clients = localClients()
const documents = DynamoDBDocumentClient.from(clients.dynamodb)
const handler = loadHandler()
const topicArn = `${process.env.TOPIC_ARN_PREFIX}${topicNameFor(API_TRANSACTION_EVENT_TYPE)}`

let standIn: VoucherifyStandIn
const cards: Array<{ id: string; code: string; transactions: Json[] }> = []

beforeAll(async () => {
  standIn = await startVoucherifyStandIn({ ...KEYS, cards })
})

afterAll(() => standIn?.close())

/** A card Voucherify knows, all of its events delivered as webhooks but those at `leftOut`. */
async function cardWithMissing(leftOut: number[], options: { startAt?: Date } = {}) {
  const card = giftCard(
    ['CREDITS_ADDITION', 'CREDITS_REDEMPTION', 'CREDITS_REFUND', 'CREDITS_REMOVAL'],
    options,
  )
  const code = randomId('GIFT')
  cards.push({ id: card.voucherId, code, transactions: card.events.map((e) => transactionOf(e)) })
  const answers: Json[] = []
  for (const [index, data] of card.events.entries()) {
    if (leftOut.includes(index)) continue
    const body = JSON.stringify(envelopeFor(API_TRANSACTION_EVENT_TYPE, data))
    const result = await handler(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }))
    answers.push(JSON.parse(String(result.body)) as Json)
  }
  return { ...card, code, answers, ids: card.events.map(transactionIdOf) }
}

/** Runs `npm run reconcile -- <args>` in this process; `env` adds to the test's environment. */
async function reconcile(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = []
  const stderr: string[] = []
  const code = await runOperatorCli(['reconcile', ...args, '--api-url', standIn.url], {
    env: {
      ...process.env,
      VOUCHERIFY_APP_ID: KEYS.appId,
      VOUCHERIFY_SECRET_KEY: KEYS.secretKey,
      ...env,
    },
    stdout: (line) => stdout.push(line),
    stderr: { write: (text: string) => stderr.push(...text.split('\n').filter(Boolean)) },
  })
  return { code, stdout, stderr, summary: stdout.at(-1) ?? '' }
}

const item = async (transactionId: string) =>
  (
    await documents.send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: { transaction_id: transactionId, event_type: API_TRANSACTION_EVENT_TYPE },
      }),
    )
  ).Item

const watch = (card: GiftCard) => subscribeQueue(topicArn, { voucher_id: [card.voucherId] })

describe('npm run reconcile', () => {
  it('stores the transaction whose webhook never arrived, with origin=reconcile', async () => {
    const card = await cardWithMissing([2])

    const run = await reconcile(['--voucher', card.code])

    expect(run.code).toBe(0)
    expect(run.summary).toBe(
      `reconcile ${card.voucherId}: listed 4, found 3, missing 1, ingested 1, failed 0`,
    )
    expect(await item(card.ids[2] as string)).toMatchObject({
      origin: 'reconcile',
      source: 'API',
      delivery: 'raw',
      voucher_id: card.voucherId,
      transaction_type: 'CREDITS_REFUND',
      status: 'published',
    })
  })

  it('publishes the stored transaction once, marked origin=reconcile', async () => {
    const card = await cardWithMissing([2])
    const queue = await watch(card)

    await reconcile(['--voucher', card.code])
    const messages = await queue.receiveAll(1_000)

    expect(messages.map(({ attributes }) => attributes)).toEqual([
      expect.objectContaining({
        origin: 'reconcile',
        transaction_id: card.ids[2],
        transaction_type: 'CREDITS_REFUND',
      }),
    ])
    expect(messages[0]?.body).toMatchObject({
      delivery: 'raw',
      idempotency_key: card.ids[2],
      data: { transaction: transactionOf(card.events[2] as Json) },
    })
  })

  it('leaves the transactions that arrived as webhooks untouched', async () => {
    const card = await cardWithMissing([2])
    const before = await Promise.all([0, 1, 3].map((index) => item(card.ids[index] as string)))

    await reconcile(['--voucher', card.code])
    const after = await Promise.all([0, 1, 3].map((index) => item(card.ids[index] as string)))

    expect(after).toEqual(before)
    for (const stored of after) expect(stored).not.toHaveProperty('origin')
  })

  it('reads every page the API hands out, following more_starting_after', async () => {
    const card = await cardWithMissing([2])
    const from = standIn.requests.length

    await reconcile(['--voucher', card.code, '--page-size', '3'])
    const requests = standIn.requests.slice(from)

    expect(requests.map(({ query }) => query)).toEqual([
      { limit: '3', order: 'id' },
      { limit: '3', order: 'id', starting_after_id: expect.stringMatching(/^vtx_/) },
    ])
    expect(requests[0]?.path).toBe(`/v1/vouchers/${card.code}/transactions`)
  })

  it('takes nothing in on a second run', async () => {
    const card = await cardWithMissing([2])
    await reconcile(['--voucher', card.code])
    const queue = await watch(card)

    const again = await reconcile(['--voucher', card.code])

    expect(again.code).toBe(0)
    expect(again.summary).toBe(
      `reconcile ${card.voucherId}: listed 4, found 4, missing 0, ingested 0, failed 0`,
    )
    expect(await queue.receiveAll(500)).toEqual([])
  })

  it('reports a transaction whose every delivery failed to publish, and takes nothing in for it', async () => {
    const card = await cardWithMissing([2])
    const sns = await startFaultProxy({ target: process.env.AWS_ENDPOINT_URL_SNS as string })
    try {
      sns.setMode({ type: 'refuse' })
      const failing = loadHandler({ AWS_ENDPOINT_URL_SNS: sns.url })
      const body = JSON.stringify(envelopeFor(API_TRANSACTION_EVENT_TYPE, card.events[2] as Json))
      const answer = await failing(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }))
      expect(answer.statusCode).toBe(503)
    } finally {
      await sns.close()
    }
    const queue = await watch(card)

    const run = await reconcile(['--voucher', card.code])

    expect(run.code).toBe(0)
    expect(run.stdout.join('\n')).toContain(`unpublished     ${card.ids[2]} CREDITS_REFUND`)
    expect(run.summary).toBe(
      `reconcile ${card.voucherId}: listed 4, found 3, unpublished 1, missing 0, ingested 0, failed 0`,
    )
    expect(await item(card.ids[2] as string)).toMatchObject({ status: 'claimed' })
    expect(await queue.receiveAll(500)).toEqual([])
  })

  it('compares only the transactions created at or after --since', async () => {
    const startAt = new Date('2026-03-01T00:00:00.000Z')
    const card = await cardWithMissing([0, 2], { startAt })

    const run = await reconcile(['--voucher', card.code, '--since', '2026-03-01T00:00:01Z'])

    expect(run.summary).toBe(
      `reconcile ${card.voucherId}: listed 4, before --since 1, found 2, missing 1, ingested 1, failed 0`,
    )
    expect(await item(card.ids[0] as string)).toBeUndefined()
    expect(await item(card.ids[2] as string)).toMatchObject({ origin: 'reconcile' })
  })

  it('lists what is missing and stores nothing in a dry run', async () => {
    const card = await cardWithMissing([2])

    const run = await reconcile(['--voucher', card.code, '--dry-run'])

    expect(run.stdout[0]).toMatch(new RegExp(`would_ingest +${card.ids[2]} CREDITS_REFUND `))
    expect(await item(card.ids[2] as string)).toBeUndefined()
  })

  it('refuses wrong API keys with an error that says what to check, storing nothing', async () => {
    const card = await cardWithMissing([2])

    const run = await reconcile(['--voucher', card.code], { VOUCHERIFY_SECRET_KEY: 'wrong' })

    expect(run.code).toBe(1)
    expect(run.stderr.at(-1)).toMatch(
      /^npm run reconcile: Voucherify refused the API keys \(HTTP 401, unauthorized\)\. Check VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY/,
    )
    expect(await item(card.ids[2] as string)).toBeUndefined()
  })

  it('says so when Voucherify does not know the voucher', async () => {
    const run = await reconcile(['--voucher', 'NO-SUCH-CODE'])

    expect(run.code).toBe(1)
    expect(run.stderr.at(-1)).toMatch(/Voucherify knows no such voucher \(HTTP 404, not_found/)
  })

  it('prints ids, types and counts, never the voucher code or the keys', async () => {
    const card = await cardWithMissing([2])

    const run = await reconcile(['--voucher', card.code])
    const output = [...run.stdout, ...run.stderr].join('\n')

    expect(output).toContain(card.ids[2])
    for (const secret of [card.code, KEYS.appId, KEYS.secretKey]) {
      expect(output).not.toContain(secret)
    }
  })

  it("publishes to the stage's FIFO topic when the stage has FIFO topics, grouped by the card", async () => {
    const { TopicArn } = await clients.sns.send(
      new CreateTopicCommand({
        Name: `${topicArn.split(':').at(-1)}.fifo`,
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
    const card = await cardWithMissing([2])
    const queue = await subscribeFifoQueue(String(TopicArn), { voucher_id: [card.voucherId] })

    await reconcile(['--voucher', card.code], { FIFO_TOPICS: 'true' })
    const messages = await queue.receiveAll(1_000)

    expect(messages).toEqual([
      expect.objectContaining({
        messageGroupId: card.voucherId,
        messageDeduplicationId: card.ids[2],
        attributes: expect.objectContaining({ origin: 'reconcile' }),
      }),
    ])
  })
})
