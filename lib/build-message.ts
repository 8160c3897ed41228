import type { ReceivedEvent } from './received-event'

/** What is published to the event type's topic. */
export interface OutgoingMessage {
  eventType: ReceivedEvent['eventType']
  body: string
  /** String attributes for subscription filter policies; absent values are left out. */
  attributes: Record<string, string>
  /** FIFO topics only: the gift card (voucher id), whose events SNS then keeps in order. */
  messageGroupId: string
  /**
   * FIFO topics only: SNS drops a message whose deduplication id it has seen in the last
   * 5 minutes. The idempotency key; whoever publishes the same event again on purpose (a replay)
   * must set another, or the copy is dropped.
   */
  deduplicationId: string
}

export function buildMessage(event: ReceivedEvent): OutgoingMessage {
  const { entry } = event
  const head = JSON.stringify({
    event_type: event.eventType,
    delivery: event.delivery,
    webhook_id: event.webhookId,
    event_id: event.eventId,
    project_id: event.projectId,
    created_at: event.createdAt,
    idempotency_key: event.idempotency.key,
  })
  // The data goes out as it came in: serialising it again would cost as much as parsing it.
  const body = `${head.slice(0, -1)},"data":${event.dataJson}}`
  const attributes: Record<string, string> = { event_type: event.eventType }
  const optional = {
    transaction_type: entry.transaction_type,
    transaction_id: entry.transaction_id,
    voucher_id: entry.voucher_id,
    campaign_id: entry.campaign_id,
    idempotency_key: event.idempotency.key,
    origin: event.origin,
  }
  for (const [name, value] of Object.entries(optional)) {
    // SNS rejects empty attribute values.
    if (value) attributes[name] = value
  }
  return {
    eventType: event.eventType,
    body,
    attributes,
    messageGroupId: entry.voucher_id,
    deduplicationId: event.idempotency.key,
  }
}

/** Bytes SNS counts against its limit: the body plus every attribute's name, type and value. */
export function messageSize(message: Pick<OutgoingMessage, 'body' | 'attributes'>): number {
  let size = Buffer.byteLength(message.body)
  for (const [name, value] of Object.entries(message.attributes)) {
    size += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value)
  }
  return size
}
