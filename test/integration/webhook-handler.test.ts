// The `webhook` function end to end against DynamoDB Local and fauxqs: every row of the
// HTTP table in the receiver issue, through the real handler and the real AWS SDK clients.

import { createHash } from 'node:crypto'
import { CreateTopicCommand } from '@aws-sdk/client-sns'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { decodePayload } from '../../lib/aws/payload-encoding'
import { EXPIRES_AT, itemKeys, PAYLOAD_GZIP } from '../../lib/aws/transactions-table'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { MAX_BODY_BYTES } from '../../lib/receive/limits'
import { signPayload } from '../../lib/receive/signature'
import { type SupportedEventType, supportedEventTypes } from '../../lib/schemas/registry'
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
  randomId,
  seedData,
} from '../../scripts/sample-events'
import { localClients, subscribeQueue } from '../support/emulators/local-aws'
import { type Handler, loadHandler } from '../support/load-handler'

const handler = loadHandler()
const clients = localClients()
const documents = DynamoDBDocumentClient.from(clients.dynamodb)
const tableName = process.env.TABLE_NAME as string
const topicArnFor = (eventType: string) =>
  `${process.env.TOPIC_ARN_PREFIX}${topicNameFor(eventType)}`

async function post(event: APIGatewayProxyEventV2, using: Handler = handler) {
  const result = await using(event)
  return { status: result.statusCode, body: JSON.parse(String(result.body)) }
}

const deliver = (body: string, pathEventType?: string) =>
  post(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET, pathEventType }))

const storedItem = async (transactionId: string, eventType: string) =>
  (
    await documents.send(
      new GetCommand({
        TableName: tableName,
        Key: { transaction_id: transactionId, event_type: eventType },
      }),
    )
  ).Item

/** A delivery's payload item, its body decoded. */
const storedPayload = async (transactionId: string, eventType: string) => {
  const key = itemKeys.payload({ transaction_id: transactionId, event_type: eventType })
  const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: key }))
  return (
    Item &&
    ({ ...Item, body: decodePayload(Item[PAYLOAD_GZIP] as Uint8Array) } as Record<string, unknown>)
  )
}

/** What subscribers get of `data` by default: each customer object as its id. */
function withCustomersAsIds(data: Record<string, unknown>): Record<string, unknown> {
  const reduced = { ...data }
  for (const member of ['customer', 'holder']) {
    const customer = reduced[member] as { id?: string } | null | undefined
    if (customer) reduced[member] = { id: customer.id, object: 'customer' }
  }
  return reduced
}

/** A queue that sees every message of `eventType`'s topic about one transaction. */
const watch = (eventType: string, transactionId: string) =>
  subscribeQueue(topicArnFor(eventType), { transaction_id: [transactionId] })

describe('webhook handler against the local emulators', () => {
  describe.each(supportedEventTypes)('the %s seed', (eventType) => {
    it('is stored once and published once, then answered as a duplicate in either form', async () => {
      const data = seedData[eventType]
      const transactionId = (data.transaction as { id: string }).id
      const queue = await watch(eventType, transactionId)

      const first = await deliver(JSON.stringify(envelopeFor(eventType, data)))
      const raw = await deliver(JSON.stringify(data), eventType)
      const again = await deliver(JSON.stringify(envelopeFor(eventType, data)))
      const messages = await queue.receiveAll(1_000)

      expect(first).toEqual({
        status: 200,
        body: {
          status: 'accepted',
          event_type: eventType,
          idempotency_key: transactionId,
          transaction_id: transactionId,
          message_id: expect.any(String),
        },
      })
      expect([raw.body.status, again.body.status]).toEqual(['duplicate', 'duplicate'])
      expect(messages).toHaveLength(1)
      expect(messages[0]?.attributes).toMatchObject({
        event_type: eventType,
        transaction_type: 'CREDITS_ADDITION',
        transaction_id: transactionId,
        voucher_id: (data.balance as { related_object: { id: string } }).related_object.id,
        idempotency_key: transactionId,
      })
      expect(await storedItem(transactionId, eventType)).toMatchObject({
        status: 'published',
        message_id: first.body.message_id,
        received_count: 3,
        key_source: 'transaction',
      })
    })
  })

  it.each(supportedEventTypes)('accepts a raw %s payload on the typed route', async (eventType) => {
    const data = giftEventData(eventType, { transactionType: 'CREDITS_REDEMPTION' })
    const transactionId = (data.transaction as { id: string }).id
    const queue = await watch(eventType, transactionId)

    const answer = await deliver(JSON.stringify(data), eventType)
    const messages = await queue.receiveAll(1_000)

    expect(answer.body).toMatchObject({ status: 'accepted', transaction_id: transactionId })
    expect(messages).toHaveLength(1)
    expect(messages[0]?.body).toMatchObject({
      delivery: 'raw',
      event_type: eventType,
      data: withCustomersAsIds(data),
    })
    expect(await storedItem(transactionId, eventType)).toMatchObject({
      delivery: 'raw',
      transaction_type: 'CREDITS_REDEMPTION',
      amount: -700,
      status: 'published',
    })
  })

  it('stores the normalised transaction, and the full payload apart with its customer and expiry', async () => {
    const voucherId = randomId('v')
    const data = giftEventData('voucher.gift.transaction.created', {
      transactionType: 'CREDITS_REFUND',
      relatedTransactionId: 'vtx_original',
      voucherId,
    })
    const body = JSON.stringify(envelopeFor('voucher.gift.transaction.created', data))
    const transactionId = (data.transaction as { id: string }).id

    await deliver(body)

    expect(await storedItem(transactionId, 'voucher.gift.transaction.created')).toEqual({
      transaction_id: transactionId,
      event_type: 'voucher.gift.transaction.created',
      key_source: 'transaction',
      transaction_type: 'CREDITS_REFUND',
      amount: 1000,
      balance_after: 3000,
      total: 2000,
      voucher_id: voucherId,
      campaign_id: 'camp_gYFHS8RZw9seypbbBPXmRboq',
      campaign_name: 'test gift 1807',
      source: 'API',
      related_transaction_id: 'vtx_original',
      created_at: (data.transaction as { created_at: string }).created_at,
      delivery: 'envelope',
      webhook_id: JSON.parse(body).id,
      event_id: JSON.parse(body).event.id,
      project_id: 'proj_local',
      received_at: expect.any(String),
      last_received_at: expect.any(String),
      received_count: 1,
      status: 'published',
      claim_token: expect.any(String),
      message_id: expect.any(String),
      published_at: expect.any(String),
      // The card's first transaction here opens its chain, from the balance before it.
      ledger_status: 'ok',
      expected_balance: 2000,
    })
    const payload = await storedPayload(transactionId, 'voucher.gift.transaction.created')
    expect(payload).toMatchObject({ body, customer_id: 'cust_PL4iqfS8K5Ej2LuBNV1RqlfJ' })
    const thirtyDaysOn = Date.now() / 1000 + 30 * 86_400
    expect(Math.abs(Number(payload?.[EXPIRES_AT]) - thirtyDaysOn)).toBeLessThan(60)
  })

  it('accepts an event without customer, code or voucher, storing no attribute for them', async () => {
    const data = giftEventData('customer.voucher.gift.balance_added')
    delete data.customer
    delete data.voucher
    data.campaign = { id: '', name: null }
    const body = JSON.stringify(envelopeFor('customer.voucher.gift.balance_added', data))
    const transactionId = (data.transaction as { id: string }).id
    const queue = await watch('customer.voucher.gift.balance_added', transactionId)

    const answer = await deliver(body)
    const [message] = await queue.receiveAll(1_000)

    expect(answer.body.status).toBe('accepted')
    // The data as sent, byte for byte.
    expect(message?.envelope.Message).toContain(`"data":${JSON.stringify(data)}`)
    const item = await storedItem(transactionId, 'customer.voucher.gift.balance_added')
    const derived = ['voucher_code', 'holder_id', 'campaign_name', 'voucher_id', 'amount']
    expect(derived.filter((name) => item !== undefined && name in item)).toEqual([
      'voucher_id',
      'amount',
    ])
  })

  it('fans the same transaction out once per event type', async () => {
    const transactionId = randomId('vtx')
    const queues = await Promise.all(supportedEventTypes.map((type) => watch(type, transactionId)))

    const answers = await Promise.all(
      supportedEventTypes.map((type) =>
        deliver(JSON.stringify(envelopeFor(type, giftEventData(type, { transactionId })))),
      ),
    )
    const received = await Promise.all(queues.map((queue) => queue.receiveAll(1_000)))

    expect(answers.map((answer) => answer.body.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ])
    expect(received.map((messages) => messages.length)).toEqual([1, 1, 1])
  })

  it('accepts a body API Gateway hands over base64-encoded', async () => {
    const data = giftEventData('voucher.gift.transaction.created')
    const body = JSON.stringify(envelopeFor('voucher.gift.transaction.created', data))

    const answer = await post(
      apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET, base64: true }),
    )

    expect(answer.body.status).toBe('accepted')
  })

  it('accepts a pretty-printed body signed in compact form', async () => {
    const compact = JSON.stringify(
      envelopeFor('voucher.gift.balance_added', giftEventData('voucher.gift.balance_added')),
    )
    const event = apiGatewayEventFor({ body: JSON.stringify(JSON.parse(compact), null, 2) })
    event.headers['x-voucherify-signature'] = signPayload(LOCAL_WEBHOOK_SECRET, compact)

    const answer = await post(event)

    expect(answer.body.status).toBe('accepted')
  })

  it('answers 202 ignored for a signed event type it does not handle, storing nothing', async () => {
    const envelope = envelopeFor(
      'voucher.loyalty_card.points_added',
      { transaction: { id: randomId('vtx') } },
      'webhook',
    )

    const answer = await deliver(JSON.stringify(envelope))

    expect(answer).toEqual({
      status: 202,
      body: { status: 'ignored', event_type: 'voucher.loyalty_card.points_added' },
    })
  })

  it('answers 401 to a delivery without a signature, storing nothing', async () => {
    const data = giftEventData('voucher.gift.transaction.created')
    const transactionId = (data.transaction as { id: string }).id

    const answer = await post(
      apiGatewayEventFor({
        body: JSON.stringify(envelopeFor('voucher.gift.transaction.created', data)),
      }),
    )

    expect(answer).toMatchObject({ status: 401, body: { code: 'signature_missing' } })
    expect(await storedItem(transactionId, 'voucher.gift.transaction.created')).toBeUndefined()
  })

  it('answers 401 to a signature made with another secret', async () => {
    const body = JSON.stringify(
      envelopeFor(
        'voucher.gift.transaction.created',
        giftEventData('voucher.gift.transaction.created'),
      ),
    )

    const answer = await post(apiGatewayEventFor({ body, secret: 'not-the-secret' }))

    expect(answer).toMatchObject({ status: 401, body: { code: 'signature_invalid' } })
  })

  it.each([
    ['body_not_json', Buffer.from('{"id": "whs_1",')],
    ['body_not_object', Buffer.from('"a string"')],
    ['body_empty', Buffer.from('')],
    ['body_not_utf8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
  ])('answers 400 %s to a signed body that is not a JSON object', async (code, bytes) => {
    const event = apiGatewayEventFor({ body: bytes.toString('latin1'), base64: false })
    Object.assign(event, { body: bytes.toString('base64'), isBase64Encoded: true })
    event.headers['x-voucherify-signature'] = signPayload(LOCAL_WEBHOOK_SECRET, bytes)

    const answer = await post(event)

    expect(answer).toMatchObject({ status: 400, body: { status: 'rejected', code } })
  })

  it('answers 202 quarantined with the failing paths and keeps the payload in quarantine', async () => {
    const data = giftEventData('customer.voucher.gift.balance_added')
    ;(data.balance as Record<string, unknown>).balance = '15900'
    const body = JSON.stringify(envelopeFor('customer.voucher.gift.balance_added', data))
    const queue = await watch(
      'customer.voucher.gift.balance_added',
      (data.transaction as { id: string }).id,
    )

    const answer = await deliver(body)
    const quarantineKey = `quarantine:sha256:${createHash('sha256').update(body).digest('hex')}`

    expect(answer).toMatchObject({
      status: 202,
      body: {
        status: 'quarantined',
        code: 'schema_validation_failed',
        event_type: 'customer.voucher.gift.balance_added',
        issues: [{ path: 'data.balance.balance', message: 'expected number' }],
      },
    })
    expect(await storedItem(quarantineKey, 'customer.voucher.gift.balance_added')).toMatchObject({
      status: 'quarantined',
      payload: body,
    })
    expect(await queue.receiveAll(500)).toHaveLength(0)
  })

  describe('size limit', () => {
    /** A valid raw payload padded with an unknown field to exactly `size` bytes. */
    function bodyOfSize(size: number) {
      const data = giftEventData('voucher.gift.balance_added')
      const empty = JSON.stringify({ ...data, padding: '' })
      return { data, body: JSON.stringify({ ...data, padding: 'x'.repeat(size - empty.length) }) }
    }

    it('stores and publishes a body of exactly the limit', async () => {
      const { data, body } = bodyOfSize(MAX_BODY_BYTES)
      const transactionId = (data.transaction as { id: string }).id
      const queue = await watch('voucher.gift.balance_added', transactionId)

      const answer = await deliver(body, 'voucher.gift.balance_added')

      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES)
      expect(answer.body.status).toBe('accepted')
      expect((await storedPayload(transactionId, 'voucher.gift.balance_added'))?.body).toBe(body)
      expect(await queue.receiveAll(1_000)).toHaveLength(1)
    })

    it('answers 413 to a body one byte over the limit', async () => {
      const { body } = bodyOfSize(MAX_BODY_BYTES + 1)

      const answer = await deliver(body, 'voucher.gift.balance_added')

      expect(answer).toMatchObject({ status: 413, body: { code: 'payload_too_large' } })
    })
  })

  it('answers 409 while another delivery holds the claim, and publishes nothing', async () => {
    const data = giftEventData('voucher.gift.transaction.created')
    const transactionId = (data.transaction as { id: string }).id
    const body = JSON.stringify(envelopeFor('voucher.gift.transaction.created', data))
    const queue = await watch('voucher.gift.transaction.created', transactionId)

    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(body)))
    const messages = await queue.receiveAll(1_000)

    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true)
    expect(answers.filter((answer) => answer.body.status === 'accepted')).toHaveLength(1)
    expect(messages).toHaveLength(1)
  })

  it('answers 503 when the topic is unavailable, and the next delivery publishes exactly once', async () => {
    // A topic prefix of this test's own, so that no other test loses its topic.
    const prefix = `${process.env.TOPIC_ARN_PREFIX}fault-${randomId('t')}-`
    const withMissingTopic = loadHandler({ TOPIC_ARN_PREFIX: prefix })
    const eventType: SupportedEventType = 'voucher.gift.balance_added'
    const data = giftEventData(eventType)
    const transactionId = (data.transaction as { id: string }).id
    const event = () =>
      apiGatewayEventFor({
        body: JSON.stringify(envelopeFor(eventType, data)),
        secret: LOCAL_WEBHOOK_SECRET,
      })

    const failed = await post(event(), withMissingTopic)
    const topicName = `${prefix}${topicNameFor(eventType)}`.split(':').pop()
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: topicName }))
    const queue = await subscribeQueue(TopicArn as string)
    const retried = await post(event(), withMissingTopic)
    const again = await post(event(), withMissingTopic)

    expect(failed).toMatchObject({ status: 503, body: { code: 'dependency_unavailable' } })
    expect([retried.body.status, again.body.status]).toEqual(['accepted', 'duplicate'])
    expect(await queue.receiveAll(1_000)).toHaveLength(1)
    expect(await storedItem(transactionId, eventType)).toMatchObject({
      status: 'published',
      received_count: 3,
    })
  })

  it('answers 503 when DynamoDB cannot be reached, publishing nothing', async () => {
    const unreachable = loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' })
    const data = giftEventData('voucher.gift.transaction.created')
    const queue = await watch(
      'voucher.gift.transaction.created',
      (data.transaction as { id: string }).id,
    )
    const body = JSON.stringify(envelopeFor('voucher.gift.transaction.created', data))

    const answer = await post(
      apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }),
      unreachable,
    )

    expect(answer).toMatchObject({ status: 503, body: { code: 'dependency_unavailable' } })
    expect(await queue.receiveAll(500)).toHaveLength(0)
  })

  it('answers 500 and accepts nothing when no secret is configured', async () => {
    const unconfigured = loadHandler({ VOUCHERIFY_WEBHOOK_SECRET: '' })
    const body = JSON.stringify(
      envelopeFor(
        'voucher.gift.transaction.created',
        giftEventData('voucher.gift.transaction.created'),
      ),
    )

    const answer = await post(apiGatewayEventFor({ body, secret: '' }), unconfigured)

    expect(answer).toMatchObject({ status: 500, body: { code: 'secret_not_configured' } })
  })

  it('answers 415 to a body that is not sent as JSON', async () => {
    const body = JSON.stringify(
      envelopeFor(
        'voucher.gift.transaction.created',
        giftEventData('voucher.gift.transaction.created'),
      ),
    )

    const answer = await post(
      apiGatewayEventFor({
        body,
        secret: LOCAL_WEBHOOK_SECRET,
        headers: { 'content-type': 'text/plain' },
      }),
    )

    expect(answer).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } })
  })
})
