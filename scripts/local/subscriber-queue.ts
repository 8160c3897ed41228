import { randomUUID } from 'node:crypto'
import { type SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns'
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import { takeMessages } from './take-messages'

/** What SNS puts in the SQS body when RawMessageDelivery is false. */
export interface SnsEnvelope {
  Type: string
  MessageId: string
  TopicArn: string
  Message: string
  MessageAttributes?: Record<string, { Type: string; Value: string }>
  [field: string]: unknown
}

/** One message as a subscriber's queue received it. */
export interface DeliveredMessage {
  /** The published message, parsed from JSON when it is JSON. */
  body: unknown
  /** The SNS message attributes, name to value. */
  attributes: Record<string, string>
  envelope: SnsEnvelope
  /** FIFO queues only. */
  messageGroupId?: string
  messageDeduplicationId?: string
  sequenceNumber?: string
}

export interface SubscriberQueue {
  queueUrl: string
  /**
   * Receives (and deletes) until no message arrives for `waitMs`; [] means none was published.
   * A FIFO queue hands out a group's next message only after the one before is deleted, so the
   * result keeps each group's order.
   */
  receiveAll(waitMs: number): Promise<DeliveredMessage[]>
  /** Unsubscribes and deletes the queue. */
  remove(): Promise<void>
}

export interface SubscriberOptions {
  /** The queue's name before any `.fifo`; a random one by default. */
  name?: string
  /** A FIFO queue, as a FIFO topic requires. */
  fifo?: boolean
  /** On the message attributes, as subscribers filter. */
  filterPolicy?: Record<string, unknown>
  /** Overrides or adds subscription attributes (e.g. FilterPolicyScope). */
  attributes?: Record<string, string>
}

function parseMessage(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function toDelivered(message: Message): DeliveredMessage {
  const envelope = JSON.parse(message.Body ?? '') as SnsEnvelope
  const attributes = Object.fromEntries(
    Object.entries(envelope.MessageAttributes ?? {}).map(([name, { Value }]) => [name, Value]),
  )
  const system = message.Attributes ?? {}
  return {
    body: parseMessage(envelope.Message),
    attributes,
    envelope,
    ...(system.MessageGroupId === undefined
      ? {}
      : {
          messageGroupId: system.MessageGroupId,
          messageDeduplicationId: system.MessageDeduplicationId,
          sequenceNumber: system.SequenceNumber,
        }),
  }
}

async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  waitMs: number,
): Promise<DeliveredMessage[]> {
  const received: DeliveredMessage[] = []
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
    received.push(...messages.map(toDelivered))
    quietUntil = Date.now() + waitMs
  }
}

/** A new queue subscribed to `topicArn` with the SNS envelope, so attributes are visible. */
export async function subscribeQueue(
  { sns, sqs }: { sns: SNSClient; sqs: SQSClient },
  topicArn: string,
  {
    name = `subscriber-${randomUUID()}`,
    fifo = false,
    filterPolicy,
    attributes,
  }: SubscriberOptions = {},
): Promise<SubscriberQueue> {
  const { QueueUrl: queueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: fifo ? `${name}.fifo` : name,
      ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}),
    }),
  )
  if (!queueUrl) throw new Error('CreateQueue returned no QueueUrl')
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  )
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      ReturnSubscriptionArn: true,
      Attributes: {
        RawMessageDelivery: 'false',
        ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}),
        ...attributes,
      },
    }),
  )
  return {
    queueUrl,
    receiveAll: (waitMs) => receiveAll(sqs, queueUrl, waitMs),
    async remove() {
      if (SubscriptionArn) await sns.send(new UnsubscribeCommand({ SubscriptionArn }))
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }))
    },
  }
}
