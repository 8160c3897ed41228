// FIFO event topics (`--param fifoTopics=true`) against fauxqs: created from serverless.yml the
// way `npm start` creates them, fed by the webhook handler, read through FIFO SQS queues, which
// show each message's group, deduplication id and sequence number. fauxqs deduplicates at the
// FIFO queue rather than at the topic: for a subscriber the effect is the one SNS promises.

import { createHash } from 'node:crypto'
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns'
import { realEventPublisher } from '../../lib/aws/sns-event-publisher'
import type { OutgoingMessage } from '../../lib/receive/build-message'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { readPayload } from '../../lib/receive/read-payload'
import type { SupportedEventType } from '../../lib/schemas/registry'
import { provisionLocalResources } from '../../scripts/local/provision'
import {
  loadServerlessResources,
  type ServerlessResources,
  stageSetting,
} from '../../scripts/local/serverless-resources'
import {
  apiGatewayEventFor,
  envelopeFor,
  LOCAL_WEBHOOK_SECRET,
  randomId,
} from '../../scripts/sample-events'
import { type FaultProxy, snsKind, startFaultProxy } from '../support/emulators/fault-proxy'
import { subscribeFifoQueue } from '../support/emulators/fifo-queue'
import { localClients } from '../support/emulators/local-aws'
import { giftCard, transactionIdOf } from '../support/gift-card'
import { type Handler, loadHandler } from '../support/load-handler'

const EVENT_TYPE: SupportedEventType = 'voucher.gift.transaction.created'
const clients = localClients()

let fifo: ServerlessResources
let topicArns: Record<string, string>
let handler: Handler

beforeAll(async () => {
  fifo = await loadServerlessResources('local', process.env, { fifoTopics: 'true' })
  ;({ topicArns } = await provisionLocalResources(fifo, clients))
  handler = loadHandler({ TOPIC_NAME_SUFFIX: stageSetting(fifo, 'TOPIC_NAME_SUFFIX') })
}, 120_000)

const proxies: FaultProxy[] = []
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
})

const fifoTopicArn = (eventType: string) =>
  `${process.env.TOPIC_ARN_PREFIX}${topicNameFor(eventType)}.fifo`

async function deliver(data: Record<string, unknown>, using: Handler = handler) {
  const body = JSON.stringify(envelopeFor(EVENT_TYPE, data))
  const result = await using(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }))
  return JSON.parse(String(result.body)) as { status: string }
}

/** The message the pipeline publishes for `data`, as the handler would build it. */
function messageFor(data: Record<string, unknown>): OutgoingMessage {
  const body = Buffer.from(JSON.stringify(envelopeFor(EVENT_TYPE, data)))
  const read = readPayload({ body, pathEventType: undefined }, new Date().toISOString())
  if (!read.ok) throw new Error(`not a valid event: ${read.outcome.status}`)
  return read.message
}

const fifoPublisher = () =>
  realEventPublisher(clients.sns, {
    topicArnPrefix: String(process.env.TOPIC_ARN_PREFIX),
    topicNameSuffix: '.fifo',
  })

describe('FIFO event topics provisioned with --param fifoTopics=true', () => {
  it('are one FIFO topic per event type, named .fifo, deduplicating by the id each message carries', async () => {
    const attributes = await Promise.all(
      fifo.topics.map(async ({ topicName }) => {
        const { Attributes = {} } = await clients.sns.send(
          new GetTopicAttributesCommand({ TopicArn: topicArns[topicName] }),
        )
        return {
          topicName,
          fifo: Attributes.FifoTopic,
          dedup: Attributes.ContentBasedDeduplication,
        }
      }),
    )

    expect(attributes.map(({ topicName }) => topicName).sort()).toEqual([
      'voucherify-gift-webhooks-local-customer-voucher-gift-balance_added.fifo',
      'voucherify-gift-webhooks-local-voucher-gift-balance_added.fifo',
      'voucherify-gift-webhooks-local-voucher-gift-transaction-created.fifo',
    ])
    for (const topic of attributes) expect(topic).toMatchObject({ fifo: 'true', dedup: 'false' })
  })

  it("give the function a topic name suffix that leads it to the FIFO topics' ARNs", () => {
    expect(stageSetting(fifo, 'TOPIC_NAME_SUFFIX')).toBe('.fifo')
    expect(topicArns[fifo.topics[0]?.topicName ?? '']).toBe(
      fifoTopicArn(fifo.topics[0]?.eventType ?? ''),
    )
  })
})

describe('the handler publishing to FIFO topics', () => {
  it("groups each card's events by its voucher id and keeps them in the order they came", async () => {
    const first = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION', 'CREDITS_REFUND'])
    const second = giftCard(['CREDITS_ADDITION', 'CREDITS_REMOVAL', 'CREDITS_REDEMPTION'])
    const queue = await subscribeFifoQueue(fifoTopicArn(EVENT_TYPE), {
      voucher_id: [first.voucherId, second.voucherId],
    })

    const answers: string[] = []
    for (const [a, b] of first.events.map((event, index) => [event, second.events[index]])) {
      answers.push((await deliver(a as Record<string, unknown>)).status)
      answers.push((await deliver(b as Record<string, unknown>)).status)
    }
    const messages = await queue.receiveAll(1_000)
    const ofCard = (voucherId: string) =>
      messages.filter((message) => message.attributes.voucher_id === voucherId)

    expect(answers).toEqual(Array(6).fill('accepted'))
    expect(messages).toHaveLength(6)
    for (const card of [first, second]) {
      expect(ofCard(card.voucherId).map((message) => message.messageGroupId)).toEqual(
        Array(3).fill(card.voucherId),
      )
      expect(ofCard(card.voucherId).map((message) => message.attributes.transaction_id)).toEqual(
        card.events.map(transactionIdOf),
      )
    }
  })

  it('deduplicates each message by its idempotency key', async () => {
    const card = giftCard(['CREDITS_ADDITION'])
    const queue = await subscribeFifoQueue(fifoTopicArn(EVENT_TYPE), {
      voucher_id: [card.voucherId],
    })

    await deliver(card.events[0] as Record<string, unknown>)
    const [message] = await queue.receiveAll(1_000)

    expect(message?.messageDeduplicationId).toBe(transactionIdOf(card.events[0] ?? {}))
    expect(message?.messageDeduplicationId).toBe(message?.attributes.idempotency_key)
  })

  it('lets subscribers see one copy when SNS took a publish but its answer was lost and the SDK sent it again', async () => {
    const sns = await startFaultProxy({
      target: String(process.env.AWS_ENDPOINT_URL_SNS),
      kindOf: snsKind,
    })
    proxies.push(sns)
    const throughProxy = loadHandler({
      TOPIC_NAME_SUFFIX: '.fifo',
      AWS_ENDPOINT_URL_SNS: sns.url,
    })
    const card = giftCard(['CREDITS_REDEMPTION'])
    const queue = await subscribeFifoQueue(fifoTopicArn(EVENT_TYPE), {
      voucher_id: [card.voucherId],
    })

    sns.inject({
      when: (request) => request.kind === 'Publish',
      fault: { type: 'lose-response' },
      times: 1,
    })
    const answer = await deliver(card.events[0] as Record<string, unknown>, throughProxy)
    const messages = await queue.receiveAll(1_000)

    expect(answer.status).toBe('accepted')
    expect(sns.forwarded('Publish')).toBe(2)
    expect(messages).toHaveLength(1)
  })

  it('uses a SHA-256 digest as the group of a voucher id SNS would refuse as one (over 128 characters)', async () => {
    const voucherId = `v_${'x'.repeat(200)}`
    const card = giftCard(['CREDITS_ADDITION'], { voucherId })
    const queue = await subscribeFifoQueue(fifoTopicArn(EVENT_TYPE), { voucher_id: [voucherId] })

    const answer = await deliver(card.events[0] as Record<string, unknown>)
    const [message] = await queue.receiveAll(1_000)

    expect(answer.status).toBe('accepted')
    expect(message?.messageGroupId).toBe(
      `sha256:${createHash('sha256').update(voucherId).digest('hex')}`,
    )
    expect(message?.attributes.voucher_id).toBe(voucherId)
  })
})

describe('a publisher re-publishing an event to a FIFO topic', () => {
  it('has the copy dropped within the deduplication window when it keeps the idempotency key', async () => {
    const card = giftCard(['CREDITS_ADDITION'])
    const queue = await subscribeFifoQueue(fifoTopicArn(EVENT_TYPE), {
      voucher_id: [card.voucherId],
    })
    const message = messageFor(card.events[0] as Record<string, unknown>)

    await fifoPublisher().publish(message)
    await fifoPublisher().publish(message)

    expect(await queue.receiveAll(1_000)).toHaveLength(1)
  })

  it('has the copy delivered when it sets a deduplication id of its own, as a replay must', async () => {
    const card = giftCard(['CREDITS_ADDITION'])
    const queue = await subscribeFifoQueue(fifoTopicArn(EVENT_TYPE), {
      voucher_id: [card.voucherId],
    })
    const message = messageFor(card.events[0] as Record<string, unknown>)

    await fifoPublisher().publish(message)
    await fifoPublisher().publish({
      ...message,
      deduplicationId: `${message.deduplicationId}:replay:${randomId('run')}`,
    })
    const messages = await queue.receiveAll(1_000)

    expect(messages).toHaveLength(2)
    expect(messages.map(({ messageGroupId }) => messageGroupId)).toEqual([
      card.voucherId,
      card.voucherId,
    ])
  })
})
