// examples/sqs-consumer: its template, packaged offline for prod beside the webhooks service's,
// and its subscription's filter policy applied by fauxqs to what the webhook handler publishes.

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { handler as consumer } from '../../../examples/sqs-consumer/handler'
import { topicNameFor } from '../../../lib/receive/event-publisher'
import type { GiftTransactionType } from '../../../lib/schemas/gift-event-parts'
import { eventTypeOfTopic } from '../../../scripts/local/serverless-resources'
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
} from '../../../scripts/sample-events'
import { type ReceivedMessage, subscribeQueue } from '../../support/emulators/local-aws'
import { loadHandler } from '../../support/load-handler'
import {
  type CloudFormationTemplate,
  type PackagedService,
  packageService,
} from '../../support/package-service'
import { readZip } from '../../support/read-zip'

let example: PackagedService
let webhooks: PackagedService

beforeAll(async () => {
  ;[example, webhooks] = await Promise.all([
    packageService('prod', { servicePath: 'examples/sqs-consumer' }),
    packageService('prod'),
  ])
}, 180_000)

afterAll(() => {
  example?.remove()
  webhooks?.remove()
})

function onlyResourceOfType(template: CloudFormationTemplate, type: string) {
  const found = Object.entries(template.Resources).filter(([, resource]) => resource.Type === type)
  const [first, ...others] = found
  if (!first || others.length > 0) throw new Error(`Expected exactly one ${type}`)
  const [logicalId, resource] = first
  return { logicalId, properties: resource.Properties ?? {} }
}

const subscription = () => onlyResourceOfType(example.template, 'AWS::SNS::Subscription')

/** The queue the event source mapping reads: the one that is not a dead-letter target. */
function consumedQueue() {
  const mapping = onlyResourceOfType(example.template, 'AWS::Lambda::EventSourceMapping')
  const [logicalId] = (mapping.properties.EventSourceArn as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ]
  return { logicalId, properties: example.template.Resources[logicalId]?.Properties ?? {} }
}

/** The event type of the webhooks topic whose exported ARN the example imports. */
function importedEventType(): string | undefined {
  const imported = (subscription().properties.TopicArn as { 'Fn::ImportValue'?: string })[
    'Fn::ImportValue'
  ]
  const output = Object.values(webhooks.template.Outputs ?? {}).find(
    (candidate) => (candidate.Export as { Name?: string } | undefined)?.Name === imported,
  )
  const topicId = (output?.Value as { Ref?: string } | undefined)?.Ref ?? ''
  const topic = webhooks.template.Resources[topicId]
  return topic?.Type === 'AWS::SNS::Topic' ? eventTypeOfTopic(topic.Properties ?? {}) : undefined
}

describe('the example consumer packaged for prod', () => {
  it('subscribes to the transaction-created topic ARN the prod webhooks stack exports', () => {
    expect(importedEventType()).toBe('voucher.gift.transaction.created')
  })

  it('subscribes the queue its function reads, in the SNS envelope', () => {
    expect(subscription().properties).toMatchObject({
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [consumedQueue().logicalId, 'Arn'] },
      RawMessageDelivery: false,
    })
  })

  it('lets only CREDITS_REDEMPTION transactions through, filtering on message attributes', () => {
    expect(subscription().properties).toMatchObject({
      FilterPolicyScope: 'MessageAttributes',
      FilterPolicy: { transaction_type: ['CREDITS_REDEMPTION'] },
    })
  })

  it('lets SNS send to the queue from the subscribed topic only', () => {
    const policy = onlyResourceOfType(example.template, 'AWS::SQS::QueuePolicy').properties

    expect(policy.Queues).toEqual([{ Ref: consumedQueue().logicalId }])
    expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [consumedQueue().logicalId, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': subscription().properties.TopicArn } },
      },
    ])
  })

  it('moves a message that keeps failing to a dead-letter queue of its own', () => {
    const redrive = consumedQueue().properties.RedrivePolicy as {
      deadLetterTargetArn: { 'Fn::GetAtt': [string, string] }
      maxReceiveCount: number
    }
    const [deadLetterId] = redrive.deadLetterTargetArn['Fn::GetAtt']

    expect(example.template.Resources[deadLetterId]?.Type).toBe('AWS::SQS::Queue')
    expect(deadLetterId).not.toBe(consumedQueue().logicalId)
    expect(redrive.maxReceiveCount).toBeGreaterThan(1)
  })

  it('lets its function report the records of a batch that failed', () => {
    const mapping = onlyResourceOfType(example.template, 'AWS::Lambda::EventSourceMapping')

    expect(mapping.properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures'])
  })

  it('bundles the handler into its package', () => {
    const zips = readdirSync(example.directory).filter((name) => name.endsWith('.zip'))
    expect(zips).toHaveLength(1)
    const files = readZip(join(example.directory, String(zips[0])))

    expect(files.get('handler.js')?.toString('utf8')).toContain('batchItemFailures')
  })
})

describe('the example subscription on fauxqs', () => {
  const webhook = loadHandler()

  /** A queue subscribed to the local twin of the imported topic, as the example subscribes. */
  function subscribeAsTheExample() {
    const { FilterPolicy, FilterPolicyScope, RawMessageDelivery } = subscription().properties
    const topicArn = `${process.env.TOPIC_ARN_PREFIX}${topicNameFor(String(importedEventType()))}`
    return subscribeQueue(topicArn, FilterPolicy as Record<string, unknown>, {
      FilterPolicyScope: String(FilterPolicyScope),
      RawMessageDelivery: String(RawMessageDelivery),
    })
  }

  /** Posts a signed transaction-created webhook of `transactionType`; its transaction id. */
  async function post(transactionType: GiftTransactionType): Promise<string> {
    const eventType = 'voucher.gift.transaction.created'
    const data = giftEventData(eventType, { transactionType })
    const body = JSON.stringify(envelopeFor(eventType, data))
    const answer = await webhook(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }))
    expect(answer.statusCode).toBe(200)
    return (data.transaction as { id: string }).id
  }

  // Other test files publish to the same topic at the same time: look at our transactions only.
  const transactionIds = (messages: ReceivedMessage[]) =>
    messages.map((message) => message.attributes.transaction_id)

  it('delivers a CREDITS_REDEMPTION transaction to the queue and not a CREDITS_ADDITION one', async () => {
    const queue = await subscribeAsTheExample()

    const redemption = await post('CREDITS_REDEMPTION')
    const addition = await post('CREDITS_ADDITION')
    const received = await queue.receiveAll(1_500)

    expect(transactionIds(received)).toContain(redemption)
    expect(transactionIds(received)).not.toContain(addition)
    expect(new Set(received.map((message) => message.attributes.transaction_type))).toEqual(
      new Set(['CREDITS_REDEMPTION']),
    )
  })

  it('hands the consumer records it reads without a failure', async () => {
    const queue = await subscribeAsTheExample()
    await post('CREDITS_REDEMPTION')
    const received = await queue.receiveAll(1_500)
    const event: SQSEvent = {
      Records: received.map(
        (message, index) =>
          ({ messageId: `m-${index}`, body: JSON.stringify(message.envelope) }) as SQSRecord,
      ),
    }
    jest.spyOn(console, 'log').mockImplementation(() => undefined)

    const result = await consumer(event).finally(() => jest.restoreAllMocks())

    expect(received.length).toBeGreaterThan(0)
    expect(result).toEqual({ batchItemFailures: [] })
  })
})
