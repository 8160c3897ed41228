// An example consumer: gift-card events arrive from the webhooks service's SNS topic through an
// SQS queue, in the SNS envelope (RawMessageDelivery false). Logs ids only, never the data.
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda'

/** What SNS puts in the SQS body when RawMessageDelivery is false. */
interface SnsNotification {
  Type: 'Notification'
  MessageId: string
  TopicArn: string
  Message: string
  MessageAttributes?: Record<string, { Type: string; Value: string }>
}

/** The ids of one gift event: enough to find it in the service's table and in its logs. */
export interface GiftEventIds {
  sns_message_id: string
  event_type: string
  idempotency_key: string
  transaction_type?: string
  transaction_id?: string
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON.parse, failing with `reason` only: its own message quotes the input. */
function parseJson(text: string, reason: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new Error(reason)
  }
}

/** The ids of the gift event an SQS body carries; throws when it is not one. */
export function readGiftEvent(body: string): GiftEventIds {
  const notification = parseJson(body, 'body is not JSON')
  if (
    !isObject(notification) ||
    notification.Type !== 'Notification' ||
    typeof notification.MessageId !== 'string' ||
    typeof notification.Message !== 'string'
  ) {
    throw new Error('not an SNS notification')
  }
  const { MessageId, Message, MessageAttributes } = notification as unknown as SnsNotification
  const message = parseJson(Message, 'message is not JSON')
  if (
    !isObject(message) ||
    typeof message.event_type !== 'string' ||
    typeof message.idempotency_key !== 'string'
  ) {
    throw new Error('not a gift event message')
  }
  return {
    sns_message_id: MessageId,
    event_type: message.event_type,
    // Consumers that must not double-count keep the keys they have seen: SNS delivers at least once.
    idempotency_key: message.idempotency_key,
    transaction_type: MessageAttributes?.transaction_type?.Value,
    transaction_id: MessageAttributes?.transaction_id?.Value,
  }
}

/**
 * Handles each record on its own: a record it cannot read is reported in `batchItemFailures`
 * (the event source mapping has ReportBatchItemFailures), so only that record is retried and,
 * after the queue's maxReceiveCount, moved to the dead-letter queue.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchItemFailure[] = []
  for (const record of event.Records) {
    try {
      const ids = readGiftEvent(record.body)
      console.log(JSON.stringify({ message: 'gift event received', ...ids }))
    } catch (error) {
      console.error(
        JSON.stringify({
          message: 'unreadable record',
          sqs_message_id: record.messageId,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      batchItemFailures.push({ itemIdentifier: record.messageId })
    }
  }
  return { batchItemFailures }
}
