import { createHash } from 'node:crypto'
import { compactJson } from './signature'

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
  body: Uint8Array,
): IdempotencyKey {
  if (transactionId !== null) return { key: transactionId, source: 'transaction' }
  if (eventId !== null) return { key: `event:${eventId}`, source: 'event' }
  return { key: `sha256:${bodyDigest(body)}`, source: 'body_sha256' }
}

/** SHA-256 of the body's compact form, so that a pretty-printed copy has the same digest. */
export function bodyDigest(body: Uint8Array): string {
  return createHash('sha256').update(compactJson(body)).digest('hex')
}
