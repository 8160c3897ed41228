import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SIGNATURE_HEADER, signPayload } from '../../lib/receive/signature'

export interface SampleWebhook {
  /** The file the sample comes from, relative to the project root. */
  source: string
  /** The envelope as compact JSON, the exact bytes to post. */
  body: string
}

const SAMPLE_FILE = join('events', 'voucher.gift.transaction.created.json')

/** The envelope inside the committed API Gateway sample event (`npm run events` writes it). */
export function loadSampleWebhook(projectRoot: string): SampleWebhook {
  const event = JSON.parse(readFileSync(join(projectRoot, SAMPLE_FILE), 'utf8')) as { body: string }
  return { source: SAMPLE_FILE, body: event.body }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/** A copy-and-paste `curl` that posts `body` with a valid Voucherify signature. */
export function signedCurl(url: string, body: string, secret: string): string {
  return [
    'curl -sS -i -X POST',
    shellQuote(url),
    `-H ${shellQuote('content-type: application/json')}`,
    `-H ${shellQuote(`${SIGNATURE_HEADER}: ${signPayload(secret, body)}`)}`,
    `--data-raw ${shellQuote(body)}`,
  ].join(' ')
}
