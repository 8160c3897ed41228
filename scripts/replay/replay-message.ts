import { LEDGER_ATTRIBUTE } from '../../lib/ledger/ledger-chain'
import type { OutgoingMessage } from '../../lib/receive/build-message'
import { readPayload, type TrustedPayload } from '../../lib/receive/read-payload'
import type { EventOrigin } from '../../lib/receive/received-event'
import type { StoredItem } from './replay-table'

/** The attribute every replayed message carries, so that subscribers can tell or filter. */
export const REPLAY_ATTRIBUTE = 'replay'

/** What a replay reads of an item besides its key: what the first message was built from. */
export const MESSAGE_ATTRIBUTES = [
  'delivery',
  'payload',
  'received_at',
  'origin',
  'ledger_status',
] as const

/** The stored body as it was received, with the route's event type for a raw payload. */
export function trustedPayloadOf(item: StoredItem): TrustedPayload {
  return {
    body: Buffer.from(String(item.payload ?? '')),
    pathEventType: item.delivery === 'raw' ? item.event_type : undefined,
    ...(typeof item.origin === 'string' ? { origin: item.origin as EventOrigin } : {}),
  }
}

export type ReplayMessage =
  | { ok: true; message: OutgoingMessage }
  | { ok: false; reason: 'no_payload' | 'key_mismatch' | string }

/**
 * The message first published for a stored item, built again from its payload, `received_at`,
 * `origin` and ledger verdict (the same body and attributes), plus `replay=true`. On a FIFO
 * topic SNS drops a message whose deduplication id it saw in the last five minutes, so a
 * replayed one gets its own: `replay:<run>:` + the original's.
 */
export function replayMessageFor(item: StoredItem, run: string): ReplayMessage {
  if (typeof item.payload !== 'string' || typeof item.received_at !== 'string') {
    return { ok: false, reason: 'no_payload' }
  }
  const read = readPayload(trustedPayloadOf(item), item.received_at)
  if (!read.ok) return { ok: false, reason: read.outcome.status }
  if (
    read.event.eventType !== item.event_type ||
    read.event.idempotency.key !== item.transaction_id
  ) {
    return { ok: false, reason: 'key_mismatch' }
  }
  const { message } = read
  return {
    ok: true,
    message: {
      ...message,
      attributes: {
        ...message.attributes,
        ...(typeof item.ledger_status === 'string'
          ? { [LEDGER_ATTRIBUTE]: item.ledger_status }
          : {}),
        [REPLAY_ATTRIBUTE]: 'true',
      },
      deduplicationId: `replay:${run}:${message.deduplicationId}`,
    },
  }
}
