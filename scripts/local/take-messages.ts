import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'

/** What SQS FIFO says of each message: its group, deduplication id and place in the queue. */
export const FIFO_SYSTEM_ATTRIBUTES = [
  'MessageGroupId',
  'MessageDeduplicationId',
  'SequenceNumber',
] as const

/**
 * Receives up to ten messages (long-polling `waitTimeSeconds`) and deletes what it received.
 * Deleting at once also releases a FIFO group's next message, which SQS holds back until then.
 */
export async function takeMessages(
  sqs: SQSClient,
  queueUrl: string,
  waitTimeSeconds: number,
  abortSignal?: AbortSignal,
): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: [...FIFO_SYSTEM_ATTRIBUTES],
    }),
    { abortSignal },
  )
  if (Messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
      { abortSignal },
    )
  }
  return Messages
}
