import { SIGNATURE_HEADER, signPayload } from '../lib/receive/signature'

/** Voucherify gives up on a delivery after 10 s. */
const DELIVERY_TIMEOUT_MS = 10_000

/** Posts `body` signed exactly as Voucherify signs it; resolves with the answer. */
export async function postWebhook(
  url: string,
  body: string,
  secret: string,
): Promise<{ status: number; ok: boolean; text: string }> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signPayload(secret, body) },
    body,
  })
  return { status: response.status, ok: response.ok, text: await response.text() }
}
