import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SIGNATURE_HEADER, signPayload } from '../../lib/signature'
import { envelopeFor, seedData } from '../sample-events'

export interface SampleWebhook {
  /** Where the sample came from: a file relative to the project root, or the seed. */
  source: string
  /** The envelope as compact JSON, the exact bytes to post. */
  body: string
}

const SAMPLE_EVENT_TYPE = 'voucher.gift.transaction.created' as const
const ENVELOPE_FOLDERS = ['events', join('test', 'fixtures')]

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

function isSampleEnvelope(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    value.type === SAMPLE_EVENT_TYPE &&
    isRecord(value.data) &&
    isRecord(value.data.transaction)
  )
}

/** The envelope itself, or the one inside an API Gateway event's `body` (as in events/). */
function envelopeIn(value: unknown): Record<string, unknown> | undefined {
  if (isSampleEnvelope(value)) return value
  if (!isRecord(value) || typeof value.body !== 'string' || value.isBase64Encoded === true) {
    return undefined
  }
  try {
    const body: unknown = JSON.parse(value.body)
    return isSampleEnvelope(body) ? body : undefined
  } catch {
    return undefined
  }
}

function findEnvelopeFile(projectRoot: string): SampleWebhook | undefined {
  for (const folder of ENVELOPE_FOLDERS) {
    const directory = join(projectRoot, folder)
    if (!existsSync(directory)) continue
    const files = readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .sort()
    for (const name of files) {
      const envelope = envelopeIn(readJson(join(directory, name)))
      if (envelope) {
        return { source: join(folder, name), body: JSON.stringify(envelope) }
      }
    }
  }
  return undefined
}

/** The seed payload in a fresh envelope, as `npm run events` would write it. */
function envelopeFromSeed(): SampleWebhook {
  const envelope = envelopeFor(SAMPLE_EVENT_TYPE, structuredClone(seedData[SAMPLE_EVENT_TYPE]))
  return { source: `the ${SAMPLE_EVENT_TYPE} seed`, body: JSON.stringify(envelope) }
}

/**
 * A small valid `voucher.gift.transaction.created` envelope: the first one found in events/ or
 * test/fixtures/ (as is, or as the body of an API Gateway event), else the seed in an envelope.
 */
export function loadSampleWebhook(projectRoot: string): SampleWebhook {
  return findEnvelopeFile(projectRoot) ?? envelopeFromSeed()
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
