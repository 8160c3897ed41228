import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns'
import { type EventPublisher, topicNameFor } from '../receive/event-publisher'
import { fifoMessageId } from './fifo-ids'

export interface SnsPublisherConfig {
  /** `arn:aws:sns:<region>:<account>:<service>-<stage>-` */
  topicArnPrefix: string
  /** `.fifo` for FIFO topics, whose messages carry a group and a deduplication id; default ''. */
  topicNameSuffix?: '' | '.fifo'
}

export function realEventPublisher(client: SNSClient, config: SnsPublisherConfig): EventPublisher {
  return {
    async publish(message, signal) {
      const suffix = config.topicNameSuffix ?? ''
      const result = await client.send(
        new PublishCommand({
          TopicArn: config.topicArnPrefix + topicNameFor(message.eventType) + suffix,
          ...(suffix === '.fifo'
            ? {
                MessageGroupId: fifoMessageId(message.messageGroupId),
                MessageDeduplicationId: fifoMessageId(message.deduplicationId),
              }
            : {}),
          Message: message.body,
          MessageAttributes: Object.fromEntries(
            Object.entries(message.attributes).map(([name, value]) => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
        { abortSignal: signal },
      )
      if (!result.MessageId) throw new Error('SNS answered Publish without a MessageId')
      return { messageId: result.MessageId }
    },
  }
}
