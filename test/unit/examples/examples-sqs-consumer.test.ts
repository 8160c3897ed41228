// The example consumer in examples/sqs-consumer: SQS records carrying SNS envelopes in, ids
// logged, unreadable records reported as batch item failures.

import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { handler } from '../../../examples/sqs-consumer/handler'

const TOPIC_ARN =
  'arn:aws:sns:eu-central-1:000000000000:voucherify-gift-webhooks-prod-voucher-gift-transaction-created'

/** An SNS envelope as SQS receives it with RawMessageDelivery false. */
function envelope(message: string, attributes: Record<string, string> = {}): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: 'sns-message-1',
    TopicArn: TOPIC_ARN,
    Message: message,
    Timestamp: '2026-11-23T10:00:00.000Z',
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { Type: 'String', Value: value }]),
    ),
  })
}

const giftMessage = JSON.stringify({
  event_type: 'voucher.gift.transaction.created',
  delivery: 'envelope',
  idempotency_key: 'vtx_1',
  data: { voucher: { code: 'SECRET-CODE' }, customer: { email: 'someone@example.com' } },
})

function record(messageId: string, body: string): SQSRecord {
  return { messageId, body } as SQSRecord
}

const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records })

let logged: string[]

beforeEach(() => {
  logged = []
  const capture = (line: unknown) => {
    logged.push(String(line))
  }
  jest.spyOn(console, 'log').mockImplementation(capture)
  jest.spyOn(console, 'error').mockImplementation(capture)
})

afterEach(() => jest.restoreAllMocks())

describe('the example SQS consumer', () => {
  it('logs the ids of a gift event and reports no failure', async () => {
    const body = envelope(giftMessage, {
      transaction_type: 'CREDITS_REDEMPTION',
      transaction_id: 'vtx_1',
    })

    const result = await handler(sqsEvent(record('sqs-1', body)))

    expect(result).toEqual({ batchItemFailures: [] })
    expect(logged.map((line) => JSON.parse(line))).toEqual([
      {
        message: 'gift event received',
        sns_message_id: 'sns-message-1',
        event_type: 'voucher.gift.transaction.created',
        idempotency_key: 'vtx_1',
        transaction_type: 'CREDITS_REDEMPTION',
        transaction_id: 'vtx_1',
      },
    ])
  })

  it('never logs the event data', async () => {
    await handler(sqsEvent(record('sqs-1', envelope(giftMessage))))

    expect(logged.join('\n')).not.toMatch(/SECRET-CODE|someone@example\.com/)
  })

  it.each([
    ['a body that is not JSON', 'not json at all'],
    ['a body that is not an SNS notification', JSON.stringify({ Records: [] })],
    ['a message that is not JSON', envelope('SECRET-CODE is not json')],
    ['a message without an idempotency key', envelope(JSON.stringify({ event_type: 'x' }))],
  ])('reports %s as a batch item failure', async (_case, body) => {
    const result = await handler(sqsEvent(record('sqs-bad', body)))

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-bad' }] })
  })

  it('does not log the content of an unreadable record', async () => {
    await handler(sqsEvent(record('sqs-bad', envelope('SECRET-CODE is not json'))))

    expect(logged.map((line) => JSON.parse(line))).toEqual([
      { message: 'unreadable record', sqs_message_id: 'sqs-bad', error: 'message is not JSON' },
    ])
  })

  it('reports only the unreadable records of a mixed batch', async () => {
    const result = await handler(
      sqsEvent(
        record('sqs-1', envelope(giftMessage)),
        record('sqs-2', 'not json'),
        record('sqs-3', envelope(giftMessage)),
        record('sqs-4', envelope('[]')),
      ),
    )

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'sqs-2' },
      { itemIdentifier: 'sqs-4' },
    ])
  })
})
