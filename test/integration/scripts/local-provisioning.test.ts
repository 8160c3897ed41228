// What global setup created in DynamoDB Local and fauxqs matches serverless.yml, so the
// integration tests and `npm start` exercise the same table and topics as AWS.

import { randomUUID } from 'node:crypto'
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb'
import { ListTopicsCommand, PublishCommand } from '@aws-sdk/client-sns'
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs'
import { EXPIRES_AT } from '../../../lib/aws/transactions-table'
import type { ServerlessResources } from '../../../scripts/local/serverless-resources'
import { localClients } from '../../support/emulators/local-aws'
import { EXPECTED_TABLE_INDEXES } from '../../support/expected-table-indexes'

const resources = JSON.parse(process.env.LOCAL_RESOURCES_JSON as string) as ServerlessResources
const clients = localClients()

afterAll(() => clients.destroy())

async function describeTable(): Promise<TableDescription> {
  const { Table } = await clients.dynamodb.send(
    new DescribeTableCommand({ TableName: process.env.TABLE_NAME }),
  )
  if (!Table) throw new Error('DescribeTable returned no table')
  return Table
}

const byName = <T extends { AttributeName?: string }>(items: T[] = []) =>
  [...items].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)))

const topicArn = (topicName: string) => `arn:aws:sns:${resources.region}:000000000000:${topicName}`

async function listTopicArns(): Promise<string[]> {
  const arns: string[] = []
  let NextToken: string | undefined
  do {
    const page = await clients.sns.send(new ListTopicsCommand({ NextToken }))
    arns.push(...(page.Topics ?? []).map((topic) => String(topic.TopicArn)))
    NextToken = page.NextToken
  } while (NextToken)
  return arns
}

describe('the local table', () => {
  it('is the table serverless.yml names, in the TABLE_NAME the Lambda gets', async () => {
    const table = await describeTable()

    expect(table.TableName).toBe(resources.tableName)
    expect(process.env.TABLE_NAME).toBe('voucherify-gift-webhooks-local-transactions')
  })

  it('has exactly the key schema serverless.yml declares', async () => {
    const table = await describeTable()

    expect(table.KeySchema).toEqual(resources.table.KeySchema)
    expect(table.KeySchema).toEqual([
      { AttributeName: 'transaction_id', KeyType: 'HASH' },
      { AttributeName: 'event_type', KeyType: 'RANGE' },
    ])
  })

  it('has exactly the attribute definitions serverless.yml declares', async () => {
    const table = await describeTable()

    expect(byName(table.AttributeDefinitions)).toEqual(byName(resources.table.AttributeDefinitions))
    expect(byName(table.AttributeDefinitions)).toEqual([
      { AttributeName: 'created_at', AttributeType: 'S' },
      { AttributeName: 'customer_id', AttributeType: 'S' },
      { AttributeName: 'event_type', AttributeType: 'S' },
      { AttributeName: 'transaction_id', AttributeType: 'S' },
      { AttributeName: 'voucher_id', AttributeType: 'S' },
    ])
  })

  it('expires items by their expires_at, as serverless.yml declares', async () => {
    const { TimeToLiveDescription } = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: resources.tableName }),
    )

    expect(TimeToLiveDescription).toMatchObject({
      AttributeName: EXPIRES_AT,
      TimeToLiveStatus: 'ENABLED',
    })
  })

  it('has exactly the indexes serverless.yml declares', async () => {
    const table = await describeTable()
    const indexes = (table.GlobalSecondaryIndexes ?? []).map(
      ({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }),
    )

    expect(indexes).toEqual(resources.table.GlobalSecondaryIndexes)
    expect(indexes).toEqual(EXPECTED_TABLE_INDEXES)
  })

  it('is billed on demand, as serverless.yml declares', async () => {
    const table = await describeTable()

    expect(table.BillingModeSummary?.BillingMode).toBe(resources.table.BillingMode)
    expect(resources.table.BillingMode).toBe('PAY_PER_REQUEST')
  })
})

describe('the local topics', () => {
  it('exist for every event topic serverless.yml declares, under TOPIC_ARN_PREFIX', async () => {
    const arns = await listTopicArns()

    expect(resources.topics.map((topic) => topic.topicName).sort()).toEqual([
      'voucherify-gift-webhooks-local-customer-voucher-gift-balance_added',
      'voucherify-gift-webhooks-local-voucher-gift-balance_added',
      'voucherify-gift-webhooks-local-voucher-gift-transaction-created',
    ])
    for (const { topicName } of resources.topics) {
      expect(arns).toContain(topicArn(topicName))
      expect(topicArn(topicName).startsWith(String(process.env.TOPIC_ARN_PREFIX))).toBe(true)
    }
  })

  it('leave out the alarm topic, which is no event topic', async () => {
    const arns = await listTopicArns()

    expect(arns).not.toContain(topicArn('voucherify-gift-webhooks-local-alarms'))
    expect(resources.topics.map((topic) => topic.logicalId)).not.toContain('AlarmTopic')
  })

  it('deliver a message published to each of them to the tap queue, envelope and attributes', async () => {
    const { QueueUrl } = await clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: `${resources.service}-local-tap` }),
    )
    const marker = randomUUID()
    const topicArns = resources.topics.map(({ topicName }) => topicArn(topicName))

    for (const TopicArn of topicArns) {
      await clients.sns.send(
        new PublishCommand({
          TopicArn,
          Message: JSON.stringify({ marker }),
          MessageAttributes: { transaction_id: { DataType: 'String', StringValue: marker } },
        }),
      )
    }
    const ours = await receiveMarked(String(QueueUrl), marker, topicArns.length)

    expect(ours.map((envelope) => envelope.TopicArn).sort()).toEqual([...topicArns].sort())
    for (const envelope of ours) {
      expect(envelope.MessageAttributes).toEqual({
        transaction_id: { Type: 'String', Value: marker },
      })
    }
  })
})

interface Envelope {
  TopicArn: string
  Message: string
  MessageAttributes?: Record<string, unknown>
}

/** Tap messages carrying `marker`: other test files publish to the same topics concurrently. */
async function receiveMarked(queueUrl: string, marker: string, expected: number) {
  const ours: Envelope[] = []
  const deadline = Date.now() + 10_000
  while (ours.length < expected && Date.now() < deadline) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    )
    const envelopes = Messages.map((message) => JSON.parse(String(message.Body)) as Envelope)
    ours.push(...envelopes.filter((envelope) => envelope.Message.includes(marker)))
    if (Messages.length > 0) {
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      )
    }
  }
  return ours
}
