import { createHmac, timingSafeEqual } from 'node:crypto'

/** Name of the header that carries Voucherify's signature (API Gateway v2 lower-cases header names). */
export const SIGNATURE_HEADER = 'x-voucherify-signature'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/i

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/**
 * Removes every whitespace byte outside JSON strings, the form Voucherify signs.
 * Works on bytes: UTF-8 never puts `"` or `\` inside a multi-byte character.
 * Returns the input itself when it is already compact.
 */
export function compactJson(bytes: Uint8Array): Uint8Array {
  let output: Uint8Array | undefined
  let written = 0
  let inString = false
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] as number
    if (inString) {
      if (byte === BACKSLASH && index + 1 < bytes.length) {
        if (output) output[written++] = byte
        index++
        if (output) output[written++] = bytes[index] as number
        continue
      }
      if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) {
      inString = true
    } else if (isJsonWhitespace(byte)) {
      if (!output) {
        output = new Uint8Array(bytes.length)
        output.set(bytes.subarray(0, index))
        written = index
      }
      continue
    }
    if (output) output[written++] = byte
  }
  return output ? output.subarray(0, written) : bytes
}

function hmac(secret: string, bytes: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(bytes).digest()
}

/** Signs a body exactly as Voucherify does: lowercase hex HMAC-SHA256 of the compact JSON. */
export function signPayload(secret: string, body: string | Uint8Array): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  return hmac(secret, compactJson(bytes)).toString('hex')
}

/** True when `signature` is the HMAC of `bytes` under any of `secrets`. */
function signedByAny(bytes: Uint8Array, expected: Buffer, secrets: readonly string[]): boolean {
  let matched = false
  // Every secret is tried, so timing does not tell which one matched.
  for (const secret of secrets) {
    if (timingSafeEqual(hmac(secret, bytes), expected)) matched = true
  }
  return matched
}

/**
 * True when `signature` is the HMAC of `body` under any of `secrets` (two during a rotation).
 * Runs on the raw bytes, before any JSON parsing. Voucherify signs the compact form, which is
 * what it sends, so the body as received is tried first; a pretty-printed copy is compacted
 * and tried again.
 */
export function verifySignature(
  body: Uint8Array,
  signature: string | undefined,
  secrets: readonly string[],
): boolean {
  if (signature === undefined || !SIGNATURE_PATTERN.test(signature)) return false
  const expected = Buffer.from(signature, 'hex')
  if (signedByAny(body, expected, secrets)) return true
  const compact = compactJson(body)
  return compact !== body && signedByAny(compact, expected, secrets)
}
