import { randomUUID } from 'node:crypto'
import { SubscribeCommand } from '@aws-sdk/client-sns'
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import { createLocalClients } from '../../scripts/local/create-local-clients'
import type { LocalAwsClients } from '../../scripts/local/provision'
import { takeMessages } from '../../scripts/local/take-messages'

/** What SNS puts in the SQS body when RawMessageDelivery is false. */
export interface SnsEnvelope {
  Type: string
  MessageId: string
  TopicArn: string
  Message: string
  MessageAttributes?: Record<string, { Type: string; Value: string }>
  [field: string]: unknown
}

export interface ReceivedMessage {
  /** The published message, parsed from JSON when it is JSON. */
  body: unknown
  /** The SNS message attributes, name to value. */
  attributes: Record<string, string>
  envelope: SnsEnvelope
}

export interface SubscribedQueue {
  queueUrl: string
  /** Receives (and deletes) until no message arrives for `waitMs`; [] means none was published. */
  receiveAll(waitMs: number): Promise<ReceivedMessage[]>
}

function requiredEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run this under the integration global setup`)
  return value
}

/** SDK clients for the emulators that global setup started. */
export function localClients(): LocalAwsClients {
  return createLocalClients({
    region: requiredEnv('AWS_REGION'),
    dynamodb: requiredEnv('AWS_ENDPOINT_URL_DYNAMODB'),
    sns: requiredEnv('AWS_ENDPOINT_URL_SNS'),
    sqs: requiredEnv('AWS_ENDPOINT_URL_SQS'),
  })
}

let sharedClients: LocalAwsClients | undefined
const clients = (): LocalAwsClients => {
  sharedClients ??= localClients()
  return sharedClients
}

function parseMessage(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function toReceived(body: string | undefined): ReceivedMessage {
  const envelope = JSON.parse(body ?? '') as SnsEnvelope
  const attributes = Object.fromEntries(
    Object.entries(envelope.MessageAttributes ?? {}).map(([name, { Value }]) => [name, Value]),
  )
  return { body: parseMessage(envelope.Message), attributes, envelope }
}

async function receiveAll(queueUrl: string, waitMs: number): Promise<ReceivedMessage[]> {
  const { sqs } = clients()
  const received: ReceivedMessage[] = []
  let quietUntil = Date.now() + waitMs
  for (;;) {
    const remainingMs = quietUntil - Date.now()
    if (remainingMs <= 0) return received
    const messages = await takeMessages(
      sqs,
      queueUrl,
      Math.min(20, Math.floor(remainingMs / 1_000)),
    )
    if (messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, remainingMs)))
      continue
    }
    received.push(...messages.map((message) => toReceived(message.Body)))
    quietUntil = Date.now() + waitMs
  }
}

/**
 * A new queue of this test's own, subscribed to `topicArn` with the SNS envelope (so message
 * attributes are visible) and optionally a filter policy on those attributes; `attributes`
 * overrides or adds subscription attributes (e.g. FilterPolicyScope).
 */
export async function subscribeQueue(
  topicArn: string,
  filterPolicy?: Record<string, unknown>,
  attributes: Record<string, string> = {},
): Promise<SubscribedQueue> {
  const { sns, sqs } = clients()
  const { QueueUrl: queueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `test-${randomUUID()}` }),
  )
  if (!queueUrl) throw new Error('CreateQueue returned no QueueUrl')
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  )
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: {
        RawMessageDelivery: 'false',
        ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}),
        ...attributes,
      },
    }),
  )
  return { queueUrl, receiveAll: (waitMs) => receiveAll(queueUrl, waitMs) }
}
