import { createHash } from 'node:crypto'

/** SNS FIFO's MessageGroupId and MessageDeduplicationId: 1 to 128 alphanumerics and punctuation. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/

/**
 * `value` as a MessageGroupId or MessageDeduplicationId. Voucherify's ids fit as they are.
 * One that does not fit (longer than 128 characters, or with a space or non-ASCII character)
 * becomes `sha256:` + the hex SHA-256 of its UTF-8 bytes: 71 characters, the same for the same id.
 */
export function fifoMessageId(value: string): string {
  if (FIFO_ID.test(value)) return value
  return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`
}
