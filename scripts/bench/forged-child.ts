// The forged-request phase runs here, in a fresh `node` that loads the deployed handler bundle
// (with its logger and metrics; stdout and stderr go nowhere) and times it, interleaved with
// receiveWebhook alone and the HMAC floor, on forged deliveries; reports over IPC.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createRequire } from 'node:module'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import { receiveWebhook, SIGNATURE_HEADER, signPayload } from '../../lib'
import { LOCAL_WEBHOOK_SECRET } from '../sample-events'
import { noopDeps } from './noop-deps'
import { benchCases } from './payloads'
import { deliveryOf, timeInterleaved } from './pipeline'
import type { Summary } from './stats'

export interface ForgedResult {
  name: string
  bodyBytes: number
  /** The handler bundle, from API Gateway's event to its 401 answer, log line and metrics. */
  handler: Summary
  /** The domain alone: receiveWebhook from the lifted delivery to its `unauthorized` outcome. */
  receive: Summary
  /** The least work that refuses it: the bytes, one HMAC-SHA256, one timingSafeEqual. */
  floor: Summary
  /** Median handler time over median floor time. */
  ratio: number
  /** What the handler writes (CloudWatch Logs) per forged request: its log and EMF lines. */
  logBytes: number
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode?: number }>

/** The forged cases: the seed and the large payload, signed with a key that is not the secret. */
const FORGED_CASES = ['seed voucher.gift.transaction.created', 'large redemption (50 items)']
const LOG_SAMPLE = 100

function forged(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const signature = signPayload('not-the-webhook-secret', event.body ?? '')
  return { ...event, headers: { ...event.headers, [SIGNATURE_HEADER]: signature } }
}

/** What Lambda hands the handler; the logger adds its fields to every line. */
const context = {
  functionName: 'voucherify-gift-webhooks-bench-webhook',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:bench-webhook',
  memoryLimitInMB: '512',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  getRemainingTimeInMillis: () => 9_000,
} as unknown as Context

function floorOnce(event: APIGatewayProxyEventV2): boolean {
  const bytes = Buffer.from(event.body ?? '', 'utf8')
  const expected = Buffer.from(event.headers[SIGNATURE_HEADER] ?? '', 'hex')
  const digest = createHmac('sha256', LOCAL_WEBHOOK_SECRET).update(bytes).digest()
  return timingSafeEqual(digest, expected)
}

/** Bytes the handler writes to stdout and stderr per forged request, over a sample of them. */
async function logBytesPerRequest(handler: Handler, event: APIGatewayProxyEventV2) {
  let bytes = 0
  const streams = [process.stdout, process.stderr]
  const writes = streams.map((stream) => stream.write)
  for (const stream of streams) {
    const write = stream.write.bind(stream)
    stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      bytes += Buffer.byteLength(chunk)
      return write(chunk, ...rest)
    }) as typeof stream.write
  }
  for (let index = 0; index < LOG_SAMPLE; index++) await handler(event, context)
  streams.forEach((stream, index) => {
    stream.write = writes[index] as typeof stream.write
  })
  return bytes / LOG_SAMPLE
}

async function main() {
  process.once('disconnect', () => process.exit(1))
  const [bundlePath = '', budgetMs = '0', warmupMs = '0'] = process.argv.slice(2)
  const { handler } = createRequire(__filename)(bundlePath) as { handler: Handler }
  const { deps } = noopDeps()
  const results: ForgedResult[] = []
  for (const benchCase of benchCases().filter(({ name }) => FORGED_CASES.includes(name))) {
    const event = forged(benchCase.event)
    const [handlerTimes, receive, floor] = (await timeInterleaved(
      [
        async () => {
          const answer = await handler(event, context)
          if (answer.statusCode !== 401) throw new Error(`forged answered ${answer.statusCode}`)
        },
        async () => {
          const outcome = await receiveWebhook(deps, deliveryOf(event))
          if (outcome.status !== 'unauthorized') throw new Error(`forged: ${outcome.status}`)
        },
        () => {
          if (floorOnce(event)) throw new Error('floor: a forged signature matched')
        },
      ],
      { budgetMs: Number(budgetMs), warmupMs: Number(warmupMs) },
    )) as [Summary, Summary, Summary]
    results.push({
      name: `forged, ${benchCase.name.replace(/ voucher\.gift\.transaction\.created$/, '')}`,
      bodyBytes: benchCase.bodyBytes,
      handler: handlerTimes,
      receive,
      floor,
      ratio: handlerTimes.median / floor.median,
      logBytes: await logBytesPerRequest(handler, event),
    })
  }
  process.send?.(results, () => process.exit(0))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
