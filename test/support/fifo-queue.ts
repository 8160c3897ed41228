import { randomUUID } from 'node:crypto'
import { SubscribeCommand } from '@aws-sdk/client-sns'
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs'
import { localClients, type SnsEnvelope } from './local-aws'

/** One message of a FIFO queue subscribed to a FIFO topic, with what SQS FIFO says about it. */
export interface FifoMessage {
  /** The published message, parsed from JSON. */
  body: Record<string, unknown>
  attributes: Record<string, string>
  messageGroupId: string | undefined
  messageDeduplicationId: string | undefined
  sequenceNumber: string | undefined
}

export interface SubscribedFifoQueue {
  /**
   * Receives, deleting each batch before the next, until nothing arrives for `waitMs`. SQS FIFO
   * hands out a group's next message only once the one before it is deleted, so the result is
   * in each group's order.
   */
  receiveAll(waitMs: number): Promise<FifoMessage[]>
}

const clients = localClients()

/** A FIFO queue of the test's own, subscribed to `topicArn` with the SNS envelope. */
export async function subscribeFifoQueue(
  topicArn: string,
  filterPolicy?: Record<string, unknown>,
): Promise<SubscribedFifoQueue> {
  const { QueueUrl: queueUrl } = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: `test-${randomUUID()}.fifo`,
      Attributes: { FifoQueue: 'true' },
    }),
  )
  if (!queueUrl) throw new Error('CreateQueue returned no QueueUrl')
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  )
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: {
        RawMessageDelivery: 'false',
        ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}),
      },
    }),
  )
  return { receiveAll: (waitMs) => receiveAll(queueUrl, waitMs) }
}

async function receiveAll(queueUrl: string, waitMs: number): Promise<FifoMessage[]> {
  const received: FifoMessage[] = []
  let quietUntil = Date.now() + waitMs
  while (Date.now() < quietUntil) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId', 'SequenceNumber'],
      }),
    )
    if (Messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      continue
    }
    for (const message of Messages) {
      const envelope = JSON.parse(String(message.Body)) as SnsEnvelope
      received.push({
        body: JSON.parse(envelope.Message) as Record<string, unknown>,
        attributes: Object.fromEntries(
          Object.entries(envelope.MessageAttributes ?? {}).map(([name, { Value }]) => [
            name,
            Value,
          ]),
        ),
        messageGroupId: message.Attributes?.MessageGroupId,
        messageDeduplicationId: message.Attributes?.MessageDeduplicationId,
        sequenceNumber: message.Attributes?.SequenceNumber,
      })
    }
    await clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    )
    quietUntil = Date.now() + waitMs
  }
  return received
}
