import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns'
import type { OutgoingMessage } from './build-message'

export interface EventPublisher {
  publish(message: OutgoingMessage, signal?: AbortSignal): Promise<{ messageId: string }>
}

/**
 * The event type's part of its topic name: every `.` becomes `-`. The deployment puts
 * `${service}-${stage}-` in front.
 */
export function topicNameFor(eventType: string): string {
  return eventType.replaceAll('.', '-')
}

export interface SnsPublisherConfig {
  /** `arn:aws:sns:<region>:<account>:<service>-<stage>-` */
  topicArnPrefix: string
}

export function realEventPublisher(client: SNSClient, config: SnsPublisherConfig): EventPublisher {
  return {
    async publish(message, signal) {
      const result = await client.send(
        new PublishCommand({
          TopicArn: config.topicArnPrefix + topicNameFor(message.eventType),
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
