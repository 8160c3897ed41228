import { createHmac, timingSafeEqual } from 'node:crypto'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import * as v from 'valibot'
import {
  eventSchemas,
  eventTypeOf,
  messageSize,
  receiveWebhook,
  SIGNATURE_HEADER,
  type SupportedEventType,
  type WebhookDelivery,
  WebhookEnvelopeSchema,
} from '../../lib'
import { LOCAL_WEBHOOK_SECRET } from '../sample-events'
import { noopDeps } from './noop-deps'
import type { BenchCase } from './payloads'
import { type Summary, summarise } from './stats'

/** The lift handlers/webhook.ts does before receiveWebhook (the handler module needs AWS env). */
export function deliveryOf(event: APIGatewayProxyEventV2): WebhookDelivery {
  return {
    body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
    signature: event.headers[SIGNATURE_HEADER],
    pathEventType: event.pathParameters?.eventType,
  }
}

/** Gets at the bytes the way the floors do: decodes base64 when API Gateway encoded them. */
function floorBytes(event: APIGatewayProxyEventV2): string | Buffer {
  const raw = event.body ?? ''
  return event.isBase64Encoded ? Buffer.from(raw, 'base64') : raw
}

function floorHmacAndParse(bytes: string | Buffer, expected: Buffer): Record<string, unknown> {
  const digest = createHmac('sha256', LOCAL_WEBHOOK_SECRET).update(bytes).digest()
  if (!timingSafeEqual(digest, expected)) throw new Error('floor: signature mismatch')
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8')
  const parsed: unknown = JSON.parse(text)
  if (typeof parsed !== 'object' || parsed === null) throw new Error('floor: not an object')
  return parsed as Record<string, unknown>
}

/**
 * The least work any receiver that validates with Valibot must do with the same input (the
 * floor of issue 12): get at the bytes, one HMAC-SHA256 over them, one JSON.parse, and
 * `safeParse` of the envelope schema and of the event's schema.
 */
function floorOnce(event: APIGatewayProxyEventV2, expected: Buffer): void {
  const parsed = floorHmacAndParse(floorBytes(event), expected)
  const envelope = v.safeParse(WebhookEnvelopeSchema, parsed)
  if (!envelope.success) throw new Error('floor: not an envelope')
  const schema = eventSchemas[eventTypeOf(envelope.output) as SupportedEventType]
  if (!v.safeParse(schema, parsed.data).success) throw new Error('floor: invalid event')
}

/** The floor before issue 12, kept for comparison: the bytes, one HMAC, one JSON.parse. */
function hmacJsonFloorOnce(event: APIGatewayProxyEventV2, expected: Buffer): void {
  floorHmacAndParse(floorBytes(event), expected)
}

export interface PipelineResult {
  name: string
  bodyBytes: number
  messageBytes: number
  iterations: number
  service: Summary
  /** Bytes, HMAC, JSON.parse and both Valibot schemas: the floor the target is set against. */
  floor: Summary
  /** Median service time over median floor time. */
  ratio: number
  /** Bytes, HMAC and JSON.parse only: the floor before issue 12, for comparison. */
  hmacJsonFloor: Summary
  /** Median service time over the median of `hmacJsonFloor`. */
  hmacJsonRatio: number
}

const nowUs = () => Number(process.hrtime.bigint()) / 1_000

export interface PipelineOptions {
  /** Time spent measuring each case, service and floors together. */
  budgetMs: number
  warmupMs: number
}

/** Calls `fn` `count` times, pushing each call's µs onto `times`. */
async function timeBatch(fn: () => unknown, count: number, times: number[]): Promise<void> {
  for (let index = 0; index < count; index++) {
    const start = process.hrtime.bigint()
    const result = fn()
    // The floors are synchronous: an await would add a tick the floor does not need.
    if (result instanceof Promise) await result
    times.push(Number(process.hrtime.bigint() - start) / 1_000)
  }
}

/**
 * Times each of `runs` for about `budgetMs` in all, in rotating batches of about 2 ms, so that
 * drift (frequency scaling, a neighbour's load) hits them alike; one summary per run, in order.
 */
export async function timeInterleaved(
  runs: ReadonlyArray<() => unknown>,
  options: PipelineOptions,
): Promise<Summary[]> {
  const contenders = runs.map((run) => ({ run, times: [] as number[] }))
  // Warm-up doubles as calibration: how long is one call of each?
  const warmupEnd = nowUs() + options.warmupMs * 1_000
  const warmup = contenders.map(() => ({ calls: 0, us: 0 }))
  while (nowUs() < warmupEnd) {
    for (const [index, contender] of contenders.entries()) {
      const start = nowUs()
      const result = contender.run()
      if (result instanceof Promise) await result
      const spent = warmup[index] as { calls: number; us: number }
      spent.us += nowUs() - start
      spent.calls++
    }
  }
  const perRoundUs = warmup.reduce((sum, spent) => sum + spent.us / spent.calls, 0)
  // Batches of about 2 ms keep the alternation fine-grained without timing the loop itself.
  const batch = Math.max(5, Math.round(2_000 / perRoundUs))
  const rounds = Math.max(10, Math.round((options.budgetMs * 1_000) / (batch * perRoundUs)))
  for (let round = 0; round < rounds; round++) {
    // Rotate which goes first, so none always runs right after another's garbage.
    for (let offset = 0; offset < contenders.length; offset++) {
      const contender = contenders[(round + offset) % contenders.length] as (typeof contenders)[0]
      await timeBatch(contender.run, batch, contender.times)
    }
  }
  return contenders.map((contender) => summarise(contender.times))
}

/** Times receiveWebhook (with no-op I/O) and both floors on one case, interleaved. */
export async function measurePipeline(
  benchCase: BenchCase,
  options: PipelineOptions,
): Promise<PipelineResult> {
  const { deps, published } = noopDeps()
  const { event } = benchCase
  const expected = Buffer.from(event.headers[SIGNATURE_HEADER] ?? '', 'hex')
  const [service, floor, hmacJsonFloor] = (await timeInterleaved(
    [
      async () => {
        const outcome = await receiveWebhook(deps, deliveryOf(event))
        if (outcome.status !== 'accepted') throw new Error(`pipeline answered ${outcome.status}`)
      },
      () => floorOnce(event, expected),
      () => hmacJsonFloorOnce(event, expected),
    ],
    options,
  )) as [Summary, Summary, Summary]
  return {
    name: benchCase.name,
    bodyBytes: benchCase.bodyBytes,
    messageBytes: published.last ? messageSize(published.last) : 0,
    iterations: service.n,
    service,
    floor,
    ratio: service.median / floor.median,
    hmacJsonFloor,
    hmacJsonRatio: service.median / hmacJsonFloor.median,
  }
}
