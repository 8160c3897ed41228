// A table and event topics of one test's own, with the same definitions as the local stage's:
// a scan sees only what that test stored, and a replay reaches only that test's queues.

import { randomBytes } from 'node:crypto'
import { DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb'
import { topicNameFor } from '../../../lib/receive/event-publisher'
import { supportedEventTypes } from '../../../lib/schemas/registry'
import { createTable, createTopics } from '../../../scripts/local/provision'
import type { ServerlessResources } from '../../../scripts/local/serverless-resources'
import { apiGatewayEventFor, LOCAL_WEBHOOK_SECRET } from '../../../scripts/sample-events'
import { loadHandler } from '../load-handler'
import { localClients, type ReceivedMessage, subscribeQueue } from './local-aws'

export interface IsolatedStage {
  tableName: string
  topicArnPrefix: string
  topicNameSuffix: '' | '.fifo'
  topicArnFor(eventType: string): string
  /** Posts a signed body through the webhook handler configured for this stage. */
  deliver(
    body: string,
    pathEventType?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>
  /** Subscribes a queue to every (standard) event topic: what any subscriber would see. */
  subscribeAll(): Promise<{ receiveAll(waitMs: number): Promise<ReceivedMessage[]> }>
  item(transactionId: string, eventType: string): Promise<Record<string, unknown> | undefined>
  put(item: Record<string, unknown>): Promise<void>
}

const clients = localClients()
const documents = DynamoDBDocumentClient.from(clients.dynamodb)

function localResources(): ServerlessResources {
  const json = process.env.LOCAL_RESOURCES_JSON
  if (!json)
    throw new Error('LOCAL_RESOURCES_JSON is not set: run this under the integration setup')
  return JSON.parse(json) as ServerlessResources
}

export interface IsolatedStageOptions {
  /** FIFO event topics, as `--param fifoTopics=true` deploys them. */
  fifo?: boolean
  /** More of the handler's environment, e.g. an SNS endpoint behind a fault proxy. */
  handlerEnv?: Record<string, string>
}

/** A table of its own, defined as the local stage's; its name. */
export async function isolatedTable(id = randomBytes(6).toString('hex')): Promise<string> {
  const { table } = localResources()
  const tableName = `${table.TableName}-${id}`
  await createTable(clients.dynamodb, { ...table, TableName: tableName })
  return tableName
}

/** Every item of a table, read strongly consistent, all pages. */
export async function scanTable(tableName: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = []
  const pages = paginateScan({ client: documents }, { TableName: tableName, ConsistentRead: true })
  for await (const page of pages) items.push(...(page.Items ?? []))
  return items
}

export async function isolatedStage({
  fifo = false,
  handlerEnv = {},
}: IsolatedStageOptions = {}): Promise<IsolatedStage> {
  const id = randomBytes(6).toString('hex')
  const tableName = await isolatedTable(id)

  const topicArnPrefix = `${process.env.TOPIC_ARN_PREFIX}${id}-`
  const topicNameSuffix = fifo ? '.fifo' : ''
  const topicArnFor = (eventType: string) =>
    `${topicArnPrefix}${topicNameFor(eventType)}${topicNameSuffix}`
  const topics = supportedEventTypes.map((eventType) => ({
    topicName: String(topicArnFor(eventType).split(':').at(-1)),
    fifo,
  }))
  const topicArns = Object.values(await createTopics(clients.sns, topics))

  const handler = loadHandler({
    TABLE_NAME: tableName,
    TOPIC_ARN_PREFIX: topicArnPrefix,
    TOPIC_NAME_SUFFIX: topicNameSuffix,
    ...handlerEnv,
  })
  return {
    tableName,
    topicArnPrefix,
    topicNameSuffix,
    topicArnFor,
    async deliver(body, pathEventType) {
      const result = await handler(
        apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET, pathEventType }),
      )
      return { status: result.statusCode ?? 0, body: JSON.parse(String(result.body)) }
    },
    async subscribeAll() {
      const queues = await Promise.all(topicArns.map((arn) => subscribeQueue(arn)))
      return {
        async receiveAll(waitMs) {
          const received = await Promise.all(queues.map((queue) => queue.receiveAll(waitMs)))
          return received.flat()
        },
      }
    },
    async item(transactionId, eventType) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: { transaction_id: transactionId, event_type: eventType },
        }),
      )
      return Item
    },
    async put(item) {
      await documents.send(new PutCommand({ TableName: tableName, Item: item }))
    },
  }
}
