import { randomUUID } from 'node:crypto'
import { type AwsClients, awsClientsFor } from '../../../scripts/cli/aws-clients'
import {
  type DeliveredMessage,
  type SubscriberQueue,
  subscribeQueue as subscribeSubscriberQueue,
} from '../../../scripts/local/subscriber-queue'

export type { SnsEnvelope } from '../../../scripts/local/subscriber-queue'
/** One message as the test's queue received it. */
export type ReceivedMessage = DeliveredMessage
export type SubscribedQueue = Pick<SubscriberQueue, 'queueUrl' | 'receiveAll'>

function requiredEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run this under the integration global setup`)
  return value
}

/** SDK clients for the emulators that global setup started. */
export function localClients(): AwsClients {
  return awsClientsFor({
    region: requiredEnv('AWS_REGION'),
    endpoints: {
      dynamodb: requiredEnv('AWS_ENDPOINT_URL_DYNAMODB'),
      sns: requiredEnv('AWS_ENDPOINT_URL_SNS'),
      sqs: requiredEnv('AWS_ENDPOINT_URL_SQS'),
    },
  })
}

let sharedClients: AwsClients | undefined
const clients = (): AwsClients => {
  sharedClients ??= localClients()
  return sharedClients
}

/**
 * A new queue of this test's own, subscribed to `topicArn` with the SNS envelope (so message
 * attributes are visible) and optionally a filter policy on those attributes; `attributes`
 * overrides or adds subscription attributes (e.g. FilterPolicyScope).
 */
export function subscribeQueue(
  topicArn: string,
  filterPolicy?: Record<string, unknown>,
  attributes: Record<string, string> = {},
): Promise<SubscribedQueue> {
  return subscribeSubscriberQueue(clients(), topicArn, {
    name: `test-${randomUUID()}`,
    filterPolicy,
    attributes,
  })
}
