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

/** The message with the event's data as sent, personal data included (see `messageWithoutPersonalData`). */
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

/**
 * The message of `event` with each customer object reduced to its id (see lib/privacy): the body is
 * `<head>,"data":<data>}`, so only its data is swapped.
 */
export function messageWithoutPersonalData(
  message: OutgoingMessage,
  event: ReceivedEvent,
): OutgoingMessage {
  const { dataJson, dataJsonWithoutPersonalData } = event
  if (dataJsonWithoutPersonalData === dataJson) return message
  const head = message.body.slice(0, message.body.length - dataJson.length - 1)
  return { ...message, body: `${head}${dataJsonWithoutPersonalData}}` }
}

/** Bytes SNS counts against its limit: the body plus every attribute's name, type and value. */
export function messageSize(message: Pick<OutgoingMessage, 'body' | 'attributes'>): number {
  return Buffer.byteLength(message.body) + attributesSize(message.attributes)
}

/** True when `messageSize(message)` is at most `limitBytes`. */
export function messageFits(
  message: Pick<OutgoingMessage, 'body' | 'attributes'>,
  limitBytes: number,
): boolean {
  const attributes = attributesSize(message.attributes)
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most bodies need no byte count (a full scan).
  if (3 * message.body.length + attributes <= limitBytes) return true
  return Buffer.byteLength(message.body) + attributes <= limitBytes
}

function attributesSize(attributes: Record<string, string>): number {
  let size = 0
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value)
  }
  return size
}
