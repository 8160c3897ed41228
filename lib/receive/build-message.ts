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

/** The message of `event` as subscribers get it by default, and with its personal data. */
export interface MessageVariants {
  /** Each customer object in the data reduced to its id (lib/privacy/personal-data.ts). */
  message: OutgoingMessage
  /** The data exactly as Voucherify sent it: with `publishPersonalData`. */
  withPersonalData: OutgoingMessage
}

/** Both messages of `event`; they share all but their data. */
export function buildMessages(event: ReceivedEvent): MessageVariants {
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
  const prefix = `${head.slice(0, -1)},"data":`
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
  const withData = (dataJson: string): OutgoingMessage => ({
    eventType: event.eventType,
    body: `${prefix}${dataJson}}`,
    attributes,
    messageGroupId: entry.voucher_id,
    deduplicationId: event.idempotency.key,
  })
  const withPersonalData = withData(event.dataJson)
  const message =
    event.dataJsonWithoutPersonalData === event.dataJson
      ? withPersonalData
      : withData(event.dataJsonWithoutPersonalData)
  return { message, withPersonalData }
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
