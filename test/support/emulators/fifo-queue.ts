import { randomUUID } from 'node:crypto'
import type { DeliveredMessage, SubscriberQueue } from '../../../scripts/local/subscriber-queue'
import { subscribeQueue } from '../../../scripts/local/subscriber-queue'
import { localClients } from './local-aws'

/** One message of a FIFO queue subscribed to a FIFO topic, with what SQS FIFO says about it. */
export type FifoMessage = DeliveredMessage

export type SubscribedFifoQueue = Pick<SubscriberQueue, 'receiveAll'>

const clients = localClients()

/** A FIFO queue of the test's own, subscribed to `topicArn` with the SNS envelope. */
export function subscribeFifoQueue(
  topicArn: string,
  filterPolicy?: Record<string, unknown>,
): Promise<SubscribedFifoQueue> {
  return subscribeQueue(clients, topicArn, {
    name: `test-${randomUUID()}`,
    fifo: true,
    filterPolicy,
  })
}
