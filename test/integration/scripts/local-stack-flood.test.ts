// `npm start` under a flood: thousands of forged webhooks from 40 parallel senders with genuine,
// signed ones among them, each retried as Voucherify retries while it is not answered 2xx.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SQSClient } from '@aws-sdk/client-sqs'
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import { isEventItem } from '../../../lib/aws/transactions-table'
import {
  type FloodResult,
  flood,
  type SignedDelivery,
  VOUCHERIFY_TIMEOUT_MS,
} from '../../../scripts/local/flood'
import {
  type LocalStackProcess,
  startLocalStackProcess,
} from '../../../scripts/local/local-stack-process'
import type { ServerlessResources } from '../../../scripts/local/serverless-resources'
import { receiveAll } from '../../../scripts/local/subscriber-queue'
import { LOCAL_WEBHOOK_SECRET } from '../../../scripts/sample-events'

const FORGED = 2_000
const SIGNED = 40
const SENDERS = 40
/** Voucherify's retries come hours apart; 2 s apart here, 24 s in all: past a claim's 15 s lease. */
const RETRY_DELAY_MS = 2_000
const SETUP_TIMEOUT_MS = 150_000

/** The local stage's names, as global setup read them from serverless.yml. */
const resources = JSON.parse(process.env.LOCAL_RESOURCES_JSON as string) as ServerlessResources
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }

let stack: LocalStackProcess | undefined
let result: FloodResult
/** Transaction items (not ledger items), by transaction id: what the stack stored. */
const stored = new Map<string, Array<Record<string, unknown>>>()
/** Transaction ids of the messages the tap queue received from every event topic. */
let published: string[] = []

async function readStoredTransactions(endpoint: string): Promise<void> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: resources.region, endpoint, credentials }),
  )
  const pages = paginateScan({ client: documents }, { TableName: resources.tableName })
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const key = {
        transaction_id: String(item.transaction_id),
        event_type: String(item.event_type),
      }
      // The stack's own scheduled sweep may run meanwhile (its cron fires every 15 minutes) and
      // take in the stand-in's sample transactions: those did not come through the webhook.
      if (!isEventItem(key) || item.origin === 'sweep') continue
      stored.set(key.transaction_id, [...(stored.get(key.transaction_id) ?? []), item])
    }
  }
  documents.destroy()
}

async function readPublishedTransactions(endpoint: string): Promise<void> {
  const sqs = new SQSClient({ region: resources.region, endpoint, credentials })
  const tapQueueUrl = `${endpoint}/000000000000/${resources.service}-${resources.stage}-tap`
  const messages = await receiveAll(sqs, tapQueueUrl, 1_500)
  published = messages
    .filter((message) => message.attributes.origin !== 'sweep')
    .map((message) => String(message.attributes.transaction_id))
  sqs.destroy()
}

beforeAll(async () => {
  stack = await startLocalStackProcess()
  result = await flood({
    url: stack.webhookUrl,
    secret: LOCAL_WEBHOOK_SECRET,
    forged: FORGED,
    signed: SIGNED,
    senders: SENDERS,
    retryDelayMs: RETRY_DELAY_MS,
  })
  await readStoredTransactions(stack.endpoints.dynamodb)
  await readPublishedTransactions(stack.endpoints.fauxqs)
}, SETUP_TIMEOUT_MS)

afterAll(async () => {
  await stack?.stop()
})

const isSuccess = (status: number) => status >= 200 && status < 300
const signedIds = () => result.signed.map((delivery) => delivery.transactionId).sort()
const takenAt = (delivery: SignedDelivery) =>
  delivery.answers.findIndex((answer) => isSuccess(answer.status))

describe('npm start under a flood of forged webhooks', () => {
  it('answers no forged delivery with a 2xx', () => {
    const forged = result.answers.filter((answer) => answer.kind === 'forged')

    expect(forged).toHaveLength(FORGED)
    expect(forged.filter((answer) => isSuccess(answer.status))).toEqual([])
  })

  it('stores each signed delivery once, published, and nothing else', () => {
    const items = [...stored.values()]

    expect([...stored.keys()].sort()).toEqual(signedIds())
    expect(items.every((kept) => kept.length === 1 && kept[0]?.status === 'published')).toBe(true)
  })

  it('publishes each signed delivery once and nothing else', () => {
    expect([...published].sort()).toEqual(signedIds())
  })

  it("takes every signed delivery within Voucherify's retries", () => {
    const notTaken = result.signed.filter((delivery) => takenAt(delivery) < 0)

    expect(notTaken).toEqual([])
  })

  it('answers a signed delivery it has not taken with a 409 or 5xx within 10 s, never a 2xx', () => {
    const refusals = result.signed.flatMap((delivery) =>
      takenAt(delivery) < 0 ? delivery.answers : delivery.answers.slice(0, takenAt(delivery)),
    )

    expect(
      refusals.filter(
        ({ status, ms }) => status !== 409 && (status < 500 || ms >= VOUCHERIFY_TIMEOUT_MS),
      ),
    ).toEqual([])
  })

  it('answers 2xx only once the delivery is stored and published', () => {
    const takenButMissing = result.signed.filter(
      (delivery) =>
        takenAt(delivery) >= 0 &&
        !(stored.has(delivery.transactionId) && published.includes(delivery.transactionId)),
    )

    expect(takenButMissing).toEqual([])
  })
})
