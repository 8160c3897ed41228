// `npm run send`: posts a webhook signed exactly as Voucherify signs it, to the local stack by
// default or to a deployed URL, and prints each answer.
import { readFileSync } from 'node:fs'
import { SIGNATURE_HEADER, signPayload } from '../lib/receive/signature'
import {
  type GiftTransactionType,
  GiftTransactionTypeSchema,
} from '../lib/schemas/gift-event-parts'
import { isSupportedEventType, supportedEventTypes } from '../lib/schemas/registry'
import { type CommandLine, defineCommand, EXIT, flag, text, UsageError } from './cli/command'
import { localWebhookUrl } from './local/ports'
import { envelopeFor, giftEventData, LOCAL_WEBHOOK_SECRET } from './sample-events'

const USAGE = `<event-type | file.json> [options]

  <event-type>              one of: ${supportedEventTypes.join(', ')}
  <file.json>               a body to send as it is, to --url (for a raw payload: <url>/<type>)
  --url URL                 default http://127.0.0.1:\${HTTP_PORT:-3000}/webhooks/voucherify
  --secret S                default $VOUCHERIFY_WEBHOOK_SECRET, else the local default
  --raw                     generate the bare data object and send it to <url>/<event-type>
  --transaction-type TYPE   ${GiftTransactionTypeSchema.options.join(', ')} (default CREDITS_ADDITION)
  --repeat N                send N deliveries (new ids each time; a file is sent as it is)`

interface SendOptions {
  target: string
  url: string
  secret: string
  raw: boolean
  transactionType: GiftTransactionType
  repeat: number
}

function readOptions({ values, positionals, env }: CommandLine): SendOptions {
  const [target, ...others] = positionals
  if (target === undefined || others.length > 0) {
    throw new UsageError('Name one event type or one file.json')
  }
  const transactionType = text(values, 'transaction-type') ?? 'CREDITS_ADDITION'
  if (!GiftTransactionTypeSchema.options.includes(transactionType as GiftTransactionType)) {
    throw new UsageError(`Unknown --transaction-type ${transactionType}`)
  }
  if (!target.endsWith('.json') && !isSupportedEventType(target)) {
    throw new UsageError(`Unknown event type ${target}`)
  }
  const repeatText = text(values, 'repeat') ?? '1'
  const repeat = Number(repeatText)
  if (!/^\d+$/.test(repeatText) || repeat < 1) {
    throw new UsageError('--repeat must be a whole number ≥ 1')
  }
  return {
    target,
    url: text(values, 'url') ?? localWebhookUrl(env),
    secret: text(values, 'secret') ?? env.VOUCHERIFY_WEBHOOK_SECRET ?? LOCAL_WEBHOOK_SECRET,
    raw: flag(values, 'raw'),
    transactionType: transactionType as GiftTransactionType,
    repeat,
  }
}

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

/** The body and URL of one delivery: a file as it is, or a freshly generated event. */
function delivery(options: SendOptions): { url: string; body: string } {
  const { target, raw, url } = options
  if (target.endsWith('.json')) return { url, body: readFileSync(target, 'utf8') }
  if (!isSupportedEventType(target)) throw new UsageError(`Unknown event type ${target}`)
  const data = giftEventData(target, { transactionType: options.transactionType })
  return raw
    ? { url: `${url}/${target}`, body: JSON.stringify(data) }
    : { url, body: JSON.stringify(envelopeFor(target, data)) }
}

/** `npm run send`: posts webhooks signed as Voucherify signs them and prints each answer. */
export const sendCommand = defineCommand({
  name: 'send',
  summary: 'post signed webhooks to the local stack or a deployed URL',
  usage: USAGE,
  options: {
    url: { type: 'string' },
    secret: { type: 'string' },
    raw: { type: 'boolean', default: false },
    'transaction-type': { type: 'string' },
    repeat: { type: 'string' },
  },
  positionals: true,
  usesStage: false,
  read: readOptions,
  async run(options: SendOptions, context) {
    let allOk = true
    for (let index = 1; index <= options.repeat && !context.signal.aborted; index++) {
      const { url, body } = delivery(options)
      const answer = await postWebhook(url, body, options.secret)
      const counter = options.repeat > 1 ? `[${index}/${options.repeat}] ` : ''
      context.io.stdout(`${counter}${answer.status} ${answer.text}`)
      // A quarantined event is answered 2xx (so Voucherify keeps the webhook on) but was not taken in.
      allOk &&= answer.ok && !answer.text.includes('"status":"quarantined"')
    }
    return allOk ? EXIT.done : EXIT.failed
  },
})
