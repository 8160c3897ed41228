import type { ReceivedEvent } from './received-event'

/** What is published to the event type's topic. */
export interface OutgoingMessage {
  eventType: ReceivedEvent['eventType']
  body: string
  /** String attributes for subscription filter policies; absent values are left out. */
  attributes: Record<string, string>
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
  }
  for (const [name, value] of Object.entries(optional)) {
    // SNS rejects empty attribute values.
    if (value) attributes[name] = value
  }
  return { eventType: event.eventType, body, attributes }
}

/** Bytes SNS counts against its limit: the body plus every attribute's name, type and value. */
export function messageSize(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.body)
  for (const [name, value] of Object.entries(message.attributes)) {
    size += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value)
  }
  return size
}
