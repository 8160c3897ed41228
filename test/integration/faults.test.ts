// Faults end to end: the real handler and SDK clients against DynamoDB Local and fauxqs, with a
// fault proxy in front of one of them. No fault may lose an event; the normal path never
// publishes twice; where a fault makes a second publish unavoidable, the item still ends
// published and every copy carries the same idempotency key.

import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import * as v from 'valibot'
import { realTransactionStore } from '../../lib/aws/dynamodb-transaction-store'
import { toLedgerEntry } from '../../lib/ledger/ledger-entry'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { idempotencyKeyFor } from '../../lib/receive/idempotency-key'
import { type TransactionRecord, toTransactionRecord } from '../../lib/receive/transaction-store'
import { eventSchemas, type SupportedEventType } from '../../lib/schemas/registry'
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
} from '../../scripts/sample-events'
import {
  type DynamoDbErrorType,
  dynamoDbError,
  dynamoDbKind,
  type FaultProxy,
  type SnsErrorCode,
  snsError,
  snsKind,
  startFaultProxy,
} from '../support/emulators/fault-proxy'
import { localClients, type ReceivedMessage, subscribeQueue } from '../support/emulators/local-aws'
import { type Handler, lambdaContext, loadHandler } from '../support/load-handler'

const clients = localClients()
const documents = DynamoDBDocumentClient.from(clients.dynamodb)
const tableName = process.env.TABLE_NAME as string
const EVENT_TYPE: SupportedEventType = 'voucher.gift.transaction.created'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

// Some of these wait out a lease or a deadline of several seconds.
jest.setTimeout(30_000)

const proxies: FaultProxy[] = []
/** Handler calls still running, e.g. one a test stopped waiting for. */
const running = new Set<Promise<unknown>>()

/** A fault proxy in front of one emulator, closed after the test. */
async function proxyInFrontOf(service: 'dynamodb' | 'sns'): Promise<FaultProxy> {
  const proxy = await startFaultProxy(
    service === 'dynamodb'
      ? { target: process.env.AWS_ENDPOINT_URL_DYNAMODB as string, kindOf: dynamoDbKind }
      : { target: process.env.AWS_ENDPOINT_URL_SNS as string, kindOf: snsKind },
  )
  proxies.push(proxy)
  return proxy
}

// Closing the proxies ends what they held; the calls must end too, before the next test loads
// a handler with another environment.
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
  await Promise.allSettled(running)
})

interface Answer {
  /** 0 when the handler gave no answer in time. */
  status: number
  headers: Record<string, unknown>
  body: Record<string, unknown>
  ms: number
}

/** One delivery; gives up waiting after `limitMs`, so that a hung handler fails, not stalls. */
async function post(
  handler: Handler,
  event: APIGatewayProxyEventV2,
  context?: Context,
  limitMs = 30_000,
): Promise<Answer> {
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const noAnswer = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), limitMs)
  })
  const call = handler(event, context)
  running.add(call)
  void call.finally(() => running.delete(call)).catch(() => undefined)
  const result = await Promise.race([call, noAnswer])
  clearTimeout(timer)
  const ms = Date.now() - started
  if (!result) return { status: 0, headers: {}, body: {}, ms }
  return {
    status: result.statusCode ?? 0,
    headers: result.headers ?? {},
    body: JSON.parse(String(result.body)),
    ms,
  }
}

/** A new gift event, its signed deliveries, its stored item and a queue that sees its messages. */
async function freshEvent(eventType: SupportedEventType = EVENT_TYPE) {
  const data = giftEventData(eventType)
  const transactionId = (data.transaction as { id: string }).id
  const body = JSON.stringify(envelopeFor(eventType, data))
  const queue = await subscribeQueue(`${process.env.TOPIC_ARN_PREFIX}${topicNameFor(eventType)}`, {
    transaction_id: [transactionId],
  })
  return {
    eventType,
    transactionId,
    body,
    queue,
    delivery: () => apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }),
    item: async () =>
      (
        await documents.send(
          new GetCommand({
            TableName: tableName,
            Key: { transaction_id: transactionId, event_type: eventType },
          }),
        )
      ).Item,
  }
}

/** The record the handler would store for an envelope `body`, as a crashed delivery left it. */
function recordOf(eventType: SupportedEventType, body: string): TransactionRecord {
  const envelope = JSON.parse(body) as {
    id: string
    project_id: string
    created_at: string
    data: Record<string, unknown>
    event: { id: string; created_at: string }
  }
  const entry = toLedgerEntry(v.parse(eventSchemas[eventType], envelope.data), envelope.created_at)
  return toTransactionRecord({
    eventType,
    delivery: 'envelope',
    webhookId: envelope.id,
    eventId: envelope.event.id,
    projectId: envelope.project_id,
    createdAt: envelope.created_at,
    receivedAt: new Date().toISOString(),
    idempotency: idempotencyKeyFor(entry.transaction_id, envelope.event.id, Buffer.from(body)),
    entry,
    dataJson: JSON.stringify(envelope.data),
    dataJsonWithoutPersonalData: JSON.stringify(envelope.data),
    payload: body,
    customerId: undefined,
  })
}

const idempotencyKeys = (messages: ReceivedMessage[]) => [
  ...new Set(messages.map((message) => message.attributes.idempotency_key)),
]

describe('the fault proxy', () => {
  it.each<DynamoDbErrorType>(['ThrottlingException', 'ProvisionedThroughputExceededException'])(
    'answers DynamoDB throttling that the SDK reads as %s',
    async (type) => {
      const proxy = await proxyInFrontOf('dynamodb')
      proxy.inject({ fault: dynamoDbError(type) })
      const client = new DynamoDBClient({ endpoint: proxy.url, maxAttempts: 1 })

      const error = await client
        .send(new GetItemCommand({ TableName: tableName, Key: { transaction_id: { S: 'x' } } }))
        .catch((caught: unknown) => caught)
      client.destroy()

      expect(error).toMatchObject({ name: type, $metadata: { httpStatusCode: 400 } })
    },
  )

  it.each<[SnsErrorCode, string]>([
    ['Throttled', 'ThrottledException'],
    ['InternalError', 'InternalErrorException'],
  ])('answers an SNS %s error that the SDK reads as %s', async (code, name) => {
    const proxy = await proxyInFrontOf('sns')
    proxy.inject({ fault: snsError(code) })
    const client = new SNSClient({ endpoint: proxy.url, maxAttempts: 1 })

    const error = await client
      .send(new PublishCommand({ TopicArn: `${process.env.TOPIC_ARN_PREFIX}x`, Message: '{}' }))
      .catch((caught: unknown) => caught)
    client.destroy()

    expect(error).toMatchObject({ name })
    expect(proxy.received('Publish')).toBe(1)
  })
})

describe('when SNS is unavailable', () => {
  it('answers 503 while SNS refuses connections, and the next delivery publishes exactly once', async () => {
    const sns = await proxyInFrontOf('sns')
    const handler = loadHandler({ AWS_ENDPOINT_URL_SNS: sns.url })
    const event = await freshEvent()

    sns.setMode({ type: 'refuse' })
    const failed = await post(handler, event.delivery())
    sns.setMode('pass')
    const retried = await post(handler, event.delivery())
    const messages = await event.queue.receiveAll(1_000)

    expect(failed).toMatchObject({ status: 503, body: { code: 'dependency_unavailable' } })
    expect(failed.headers).toHaveProperty('retry-after')
    expect(retried.body.status).toBe('accepted')
    expect(sns.forwarded('Publish')).toBe(1)
    expect(messages).toHaveLength(1)
    expect(await event.item()).toMatchObject({
      status: 'published',
      message_id: retried.body.message_id,
      received_count: 2,
    })
  })
})

describe('when SNS is slower than the time left', () => {
  it('answers 503 within a 3 s budget, and the next delivery publishes once more', async () => {
    const sns = await proxyInFrontOf('sns')
    const handler = loadHandler({ AWS_ENDPOINT_URL_SNS: sns.url })
    const event = await freshEvent()

    sns.setMode({ type: 'delay', ms: 4_000 })
    const slow = await post(handler, event.delivery(), lambdaContext(3_000), 10_000)
    const slowEndedAt = Date.now()
    const afterSlow = await event.item()
    sns.setMode('pass')
    // The slow Publish calls still reach SNS after the handler gave up on them.
    await sns.settled()
    const lateCopies = sns.forwarded('Publish')
    const retried = await post(handler, event.delivery())
    const messages = await event.queue.receiveAll(1_000)

    expect(slow.status).toBe(503)
    expect(slow.ms).toBeLessThan(3_500)
    // A failed publish ends its claim at once, so the retry need not wait out the lease.
    expect(Number(afterSlow?.lease_expires_at)).toBeLessThanOrEqual(slowEndedAt)
    expect(retried.body.status).toBe('accepted')
    // At least once, by design: SNS published the calls the deadline abandoned, and nothing can
    // tell the retry that it did; consumers drop the copies by idempotency_key. The retry itself
    // publishes exactly once.
    expect(sns.forwarded('Publish')).toBe(lateCopies + 1)
    expect(messages).toHaveLength(lateCopies + 1)
    expect(idempotencyKeys(messages)).toEqual([event.transactionId])
    expect(await event.item()).toMatchObject({
      status: 'published',
      message_id: retried.body.message_id,
    })
  })
})

describe('when DynamoDB is unavailable', () => {
  it('answers 503 and publishes nothing while DynamoDB refuses connections, then accepts the event once', async () => {
    const dynamodb = await proxyInFrontOf('dynamodb')
    const handler = loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url })
    const event = await freshEvent()

    dynamodb.setMode({ type: 'refuse' })
    const failed = await post(handler, event.delivery())
    const publishedMeanwhile = await event.queue.receiveAll(500)
    dynamodb.setMode('pass')
    const retried = await post(handler, event.delivery())
    const messages = await event.queue.receiveAll(1_000)

    expect(failed).toMatchObject({ status: 503, body: { code: 'dependency_unavailable' } })
    expect(publishedMeanwhile).toHaveLength(0)
    expect(retried.body.status).toBe('accepted')
    expect(messages).toHaveLength(1)
    expect(await event.item()).toMatchObject({ status: 'published', received_count: 1 })
  })
})

describe('when DynamoDB throttles the claim', () => {
  it.each<[DynamoDbErrorType, number]>([
    ['ThrottlingException', 1],
    ['ProvisionedThroughputExceededException', 1],
    ['ThrottlingException', 10],
  ])(
    'answers 200 or 503 after %s %i time(s), never publishing twice, and a redelivery leaves one published message',
    async (type, times) => {
      const dynamodb = await proxyInFrontOf('dynamodb')
      const handler = loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url })
      const event = await freshEvent()

      dynamodb.inject({
        when: (request) => request.kind === 'claim',
        fault: dynamoDbError(type),
        times,
      })
      const first = await post(handler, event.delivery())
      dynamodb.clearRules()
      const redelivered = await post(handler, event.delivery())
      const messages = await event.queue.receiveAll(1_000)

      expect(dynamodb.applied.length).toBeGreaterThan(0)
      expect([200, 503]).toContain(first.status)
      expect(redelivered.body.status).toBe(first.status === 200 ? 'duplicate' : 'accepted')
      expect(messages).toHaveLength(1)
      expect(await event.item()).toMatchObject({ status: 'published' })
    },
  )
})

describe('when DynamoDB fails to record the publication', () => {
  it.each([1, 2])(
    'still answers 200 with one message when it fails %i time(s) and then succeeds',
    async (times) => {
      const dynamodb = await proxyInFrontOf('dynamodb')
      const handler = loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url })
      const event = await freshEvent()
      dynamodb.inject({
        when: (request) => request.kind === 'mark-published',
        fault: dynamoDbError('InternalServerError'),
        times,
      })

      const answer = await post(handler, event.delivery())
      const messages = await event.queue.receiveAll(1_000)

      expect(dynamodb.applied).toHaveLength(times)
      expect(answer).toMatchObject({ status: 200, body: { status: 'accepted' } })
      expect(messages).toHaveLength(1)
      expect(await event.item()).toMatchObject({
        status: 'published',
        message_id: answer.body.message_id,
      })
    },
  )

  it('answers 503 while it keeps failing, and a redelivery after the lease publishes the stuck item', async () => {
    const dynamodb = await proxyInFrontOf('dynamodb')
    const handler = loadHandler({
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      CLAIM_LEASE_SECONDS: '1',
    })
    const event = await freshEvent()

    dynamodb.inject({
      when: (request) => request.kind === 'mark-published',
      fault: dynamoDbError('InternalServerError'),
    })
    const failed = await post(handler, event.delivery())
    const stuck = await event.item()
    dynamodb.clearRules()
    await sleep(Number(stuck?.lease_expires_at) + 50 - Date.now())
    const retried = await post(handler, event.delivery())
    const messages = await event.queue.receiveAll(1_000)

    expect(failed).toMatchObject({ status: 503, body: { code: 'dependency_unavailable' } })
    expect(stuck).toMatchObject({ status: 'claimed' })
    expect(retried.body.status).toBe('accepted')
    // The at-least-once path: the first message went out before its record failed, so the
    // takeover publishes a second copy with the same idempotency key.
    expect(messages.length).toBeGreaterThanOrEqual(1)
    expect(messages.length).toBeLessThanOrEqual(2)
    expect(idempotencyKeys(messages)).toEqual([event.transactionId])
    const item = await event.item()
    expect(item).toMatchObject({ status: 'published', message_id: retried.body.message_id })
    expect(messages.map((message) => message.envelope.MessageId)).toContain(item?.message_id)
  })
})

describe('when a delivery dies between claim and publish', () => {
  it('answers 409 while its lease lasts, then takes over and publishes exactly once', async () => {
    const handler = loadHandler()
    const event = await freshEvent()
    const leaseEnds = Date.now() + 2_500
    await realTransactionStore(clients.dynamodb, { tableName }).recordDelivery(
      recordOf(event.eventType, event.body),
      { token: 'crashed', expiresAt: leaseEnds },
      new Date().toISOString(),
    )

    const whileLeased = await post(handler, event.delivery())
    await sleep(leaseEnds + 50 - Date.now())
    const afterLease = await post(handler, event.delivery())
    const messages = await event.queue.receiveAll(1_000)

    expect(whileLeased).toMatchObject({ status: 409, body: { code: 'delivery_in_flight' } })
    expect(whileLeased.headers).toHaveProperty('retry-after')
    expect(afterLease.body.status).toBe('accepted')
    expect(messages).toHaveLength(1)
    expect(await event.item()).toMatchObject({
      status: 'published',
      message_id: afterLease.body.message_id,
      takeover_count: 1,
      received_count: 3,
    })
  })
})

describe('when the answer to a takeover is lost', () => {
  it('publishes exactly once from the delivery whose takeover DynamoDB applied', async () => {
    const dynamodb = await proxyInFrontOf('dynamodb')
    const handler = loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url })
    const event = await freshEvent()
    const leaseEnds = Date.now() + 500
    await realTransactionStore(clients.dynamodb, { tableName }).recordDelivery(
      recordOf(event.eventType, event.body),
      { token: 'crashed', expiresAt: leaseEnds },
      new Date().toISOString(),
    )
    await sleep(leaseEnds + 50 - Date.now())

    // DynamoDB applies the takeover; the SDK, not hearing so, sends the same write again.
    dynamodb.inject({
      when: (request) => request.kind === 'take-over',
      fault: { type: 'lose-response' },
      times: 1,
    })
    const answer = await post(handler, event.delivery())
    const messages = await event.queue.receiveAll(1_000)

    expect(dynamodb.received('take-over')).toBe(2)
    expect(answer.body.status).toBe('accepted')
    expect(messages).toHaveLength(1)
    expect(await event.item()).toMatchObject({
      status: 'published',
      message_id: answer.body.message_id,
    })
  })
})

describe('deadlines', () => {
  // Correctness bounds from the issue (the Lambda timeout is 9 s), not performance targets.
  it.each<['dynamodb' | 'sns', string]>([
    ['dynamodb', 'AWS_ENDPOINT_URL_DYNAMODB'],
    ['sns', 'AWS_ENDPOINT_URL_SNS'],
  ])(
    'answers 503 in under 9 s when %s hangs and no Lambda context is given',
    async (service, variable) => {
      const proxy = await proxyInFrontOf(service)
      const handler = loadHandler({ [variable]: proxy.url })
      const event = await freshEvent()

      proxy.setMode({ type: 'hang' })
      const answer = await post(handler, event.delivery(), undefined, 12_000)

      expect(answer.status).toBe(503)
      expect(answer.ms).toBeLessThan(9_000)
    },
  )

  it.each<['dynamodb' | 'sns', string]>([
    ['dynamodb', 'AWS_ENDPOINT_URL_DYNAMODB'],
    ['sns', 'AWS_ENDPOINT_URL_SNS'],
  ])(
    'answers 503 in under 3.5 s when %s hangs and the context leaves 3 s',
    async (service, variable) => {
      const proxy = await proxyInFrontOf(service)
      const handler = loadHandler({ [variable]: proxy.url })
      const event = await freshEvent()

      proxy.setMode({ type: 'hang' })
      const answer = await post(handler, event.delivery(), lambdaContext(3_000), 12_000)

      expect(answer.status).toBe(503)
      expect(answer.ms).toBeLessThan(3_500)
    },
  )
})

describe('a call that stalls once', () => {
  // The SDK's per-attempt timeout, not the deadline, must end the stalled attempt, so that the
  // retry still fits in the time left.
  it.each<['dynamodb' | 'sns', string, string]>([
    ['dynamodb', 'AWS_ENDPOINT_URL_DYNAMODB', 'claim'],
    ['sns', 'AWS_ENDPOINT_URL_SNS', 'Publish'],
  ])(
    'on %s is retried, and the delivery is accepted with one message',
    async (service, variable, kind) => {
      const proxy = await proxyInFrontOf(service)
      const handler = loadHandler({ [variable]: proxy.url })
      const event = await freshEvent()

      proxy.inject({ when: (request) => request.kind === kind, fault: { type: 'hang' }, times: 1 })
      const answer = await post(handler, event.delivery(), undefined, 12_000)
      const messages = await event.queue.receiveAll(1_000)

      expect(proxy.received(kind)).toBe(2)
      expect(answer).toMatchObject({ status: 200, body: { status: 'accepted' } })
      expect(messages).toHaveLength(1)
    },
  )
})

describe('concurrent deliveries of one event', () => {
  it('publish one message from 50 simultaneous deliveries, and a later one is a duplicate', async () => {
    const handler = loadHandler()
    const event = await freshEvent()

    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(handler, event.delivery())),
    )
    const item = await event.item()
    const later = await post(handler, event.delivery())
    const messages = await event.queue.receiveAll(1_000)

    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true)
    expect(answers.filter((answer) => answer.body.status === 'accepted')).toHaveLength(1)
    expect(item).toMatchObject({ status: 'published', received_count: 50 })
    expect(later.body.status).toBe('duplicate')
    expect(messages).toHaveLength(1)
  })
})
