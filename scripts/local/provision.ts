import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  type TimeToLiveSpecification,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns'
import type { AwsClients } from '../cli/aws-clients'
import type { CloudFormationTable, ServerlessResources } from './serverless-resources'
import { createQueue } from './subscriber-queue'

export interface ProvisionedResources {
  tableName: string
  /** Topic ARN by topic name. */
  topicArns: Record<string, string>
  tapQueueUrl: string
}

/** Table properties that only matter in AWS (backups, encryption, cost); skipped locally. */
const CLOUD_ONLY_TABLE_PROPERTIES = new Set([
  'PointInTimeRecoverySpecification',
  'SSESpecification',
  'ContributorInsightsSpecification',
  'TableClass',
  'Tags',
])
/**
 * Properties CreateTable takes as CloudFormation declares them. DynamoDB Local enforces
 * DeletionProtectionEnabled, so the local table refuses deletion exactly when AWS would.
 */
const MAPPED_TABLE_PROPERTIES = new Set([
  'TableName',
  'AttributeDefinitions',
  'KeySchema',
  'BillingMode',
  'ProvisionedThroughput',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'DeletionProtectionEnabled',
])
/** Set after CreateTable, which does not take it. */
const TIME_TO_LIVE = 'TimeToLiveSpecification'

/** Fails on properties this mapping does not know, so the local table never silently differs. */
function createTableInput(table: CloudFormationTable): CreateTableCommandInput {
  const unknown = Object.keys(table).filter(
    (property) =>
      !MAPPED_TABLE_PROPERTIES.has(property) &&
      !CLOUD_ONLY_TABLE_PROPERTIES.has(property) &&
      property !== TIME_TO_LIVE,
  )
  if (unknown.length > 0) {
    throw new Error(
      `Don't know how to create table property ${unknown.join(', ')} locally; ` +
        'teach scripts/local/provision.ts',
    )
  }
  const mapped = Object.entries(table).filter(([property]) => MAPPED_TABLE_PROPERTIES.has(property))
  return Object.fromEntries(mapped) as unknown as CreateTableCommandInput
}

/** Creates the table as serverless.yml declares it (another name for a test's own copy). */
export async function createTable(
  dynamodb: DynamoDBClient,
  table: CloudFormationTable,
): Promise<void> {
  try {
    await dynamodb.send(new CreateTableCommand(createTableInput(table)))
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error
  }
  await waitUntilTableExists(
    { client: dynamodb, maxWaitTime: 30, minDelay: 1 },
    { TableName: table.TableName },
  )
  const timeToLive = table[TIME_TO_LIVE] as TimeToLiveSpecification | undefined
  if (timeToLive) await enableTimeToLive(dynamodb, table.TableName, timeToLive)
}

/** As CloudFormation would; a table that has it already is left alone. */
async function enableTimeToLive(
  dynamodb: DynamoDBClient,
  tableName: string,
  specification: TimeToLiveSpecification,
): Promise<void> {
  const { TimeToLiveDescription } = await dynamodb.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  )
  if (TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') return
  await dynamodb.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: specification }),
  )
}

/** Creates each topic, FIFO ones as serverless.yml declares them; topic ARN by name. */
export async function createTopics(
  sns: SNSClient,
  topics: ReadonlyArray<Pick<ServerlessResources['topics'][number], 'topicName' | 'fifo'>>,
): Promise<Record<string, string>> {
  const topicArns: Record<string, string> = {}
  for (const { topicName, fifo } of topics) {
    // As serverless.yml declares a FIFO topic: deduplication by the id each message carries.
    const Attributes = fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : undefined
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName, Attributes }))
    if (!TopicArn) throw new Error(`CreateTopic ${topicName} returned no TopicArn`)
    topicArns[topicName] = TopicArn
  }
  return topicArns
}

async function subscribeOnce(sns: SNSClient, topicArn: string, queueArn: string): Promise<void> {
  const { Subscriptions = [] } = await sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
  )
  if (Subscriptions.some((subscription) => subscription.Endpoint === queueArn)) return
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      // The tap wants the SNS envelope, which is where the message attributes are.
      Attributes: { RawMessageDelivery: 'false' },
    }),
  )
}

/**
 * Creates in the emulators what serverless.yml declares: the table, every event topic, and a
 * "tap" queue subscribed to every event topic. Safe to run again against the same emulators.
 */
export async function provisionLocalResources(
  resources: ServerlessResources,
  clients: Pick<AwsClients, 'dynamodb' | 'sns' | 'sqs'>,
): Promise<ProvisionedResources> {
  const [, topicArns] = await Promise.all([
    createTable(clients.dynamodb, resources.table),
    createTopics(clients.sns, resources.topics),
  ])
  const tap = await createQueue(clients.sqs, `${resources.service}-${resources.stage}-tap`)
  for (const topicArn of Object.values(topicArns)) {
    await subscribeOnce(clients.sns, topicArn, tap.arn)
  }
  return { tableName: resources.tableName, topicArns, tapQueueUrl: tap.url }
}
