// A soak through the real handler: thousands of unique gift events with duplicates, delivered
// at bounded concurrency with faults injected in front of DynamoDB and SNS, retried the way
// Voucherify retries, then reconciled against the table and the topics.
import { SubscribeCommand } from '@aws-sdk/client-sns'
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { GiftTransactionTypeSchema } from '../../lib/schemas/gift-event-parts'
import { type SupportedEventType, supportedEventTypes } from '../../lib/schemas/registry'
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
} from '../../scripts/sample-events'
import {
  dynamoDbError,
  dynamoDbKind,
  dynamoDbTransactionId,
  type Fault,
  type FaultProxy,
  type ProxiedRequest,
  snsError,
  snsKind,
  snsMessageAttribute,
  startFaultProxy,
} from './emulators/fault-proxy'
import { localClients, type ReceivedMessage, subscribeQueue } from './emulators/local-aws'
import { type Handler, loadHandler } from './load-handler'

export interface SoakOptions {
  events: number
  /** The share of events delivered a second time, as Voucherify may. */
  duplicateRate: number
  concurrency: number
  /** The share of DynamoDB requests the proxy fails. */
  dynamoDbFaultRate: number
  /** The share of SNS Publish requests the proxy fails. */
  snsFaultRate: number
  /** Seeds the event mix, the order and the fault draws (timing still varies between runs). */
  seed: number
  leaseSeconds: number
  /** Answers a delivery may get before the sender gives up on it. */
  attemptsPerDelivery: number
}

export const defaultSoakOptions = (): SoakOptions => ({
  events: Number(process.env.SOAK_EVENTS ?? 2_000),
  duplicateRate: 0.3,
  concurrency: 16,
  dynamoDbFaultRate: 0.05,
  snsFaultRate: 0.05,
  seed: Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31),
  leaseSeconds: 3,
  attemptsPerDelivery: 12,
})

export interface SoakReport {
  options: SoakOptions
  elapsedMs: number
  /** Deliveries sent: one per event plus the duplicates, before any retry. */
  deliveries: number
  duplicates: number
  /** Handler calls, retries included. */
  calls: number
  answers: { accepted: number; duplicate: number; inFlight409: number; unavailable503: number }
  /** Deliveries that never got a 2xx within `attemptsPerDelivery`. */
  gaveUp: number
  /** Faults injected, by service and kind of fault. */
  faults: Record<string, number>
  faultedKeys: number
  messages: number
  keysPublished: number
  /** Messages beyond the first per key. */
  extraMessages: number
  items: number
  itemsPublished: number
  /** Keys whose item is missing or not published, or that no message carried. */
  lost: string[]
  /** Keys with more extra messages than faults that hit them. */
  unexplainedExtras: string[]
  /** Items whose message_id is not among the messages received for them. */
  danglingMessageIds: string[]
  /** Messages for keys this soak never sent. */
  strays: number
}

const TRANSACTION_TYPES = GiftTransactionTypeSchema.options

/** xorshift32: small, fast, and repeatable from a seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 2 ** 32
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface SoakEvent {
  key: string
  eventType: SupportedEventType
  body: string
  pathEventType: string | undefined
}

function makeEvents(count: number, runId: string, random: () => number): SoakEvent[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T
  return Array.from({ length: count }, (_, index) => {
    const eventType = pick(supportedEventTypes)
    const key = `vtx_soak${runId}_${index}`
    const data = giftEventData(eventType, {
      transactionId: key,
      transactionType: pick(TRANSACTION_TYPES),
    })
    // One in five as a distribution's raw payload on the typed route.
    const raw = random() < 0.2
    return {
      key,
      eventType,
      body: JSON.stringify(raw ? data : envelopeFor(eventType, data)),
      pathEventType: raw ? eventType : undefined,
    }
  })
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    ;[items[index], items[other]] = [items[other] as T, items[index] as T]
  }
  return items
}

/** Rules that fail `rate` of the requests `when` picks, spread over `faults` by weight. */
function injectShare(
  proxy: FaultProxy,
  rate: number,
  when: (request: ProxiedRequest) => boolean,
  faults: Array<[Fault, number]>,
) {
  // Rules are tried in order, so each one's probability is of what the earlier ones left.
  let left = 1
  for (const [fault, weight] of faults) {
    const share = rate * weight
    proxy.inject({ when, fault, probability: share / left })
    left -= share
  }
}

/** One queue subscribed to every event type's topic, seeing only this soak's transactions. */
async function subscribeToAllTopics(keyPrefix: string) {
  const { sns, sqs } = localClients()
  const topicArn = (eventType: string) =>
    `${process.env.TOPIC_ARN_PREFIX}${topicNameFor(eventType)}`
  const filterPolicy = { transaction_id: [{ prefix: keyPrefix }] }
  const [first, ...others] = supportedEventTypes
  const queue = await subscribeQueue(topicArn(first as string), filterPolicy)
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['QueueArn'] }),
  )
  for (const eventType of others) {
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn(eventType),
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'false', FilterPolicy: JSON.stringify(filterPolicy) },
      }),
    )
  }
  return queue
}

async function readItems(events: SoakEvent[]): Promise<Map<string, Record<string, unknown>>> {
  const documents = DynamoDBDocumentClient.from(localClients().dynamodb)
  const tableName = process.env.TABLE_NAME as string
  const items = new Map<string, Record<string, unknown>>()
  for (let start = 0; start < events.length; start += 100) {
    let keys: Array<Record<string, unknown>> | undefined = events
      .slice(start, start + 100)
      .map((event) => ({ transaction_id: event.key, event_type: event.eventType }))
    while (keys && keys.length > 0) {
      const answer: BatchGetCommandOutput = await documents.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }),
      )
      for (const item of answer.Responses?.[tableName] ?? []) {
        items.set(String(item.transaction_id), item)
      }
      keys = answer.UnprocessedKeys?.[tableName]?.Keys
    }
  }
  return items
}

/** Runs the soak against the emulators global setup started; assert on the report. */
export async function runSoak(options: SoakOptions = defaultSoakOptions()): Promise<SoakReport> {
  const random = seededRandom(options.seed)
  const runId = options.seed.toString(36)
  const keyPrefix = `vtx_soak${runId}_`
  const dynamodb = await startFaultProxy({
    target: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
    kindOf: dynamoDbKind,
    random,
  })
  const sns = await startFaultProxy({
    target: process.env.AWS_ENDPOINT_URL_SNS as string,
    kindOf: snsKind,
    random,
  })
  try {
    const handler = loadHandler({
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      AWS_ENDPOINT_URL_SNS: sns.url,
      CLAIM_LEASE_SECONDS: String(options.leaseSeconds),
    })
    const queue = await subscribeToAllTopics(keyPrefix)
    const events = makeEvents(options.events, runId, random)
    const deliveries = shuffle(
      [...events, ...events.filter(() => random() < options.duplicateRate)],
      random,
    )

    // Lost answers are the faults that can make a second copy: the target acted, the SDK
    // did not hear it, and retried.
    const soakRequest = (request: ProxiedRequest) =>
      (request.kind === 'Publish'
        ? snsMessageAttribute(request, 'transaction_id')
        : dynamoDbTransactionId(request)
      )?.startsWith(keyPrefix) === true
    injectShare(dynamodb, options.dynamoDbFaultRate, soakRequest, [
      [dynamoDbError('ThrottlingException'), 0.3],
      [dynamoDbError('ProvisionedThroughputExceededException'), 0.1],
      [dynamoDbError('InternalServerError'), 0.2],
      [{ type: 'lose-response' }, 0.4],
    ])
    injectShare(sns, options.snsFaultRate, soakRequest, [
      [snsError('Throttled'), 0.4],
      [snsError('InternalError'), 0.2],
      [{ type: 'lose-response' }, 0.4],
    ])

    const started = Date.now()
    const tally = await deliverAll(handler, deliveries, options)
    await Promise.all([dynamodb.settled(), sns.settled()])
    const elapsedMs = Date.now() - started
    const messages = await queue.receiveAll(2_000)
    const items = await readItems(events)

    return {
      options,
      elapsedMs,
      deliveries: deliveries.length,
      duplicates: deliveries.length - events.length,
      ...tally,
      ...reconcile(events, items, messages, [...dynamodb.applied, ...sns.applied]),
    }
  } finally {
    await Promise.all([dynamodb.close(), sns.close()])
  }
}

/** Sends every delivery, `concurrency` at a time, retrying 409 and 5xx with a short backoff. */
async function deliverAll(handler: Handler, deliveries: SoakEvent[], options: SoakOptions) {
  const answers = { accepted: 0, duplicate: 0, inFlight409: 0, unavailable503: 0 }
  let calls = 0
  let gaveUp = 0
  let next = 0

  const deliver = async (event: SoakEvent) => {
    for (let attempt = 0; attempt < options.attemptsPerDelivery; attempt++) {
      calls++
      const result = await handler(
        apiGatewayEventFor({
          body: event.body,
          secret: LOCAL_WEBHOOK_SECRET,
          pathEventType: event.pathEventType,
        }),
      )
      const status = result.statusCode ?? 0
      if (status === 200) {
        const { status: outcome } = JSON.parse(String(result.body)) as { status: string }
        if (outcome === 'accepted') answers.accepted++
        else answers.duplicate++
        return
      }
      if (status === 409) answers.inFlight409++
      else if (status === 503) answers.unavailable503++
      else throw new Error(`soak: delivery of ${event.key} answered ${status}: ${result.body}`)
      // Voucherify waits minutes; a few hundred milliseconds, doubling, keep the soak short.
      await sleep(Math.min(100 * 2 ** attempt, 1_000))
    }
    gaveUp++
  }

  const worker = async () => {
    while (next < deliveries.length) {
      const event = deliveries[next++] as SoakEvent
      await deliver(event)
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return { answers, calls, gaveUp }
}

function reconcile(
  events: SoakEvent[],
  items: Map<string, Record<string, unknown>>,
  messages: ReceivedMessage[],
  applied: FaultProxy['applied'],
) {
  const faults: Record<string, number> = {}
  const faultsByKey = new Map<string, number>()
  for (const { fault, request } of applied) {
    const publish = request.kind === 'Publish'
    const name = `${publish ? 'sns' : 'dynamodb'} ${fault === 'answer' ? 'error' : fault}`
    faults[name] = (faults[name] ?? 0) + 1
    const key = publish
      ? snsMessageAttribute(request, 'transaction_id')
      : dynamoDbTransactionId(request)
    if (key) faultsByKey.set(key, (faultsByKey.get(key) ?? 0) + 1)
  }

  const messagesByKey = new Map<string, ReceivedMessage[]>()
  for (const message of messages) {
    const key = message.attributes.idempotency_key ?? ''
    messagesByKey.set(key, [...(messagesByKey.get(key) ?? []), message])
  }
  const sent = new Set(events.map((event) => event.key))

  const lost: string[] = []
  const unexplainedExtras: string[] = []
  const danglingMessageIds: string[] = []
  let extraMessages = 0
  for (const { key } of events) {
    const item = items.get(key)
    const copies = messagesByKey.get(key) ?? []
    if (item?.status !== 'published' || copies.length === 0) {
      lost.push(key)
      continue
    }
    const extra = copies.length - 1
    extraMessages += extra
    if (extra > (faultsByKey.get(key) ?? 0)) unexplainedExtras.push(key)
    if (!copies.some((copy) => copy.envelope.MessageId === item.message_id)) {
      danglingMessageIds.push(key)
    }
  }

  return {
    faults,
    faultedKeys: faultsByKey.size,
    messages: messages.length,
    keysPublished: [...messagesByKey.keys()].filter((key) => sent.has(key)).length,
    extraMessages,
    items: items.size,
    itemsPublished: [...items.values()].filter((item) => item.status === 'published').length,
    lost,
    unexplainedExtras,
    danglingMessageIds,
    strays: [...messagesByKey.keys()].filter((key) => !sent.has(key)).length,
  }
}

/** The summary block docs/design.md quotes. */
export function formatSoakReport(report: SoakReport): string {
  const { options, answers } = report
  const faultTotal = Object.values(report.faults).reduce((total, count) => total + count, 0)
  const faultList = Object.entries(report.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(', ')
  return [
    `soak: ${options.events} events, seed ${options.seed}, concurrency ${options.concurrency}, ` +
      `faults ${options.dynamoDbFaultRate * 100}% of DynamoDB and ` +
      `${options.snsFaultRate * 100}% of SNS Publish requests, lease ${options.leaseSeconds} s`,
    `  deliveries  ${report.deliveries} (${report.duplicates} duplicates), ` +
      `${report.calls} handler calls with retries, ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `  answers     ${answers.accepted} accepted, ${answers.duplicate} duplicate, ` +
      `${answers.inFlight409} 409, ${answers.unavailable503} 503, ${report.gaveUp} gave up`,
    `  faults      ${faultTotal} injected on ${report.faultedKeys} keys: ${faultList}`,
    `  messages    ${report.messages} for ${report.keysPublished} keys ` +
      `(${report.extraMessages} extra copies, ${report.unexplainedExtras.length} without a fault), ` +
      `${report.strays} strays`,
    `  items       ${report.items} stored, ${report.itemsPublished} published, ` +
      `${report.lost.length} lost, ${report.danglingMessageIds.length} with an unseen message_id`,
  ].join('\n')
}
