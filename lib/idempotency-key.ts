import { createHash } from 'node:crypto'

export type KeySource = 'transaction' | 'event' | 'body_sha256'

export interface IdempotencyKey {
  key: string
  source: KeySource
}

/**
 * The key under which one delivery's transaction is stored: the gift transaction id, else the
 * Voucherify event id, else a digest of the compact body. Prefixes keep the three apart.
 */
export function idempotencyKeyFor(
  transactionId: string | null,
  eventId: string | null,
  compactBody: Uint8Array,
): IdempotencyKey {
  if (transactionId !== null) return { key: transactionId, source: 'transaction' }
  if (eventId !== null) return { key: `event:${eventId}`, source: 'event' }
  return { key: `sha256:${sha256Hex(compactBody)}`, source: 'body_sha256' }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
