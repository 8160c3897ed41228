// `npm run send -- <event-type | file.json> [--url URL] [--secret S] [--raw]
//   [--transaction-type TYPE] [--repeat N]`: posts a webhook signed exactly as Voucherify signs
// it, to the local stack by default or to a deployed URL, and prints each answer.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import {
  type GiftTransactionType,
  GiftTransactionTypeSchema,
} from '../lib/schemas/gift-event-parts'
import { isSupportedEventType, supportedEventTypes } from '../lib/schemas/registry'
import { localWebhookUrl } from './local/local-ports'
import { postWebhook } from './post-webhook'
import { envelopeFor, giftEventData, LOCAL_WEBHOOK_SECRET } from './sample-events'

const USAGE = `Usage: npm run send -- <event-type | file.json> [options]

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

function readOptions(argv: string[]): SendOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      secret: { type: 'string' },
      raw: { type: 'boolean', default: false },
      'transaction-type': { type: 'string', default: 'CREDITS_ADDITION' },
      repeat: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  })
  const [target] = positionals
  if (values.help || target === undefined || positionals.length > 1) throw new Error(USAGE)
  const transactionType = values['transaction-type']
  if (!GiftTransactionTypeSchema.options.includes(transactionType as GiftTransactionType)) {
    throw new Error(`Unknown --transaction-type ${transactionType}\n\n${USAGE}`)
  }
  const repeat = Number(values.repeat)
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`--repeat must be a whole number ≥ 1`)
  return {
    target,
    url: values.url ?? localWebhookUrl(process.env),
    secret: values.secret ?? process.env.VOUCHERIFY_WEBHOOK_SECRET ?? LOCAL_WEBHOOK_SECRET,
    raw: values.raw,
    transactionType: transactionType as GiftTransactionType,
    repeat,
  }
}

/** The body and URL of one delivery: a file as it is, or a freshly generated event. */
function delivery(options: SendOptions): { url: string; body: string } {
  const { target, raw, url } = options
  if (target.endsWith('.json')) return { url, body: readFileSync(target, 'utf8') }
  if (!isSupportedEventType(target)) {
    throw new Error(`Unknown event type ${target}\n\n${USAGE}`)
  }
  const data = giftEventData(target, { transactionType: options.transactionType })
  return raw
    ? { url: `${url}/${target}`, body: JSON.stringify(data) }
    : { url, body: JSON.stringify(envelopeFor(target, data)) }
}

async function send(options: SendOptions): Promise<boolean> {
  let allOk = true
  for (let index = 1; index <= options.repeat; index++) {
    const { url, body } = delivery(options)
    const answer = await postWebhook(url, body, options.secret)
    const counter = options.repeat > 1 ? `[${index}/${options.repeat}] ` : ''
    console.log(`${counter}${answer.status} ${answer.text}`)
    // A quarantined event is answered 2xx (so Voucherify keeps the webhook on) but was not taken in.
    allOk &&= answer.ok && !answer.text.includes('"status":"quarantined"')
  }
  return allOk
}

Promise.resolve()
  .then(() => send(readOptions(process.argv.slice(2))))
  .then(
    (allOk) => process.exit(allOk ? 0 : 1),
    (error: Error) => {
      const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
      console.error(`${error.message}${cause}`)
      process.exit(2)
    },
  )
