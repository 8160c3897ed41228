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
