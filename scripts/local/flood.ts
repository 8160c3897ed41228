// A flood of forged webhooks with genuine, signed ones among them, sent by parallel senders as a
// public URL would receive it; every signed delivery retried the way Voucherify retries.
import { setTimeout as sleep } from 'node:timers/promises'
import { SIGNATURE_HEADER, signPayload } from '../../lib/receive/signature'
import type { SupportedEventType } from '../../lib/schemas/registry'
import { percentile } from '../bench/stats'
import { envelopeFor, giftEventData } from '../sample-events'

/** Voucherify gives up waiting for an answer after 10 s. */
export const VOUCHERIFY_TIMEOUT_MS = 10_000
/** Voucherify tries a delivery once and retries it up to 12 times while it is not answered 2xx. */
export const VOUCHERIFY_RETRIES = 12
const EVENT_TYPES: readonly SupportedEventType[] = [
  'voucher.gift.transaction.created',
  'customer.voucher.gift.balance_added',
  'voucher.gift.balance_added',
]

export interface FloodPlan {
  /** The webhook URL, e.g. `http://127.0.0.1:3000/webhooks/voucherify`. */
  url: string
  secret: string
  forged: number
  /** Genuine deliveries, spread evenly among the forged ones. */
  signed: number
  /** Requests in flight at once. */
  senders: number
  /** Wait before each retry of a signed delivery (Voucherify's hours, scaled down to ms). */
  retryDelayMs: number
}

export interface Answer {
  kind: 'forged' | 'signed'
  /** The HTTP status, or 0 when no answer came within Voucherify's 10 s. */
  status: number
  ms: number
  /** 1 for the first try of a delivery. */
  attempt: number
}

export interface SignedDelivery {
  transactionId: string
  eventType: SupportedEventType
  /** Every answer this delivery got, in order; the last is 2xx unless it ran out of retries. */
  answers: Answer[]
}

export interface FloodResult {
  answers: Answer[]
  signed: SignedDelivery[]
  seconds: number
}

interface Delivery {
  kind: 'forged' | 'signed'
  body: string
  signature: string
  signed?: SignedDelivery
}

/** A forged delivery: a real-looking body under a well-formed signature made with another key. */
function forgedDelivery(index: number): Delivery {
  const eventType = EVENT_TYPES[index % EVENT_TYPES.length] as SupportedEventType
  const body = JSON.stringify(envelopeFor(eventType, giftEventData(eventType)))
  return { kind: 'forged', body, signature: signPayload('not-the-webhook-secret', body) }
}

function signedDelivery(index: number, secret: string): Delivery {
  const eventType = EVENT_TYPES[index % EVENT_TYPES.length] as SupportedEventType
  const data = giftEventData(eventType)
  const body = JSON.stringify(envelopeFor(eventType, data))
  const transactionId = String((data.transaction as { id: string }).id)
  return {
    kind: 'signed',
    body,
    signature: signPayload(secret, body),
    signed: { transactionId, eventType, answers: [] },
  }
}

/** The deliveries in sending order: the signed ones at even intervals among the forged. */
export function floodDeliveries(plan: Pick<FloodPlan, 'forged' | 'signed' | 'secret'>) {
  const total = plan.forged + plan.signed
  const every = plan.signed > 0 ? total / plan.signed : Number.POSITIVE_INFINITY
  const deliveries: Delivery[] = []
  let signed = 0
  for (let index = 0; index < total; index++) {
    const signedTurn = signed < plan.signed && index >= Math.floor(signed * every + every / 2)
    deliveries.push(
      signedTurn ? signedDelivery(signed++, plan.secret) : forgedDelivery(index - signed),
    )
  }
  return deliveries
}

async function post(url: string, delivery: Delivery, attempt: number): Promise<Answer> {
  const started = performance.now()
  let status = 0
  try {
    const response = await fetch(url, {
      method: 'POST',
      signal: AbortSignal.timeout(VOUCHERIFY_TIMEOUT_MS),
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: delivery.signature },
      body: delivery.body,
    })
    await response.arrayBuffer()
    status = response.status
  } catch {
    // No answer within Voucherify's 10 s (or none at all): Voucherify counts it as failed.
  }
  return { kind: delivery.kind, status, ms: performance.now() - started, attempt }
}

const isSuccess = (status: number) => status >= 200 && status < 300

/** Sends every delivery with `senders` in flight; signed ones are retried while not 2xx. */
export async function flood(plan: FloodPlan): Promise<FloodResult> {
  const queue = floodDeliveries(plan)
  const answers: Answer[] = []
  const retries: Promise<void>[] = []
  const started = performance.now()
  const retryUntilTaken = async (delivery: Delivery, signed: SignedDelivery) => {
    for (let attempt = 2; attempt <= VOUCHERIFY_RETRIES + 1; attempt++) {
      await sleep(plan.retryDelayMs)
      const answer = await post(plan.url, delivery, attempt)
      answers.push(answer)
      signed.answers.push(answer)
      if (isSuccess(answer.status)) return
    }
  }
  const sender = async () => {
    for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
      const answer = await post(plan.url, delivery, 1)
      answers.push(answer)
      const { signed } = delivery
      if (!signed) continue
      signed.answers.push(answer)
      if (!isSuccess(answer.status)) retries.push(retryUntilTaken(delivery, signed))
    }
  }
  const signed = queue.flatMap((delivery) => (delivery.signed ? [delivery.signed] : []))
  await Promise.all(Array.from({ length: plan.senders }, sender))
  const seconds = (performance.now() - started) / 1_000
  await Promise.all(retries)
  return { answers, signed, seconds }
}

export interface FloodSummary {
  answersPerSecond: number
  /** Latency of the forged requests' answers, ms. */
  forgedP50Ms: number
  forgedP99Ms: number
  /** Answers by status, all tries of every delivery. */
  statuses: Record<string, number>
  signedTakenFirstTry: number
  signedTakenLater: number
  signedNeverTaken: number
  /** The most tries any signed delivery needed. */
  mostTries: number
}

/** The figures BENCHMARKS.md and the flood test read: rate, latency, statuses, retries. */
export function summariseFlood(result: FloodResult): FloodSummary {
  const firstTries = result.answers.filter((answer) => answer.attempt === 1)
  const forgedMs = firstTries.filter((answer) => answer.kind === 'forged').map(({ ms }) => ms)
  const statuses: Record<string, number> = {}
  for (const { kind, status } of result.answers) {
    const key = `${kind} ${status === 0 ? 'no answer' : status}`
    statuses[key] = (statuses[key] ?? 0) + 1
  }
  const taken = (delivery: SignedDelivery) => isSuccess(delivery.answers.at(-1)?.status ?? 0)
  return {
    answersPerSecond: firstTries.length / result.seconds,
    forgedP50Ms: percentile(forgedMs, 50),
    forgedP99Ms: percentile(forgedMs, 99),
    statuses,
    signedTakenFirstTry: result.signed.filter((d) => taken(d) && d.answers.length === 1).length,
    signedTakenLater: result.signed.filter((d) => taken(d) && d.answers.length > 1).length,
    signedNeverTaken: result.signed.filter((d) => !taken(d)).length,
    mostTries: Math.max(0, ...result.signed.map((delivery) => delivery.answers.length)),
  }
}
