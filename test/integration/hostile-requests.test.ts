// Every request of the hostile corpus (test/fixtures/hostile-requests.ts) through the real
// handler against DynamoDB Local and fauxqs: each gets the answer the README documents, no
// answer is a 5xx or echoes the body or the secret, and only a quarantined request leaves a
// quarantine item and only an accepted one (an event Voucherify may send) a stored event.

import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { handler } from '../../handlers/webhook'
import { decodePayload } from '../../lib/aws/payload-encoding'
import {
  type ItemKey,
  isEventItem,
  keyOf,
  PAYLOAD_GZIP,
  transactionKeyOfPayload,
} from '../../lib/aws/transactions-table'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { supportedEventTypes } from '../../lib/schemas/registry'
import { LOCAL_WEBHOOK_SECRET } from '../../scripts/sample-events'
import {
  HOSTILE_RUN,
  type HostileRequest,
  hostileRequests,
  tagsIn,
} from '../fixtures/hostile-requests'
import { localClients, type ReceivedMessage, subscribeQueue } from '../support/emulators/local-aws'

type StoredItem = Record<string, unknown>

interface Answer {
  /** What the handler threw instead of answering: Lambda turns that into a 5xx. */
  thrown: string | null
  status: number | undefined
  text: string
  body: Record<string, unknown>
}

interface Observation {
  request: HostileRequest
  /** The body as the handler decodes it, and the tags of the corpus found in it. */
  bodyText: string
  tags: string[]
  answer: Answer
  stored: StoredItem[]
  published: ReceivedMessage[]
}

const documents = DynamoDBDocumentClient.from(localClients().dynamodb)
const tableName = process.env.TABLE_NAME as string
const secrets = [LOCAL_WEBHOOK_SECRET, process.env.VOUCHERIFY_WEBHOOK_SECRET as string]
const topicArnFor = (eventType: string) =>
  `${process.env.TOPIC_ARN_PREFIX}${topicNameFor(eventType)}`

async function call(event: APIGatewayProxyEventV2): Promise<Answer> {
  try {
    const result = await handler(event)
    const text = String(result.body ?? '')
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(text)
    } catch {
      // An answer that is not JSON is compared as text only.
    }
    return { thrown: null, status: result.statusCode, text, body }
  } catch (error) {
    const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return { thrown, status: undefined, text: '', body: {} }
  }
}

function decodedBody(event: APIGatewayProxyEventV2): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8')
}

/**
 * Items of the shared table that hold a body of this run (other test files write there too),
 * each with the body it holds as `body`: a quarantine item's own, a transaction's from its
 * payload item.
 */
async function storedByThisRun(): Promise<StoredItem[]> {
  const items: StoredItem[] = []
  const bodies = new Map<string, string>()
  for await (const page of paginateScan({ client: documents }, { TableName: tableName })) {
    for (const item of page.Items ?? []) {
      const key = keyOf(item as ItemKey)
      const transaction = transactionKeyOfPayload(key)
      if (transaction) {
        const body = decodePayload(item[PAYLOAD_GZIP] as Uint8Array)
        bodies.set(`${transaction.transaction_id} ${transaction.event_type}`, body)
      } else items.push({ ...item, body: item.payload })
    }
  }
  for (const item of items) {
    item.body ??= bodies.get(`${item.transaction_id} ${item.event_type}`)
  }
  const ofThisRun = (item: StoredItem) =>
    String(item.transaction_id).includes(HOSTILE_RUN) ||
    String(item.body ?? '').includes(HOSTILE_RUN)
  return items.filter(ofThisRun)
}

/** Ledger steps and payloads belong to an event's item, which the observation counts. */
const isOtherThanEventItem = (item: StoredItem) =>
  !isEventItem({ transaction_id: String(item.transaction_id), event_type: String(item.event_type) })

/** The answer's text, less the ids an accepted answer carries by design (tags are part of them). */
function answerText({ status, text, body }: Answer): string {
  if (status !== 200) return text
  const { transaction_id: _transaction, idempotency_key: _key, ...rest } = body
  return JSON.stringify(rest)
}

const itemTags = (item: StoredItem) => tagsIn(`${item.transaction_id} ${item.body ?? ''}`)
const messageTags = (message: ReceivedMessage) => tagsIn(JSON.stringify(message.envelope))

const QUARANTINED = 'schema_validation_failed'

/** What the README promises for a request; `observe` describes an answer the same way. */
function promised(request: HostileRequest) {
  const { status, code } = request.expect
  const accepted = status === 200
  return {
    thrown: null,
    status,
    code,
    ignored: status === 202 && code === undefined,
    serverError: false,
    echoesBody: false,
    echoesTag: false,
    echoesSecret: false,
    stored: accepted ? ['published'] : code === QUARANTINED ? ['quarantined'] : [],
    published: accepted ? 1 : 0,
  }
}

const outcomeName = ({ status, code }: HostileRequest['expect']) =>
  code ?? (status === 200 ? 'accepted' : 'ignored')

function observe({ answer, bodyText, tags, stored, published }: Observation) {
  return {
    thrown: answer.thrown,
    status: answer.status,
    code: answer.body.code,
    ignored: answer.body.status === 'ignored',
    serverError: answer.status === undefined || answer.status >= 500,
    // Bodies of a few bytes ("null", "{}") could appear in any answer by chance.
    echoesBody: bodyText.length >= 8 && answer.text.includes(bodyText),
    echoesTag: tags.some((tag) => answerText(answer).includes(tag)),
    echoesSecret: secrets.some((secret) => answer.text.includes(secret)),
    stored: stored.map((item) => item.status),
    published: published.length,
  }
}

const titled = hostileRequests.map((request): [string, HostileRequest] => [
  `${request.expect.status} ${outcomeName(request.expect)} to ${request.name}`,
  request,
])

describe('hostile requests against the webhook handler and the local emulators', () => {
  const observations = new Map<HostileRequest, Observation>()
  const unclaimedItems: StoredItem[] = []
  const unclaimedMessages: ReceivedMessage[] = []

  beforeAll(async () => {
    // Unfiltered queues subscribed first, so that any message the corpus causes lands in one.
    const queues = await Promise.all(
      supportedEventTypes.map((eventType) => subscribeQueue(topicArnFor(eventType))),
    )
    const byTag = new Map<string, Observation>()
    for (const request of hostileRequests) {
      const event = request.request()
      const bytes = decodedBody(event)
      const tags = tagsIn(bytes.toString('latin1'))
      const answer = await call(event)
      const observation = { request, bodyText: bytes.toString('utf8'), tags, answer }
      const full: Observation = { ...observation, stored: [], published: [] }
      observations.set(request, full)
      for (const tag of tags) byTag.set(tag, full)
    }

    const received = (await Promise.all(queues.map((queue) => queue.receiveAll(1_000)))).flat()
    const ours = received.filter((message) => messageTags(message).length > 0)
    const items = await storedByThisRun()
    const owner = (tags: string[]) =>
      tags.map((tag) => byTag.get(tag)).find((found) => found !== undefined)
    for (const item of items.filter((stored) => !isOtherThanEventItem(stored))) {
      const observation = owner(itemTags(item))
      if (observation) observation.stored.push(item)
      else unclaimedItems.push(item)
    }
    for (const message of ours) {
      const observation = owner(messageTags(message))
      if (observation) observation.published.push(message)
      else unclaimedMessages.push(message)
    }
  }, 180_000)

  it('holds at least 60 requests, each documented as accepted, ignored, quarantined or a client fault', () => {
    const statuses = hostileRequests.map((request) => request.expect.status)

    expect(statuses.length).toBeGreaterThanOrEqual(60)
    expect(statuses.filter((status) => status > 202 && (status < 400 || status > 499))).toEqual([])
  })

  it.each(titled)('answers %s', (_title, request) => {
    const observation = observations.get(request) as Observation

    const observed = observe(observation)

    expect(observed).toEqual(promised(request))
  })

  it('leaves nothing stored or published that no request of the corpus accounts for', () => {
    expect({ unclaimedItems, unclaimedMessages }).toEqual({
      unclaimedItems: [],
      unclaimedMessages: [],
    })
  })
})
