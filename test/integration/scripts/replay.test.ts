// `npm run replay` against DynamoDB Local and fauxqs with the real SDK clients: events go in
// through the webhook handler, come out again through the replay functions and the CLI. Each
// test has a table and topics of its own, so a scan sees only what that test stored.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { realTransactionStore } from '../../../lib/aws/dynamodb-transaction-store'
import { decodePayload } from '../../../lib/aws/payload-encoding'
import { itemKeys } from '../../../lib/aws/transactions-table'
import { readPayload } from '../../../lib/receive/read-payload'
import { quarantineKeyFor } from '../../../lib/receive/receive-webhook'
import { toTransactionRecord } from '../../../lib/receive/transaction-store'
import type { SupportedEventType } from '../../../lib/schemas/registry'
import { requestPacer } from '../../../lib/voucherify/request-pacer'
import { runOperatorCli } from '../../../scripts/cli/main'
import type { Progress } from '../../../scripts/cli/progress'
import { receiverDeps } from '../../../scripts/cli/receiver-deps'
import { realTargetLookups, resolveStageTarget } from '../../../scripts/cli/stage-target'
import { type ReingestMode, reingestStored } from '../../../scripts/replay/reingest'
import { replayStoredEvents } from '../../../scripts/replay/replay-events'
import { realReplayTable } from '../../../scripts/replay/replay-table'
import {
  type CheckpointStore,
  fileCheckpoint,
  type RunDeps,
  type RunRequest,
} from '../../../scripts/replay/run-pages'
import { envelopeFor, giftEventData, randomId } from '../../../scripts/sample-events'
import {
  dynamoDbKind,
  type FaultProxy,
  snsError,
  snsKind,
  startFaultProxy,
} from '../../support/emulators/fault-proxy'
import { subscribeFifoQueue } from '../../support/emulators/fifo-queue'
import { type IsolatedStage, isolatedStage } from '../../support/emulators/isolated-stage'
import { localClients, type ReceivedMessage } from '../../support/emulators/local-aws'

const clients = localClients()
const TRANSACTION_CREATED: SupportedEventType = 'voucher.gift.transaction.created'
const BALANCE_ADDED: SupportedEventType = 'voucher.gift.balance_added'

const silentProgress: Progress = { update() {}, note() {}, finish() {} }

const proxies: FaultProxy[] = []
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
})

/** A realistic event of `voucherId`'s gift card, its transaction created at `createdAt`. */
function giftEvent(
  eventType: SupportedEventType,
  options: { voucherId?: string; createdAt?: string } = {},
) {
  const data = giftEventData(eventType)
  const balance = data.balance as { related_object: { id: string } }
  const voucher = data.voucher as { id?: string } | undefined
  const transaction = data.transaction as { id: string; created_at: string }
  if (options.voucherId !== undefined) {
    balance.related_object.id = options.voucherId
    if (voucher) voucher.id = options.voucherId
  }
  if (options.createdAt !== undefined) transaction.created_at = options.createdAt
  return { body: JSON.stringify(envelopeFor(eventType, data)), transactionId: transaction.id }
}

/** Delivers events through the handler; each must be accepted. Returns their transaction ids. */
async function deliverAll(stage: IsolatedStage, events: Array<ReturnType<typeof giftEvent>>) {
  for (const event of events) {
    const answer = await stage.deliver(event.body)
    if (answer.body.status !== 'accepted') {
      throw new Error(`Delivery not accepted: ${JSON.stringify(answer.body)}`)
    }
  }
  return events.map((event) => event.transactionId)
}

/** A run's dependencies on `stage`'s table and topics, its receiver built as replay builds it. */
function runDepsFor(stage: IsolatedStage, overrides: Partial<RunDeps> = {}) {
  const listed: string[] = []
  const deps: RunDeps = {
    table: realReplayTable(clients.dynamodb, { tableName: stage.tableName }),
    receiver: receiverDeps(clients, stage),
    pacer: requestPacer(60_000),
    checkpoint: undefined,
    progress: silentProgress,
    list: (line) => listed.push(line),
    ...overrides,
  }
  return { deps, listed }
}

const replayRequest = (fields: Partial<RunRequest> = {}): RunRequest => ({
  mode: 'replay',
  dryRun: false,
  resume: false,
  pageSize: 100,
  ...fields,
})

const reingestRequest = (mode: ReingestMode, fields: Partial<Omit<RunRequest, 'mode'>> = {}) => ({
  ...replayRequest(fields),
  mode,
})

const keysOf = (messages: ReceivedMessage[]) =>
  messages.map((message) => message.attributes.idempotency_key).sort()

const checkpointDirectories: string[] = []
afterAll(() => {
  for (const directory of checkpointDirectories) rmSync(directory, { recursive: true, force: true })
})
const tmpCheckpoint = () => {
  const directory = mkdtempSync(join(tmpdir(), 'replay-'))
  checkpointDirectories.push(directory)
  return join(directory, 'checkpoint.json')
}

/** A transaction's payload item, as the receiver wrote it. */
const payloadItem = (stage: IsolatedStage, transactionId: string, eventType: string) => {
  const key = itemKeys.payload({ transaction_id: transactionId, event_type: eventType })
  return stage.item(key.transaction_id, key.event_type)
}

/** A transaction's payload as received; undefined when its payload item is gone. */
async function storedPayload(stage: IsolatedStage, transactionId: string, eventType: string) {
  const item = await payloadItem(stage, transactionId, eventType)
  return item === undefined ? undefined : decodePayload(item.payload_gzip as Uint8Array)
}

/** Sets a payload item's TTL in the past, as DynamoDB leaves it until it deletes it. */
async function expirePayload(stage: IsolatedStage, transactionId: string, eventType: string) {
  const item = await payloadItem(stage, transactionId, eventType)
  if (item === undefined) throw new Error(`No payload item for ${transactionId}`)
  await stage.put({ ...item, expires_at: Math.floor(Date.now() / 1000) - 60 })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** A stage whose handler publishes through a fault proxy in front of fauxqs, with a 1 s lease. */
async function stageWithSnsProxy() {
  const sns = await startFaultProxy({
    target: process.env.AWS_ENDPOINT_URL_SNS as string,
    kindOf: snsKind,
  })
  proxies.push(sns)
  const stage = await isolatedStage({
    handlerEnv: { AWS_ENDPOINT_URL_SNS: sns.url, CLAIM_LEASE_SECONDS: '1' },
  })
  return { stage, sns }
}

const failEveryPublish = (sns: FaultProxy) =>
  sns.inject({ when: (request) => request.kind === 'Publish', fault: snsError('InternalError') })

/**
 * Delivers an event through the handler while SNS fails every publish: answered 503, stored
 * `claimed`, published nowhere. Returns once its lease has run out.
 */
async function deliverWhileSnsFails(
  stage: IsolatedStage,
  sns: FaultProxy,
  event: ReturnType<typeof giftEvent>,
) {
  failEveryPublish(sns)
  const answer = await stage.deliver(event.body)
  sns.clearRules()
  const stuck = await stage.item(event.transactionId, TRANSACTION_CREATED)
  if (answer.status !== 503 || stuck?.status !== 'claimed') {
    throw new Error(`Expected 503 and a claimed item, got ${answer.status} and ${stuck?.status}`)
  }
  // The failed delivery ends its claim at once; were that to fail too, the 1 s lease runs out.
  await sleep(Number(stuck.lease_expires_at) + 50 - Date.now())
  return stuck
}

/** Stores an event as a delivery that has claimed it and is publishing it right now would. */
async function claimUnderWay(stage: IsolatedStage, event: ReturnType<typeof giftEvent>) {
  const now = new Date()
  const read = readPayload(
    { body: Buffer.from(event.body), pathEventType: undefined },
    now.toISOString(),
  )
  if (!read.ok) throw new Error(`Unreadable event: ${read.outcome.status}`)
  const leaseEnds = now.getTime() + 60_000
  await realTransactionStore(clients.dynamodb, { tableName: stage.tableName }).recordDelivery(
    toTransactionRecord(read.event),
    { token: 'under-way', expiresAt: leaseEnds },
    now.toISOString(),
  )
  return new Date(leaseEnds).toISOString()
}

describe('replaying stored events', () => {
  it('publishes each event again with the message first published, plus replay=true', async () => {
    const stage = await isolatedStage()
    const queue = await stage.subscribeAll()
    await deliverAll(stage, [giftEvent(TRANSACTION_CREATED)])
    const [original] = await queue.receiveAll(1_000)
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(deps, replayRequest({ eventType: TRANSACTION_CREATED }))
    const replayed = await queue.receiveAll(1_000)

    expect(replayed).toHaveLength(1)
    expect(replayed[0]?.envelope.Message).toBe(original?.envelope.Message)
    expect(replayed[0]?.attributes).toEqual({ ...original?.attributes, replay: 'true' })
  })

  it('replays to a FIFO topic under a deduplication id of its own, so the copy is not dropped', async () => {
    const stage = await isolatedStage({ fifo: true })
    const queue = await subscribeFifoQueue(stage.topicArnFor(TRANSACTION_CREATED))
    const [id] = await deliverAll(stage, [giftEvent(TRANSACTION_CREATED)])
    const [original] = await queue.receiveAll(1_000)
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(deps, replayRequest({ eventType: TRANSACTION_CREATED }))
    const replayed = await queue.receiveAll(1_000)

    expect(original?.messageDeduplicationId).toBe(id)
    expect(replayed).toHaveLength(1)
    expect(replayed[0]).toMatchObject({
      messageDeduplicationId: expect.stringMatching(new RegExp(`^replay:[0-9a-z]+:${id}$`)),
      attributes: { replay: 'true' },
    })
  })

  it('replays one voucher’s events and no other voucher’s', async () => {
    const stage = await isolatedStage()
    const voucherId = randomId('v')
    const mine = await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED, { voucherId }),
      giftEvent(BALANCE_ADDED, { voucherId }),
    ])
    await deliverAll(stage, [giftEvent(TRANSACTION_CREATED, { voucherId: randomId('v') })])
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    const result = await replayStoredEvents(deps, replayRequest({ voucherId }))
    const replayed = await queue.receiveAll(1_000)

    expect(keysOf(replayed)).toEqual([...mine].sort())
    expect(replayed.every((message) => message.attributes.replay === 'true')).toBe(true)
    expect(result).toMatchObject({ status: 'complete', counts: { published: 2 } })
  })

  it('replays only the events of the given type', async () => {
    const stage = await isolatedStage()
    const [created] = await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED),
      giftEvent(BALANCE_ADDED),
    ])
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(deps, replayRequest({ eventType: TRANSACTION_CREATED }))
    const replayed = await queue.receiveAll(1_000)

    expect(keysOf(replayed)).toEqual([created])
    expect(replayed[0]?.attributes).toMatchObject({
      event_type: TRANSACTION_CREATED,
      replay: 'true',
    })
  })

  it('replays only the events created from --since up to, not including, --until', async () => {
    const stage = await isolatedStage()
    const [, inside] = await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED, { createdAt: '2025-03-01T23:59:59.999Z' }),
      giftEvent(TRANSACTION_CREATED, { createdAt: '2025-03-02T00:00:00.000Z' }),
      giftEvent(TRANSACTION_CREATED, { createdAt: '2025-03-03T00:00:00.000Z' }),
    ])
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(
      deps,
      replayRequest({ since: '2025-03-02T00:00:00.000Z', until: '2025-03-03T00:00:00.000Z' }),
    )

    expect(keysOf(await queue.receiveAll(1_000))).toEqual([inside])
  })

  it('compares a timestamp written with an offset as the instant it names', async () => {
    const stage = await isolatedStage()
    // 01:00 at +02:00 is 23:00 UTC the day before: outside, though its text sorts inside.
    await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED, { createdAt: '2025-03-02T01:00:00+02:00' }),
    ])
    // Inside, though their text sorts before --since and after --until.
    const inside = await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED, { createdAt: '2025-03-01T23:30:00-01:00' }),
      giftEvent(TRANSACTION_CREATED, { createdAt: '2025-03-03T01:00:00+02:00' }),
    ])
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(
      deps,
      replayRequest({ since: '2025-03-02T00:00:00.000Z', until: '2025-03-03T00:00:00.000Z' }),
    )

    expect(keysOf(await queue.receiveAll(1_000))).toEqual([...inside].sort())
  })

  it('replays one voucher’s events within a time range through the index', async () => {
    const stage = await isolatedStage()
    const voucherId = randomId('v')
    const [, inside] = await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED, { voucherId, createdAt: '2025-03-01T12:00:00.000Z' }),
      giftEvent(TRANSACTION_CREATED, { voucherId, createdAt: '2025-03-02T12:00:00.000Z' }),
      giftEvent(TRANSACTION_CREATED, { voucherId, createdAt: '2025-03-03T12:00:00.000Z' }),
      giftEvent(TRANSACTION_CREATED, {
        voucherId: randomId('v'),
        createdAt: '2025-03-02T12:00:00.000Z',
      }),
    ])
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(
      deps,
      replayRequest({
        voucherId,
        since: '2025-03-02T00:00:00.000Z',
        until: '2025-03-03T00:00:00.000Z',
      }),
    )

    expect(keysOf(await queue.receiveAll(1_000))).toEqual([inside])
  })

  it('leaves out an event whose delivery has claimed it but not yet published it', async () => {
    const stage = await isolatedStage()
    const voucherId = randomId('v')
    const [published] = await deliverAll(stage, [giftEvent(TRANSACTION_CREATED, { voucherId })])
    await stage.put({
      transaction_id: randomId('vtx'),
      event_type: TRANSACTION_CREATED,
      voucher_id: voucherId,
      created_at: new Date().toISOString(),
      status: 'claimed',
    })
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    const result = await replayStoredEvents(deps, replayRequest({ voucherId }))

    expect(keysOf(await queue.receiveAll(1_000))).toEqual([published])
    expect(result.counts).toMatchObject({ matched: 2, published: 1, not_published: 1 })
  })

  it('leaves out quarantined payloads', async () => {
    const stage = await isolatedStage()
    const invalid = giftEventData(TRANSACTION_CREATED)
    ;(invalid.balance as Record<string, unknown>).balance = '15900'
    const quarantined = await stage.deliver(
      JSON.stringify(envelopeFor(TRANSACTION_CREATED, invalid)),
    )
    const [published] = await deliverAll(stage, [giftEvent(TRANSACTION_CREATED)])
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(deps, replayRequest({ eventType: TRANSACTION_CREATED }))

    expect(quarantined.body.status).toBe('quarantined')
    expect(keysOf(await queue.receiveAll(1_000))).toEqual([published])
  })

  it('reads the items whose keys BatchGetItem left unprocessed', async () => {
    const stage = await isolatedStage()
    const voucherId = randomId('v')
    const ids = await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED, { voucherId }),
      giftEvent(BALANCE_ADDED, { voucherId }),
    ])
    const proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
      kindOf: dynamoDbKind,
    })
    proxies.push(proxy)
    const unprocessed = [
      { transaction_id: { S: ids[0] }, event_type: { S: TRANSACTION_CREATED } },
      { transaction_id: { S: ids[1] }, event_type: { S: BALANCE_ADDED } },
    ]
    proxy.inject({
      when: (request) => request.kind === 'BatchGetItem',
      times: 1,
      fault: {
        type: 'answer',
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify({
          Responses: { [stage.tableName]: [] },
          UnprocessedKeys: { [stage.tableName]: { Keys: unprocessed } },
        }),
      },
    })
    const viaProxy = new DynamoDBClient({
      region: process.env.AWS_REGION,
      endpoint: proxy.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage, {
      table: realReplayTable(viaProxy, { tableName: stage.tableName }),
    })

    await replayStoredEvents(deps, replayRequest({ voucherId }))
    viaProxy.destroy()

    // The index's items twice (the first answer left them unprocessed), then their payloads.
    expect(proxy.received('BatchGetItem')).toBe(3)
    expect(keysOf(await queue.receiveAll(1_000))).toEqual([...ids].sort())
  })

  it('publishes no personal field: the holder’s name is not in the message', async () => {
    const stage = await isolatedStage()
    const event = giftEvent(TRANSACTION_CREATED)
    await deliverAll(stage, [event])
    const holder = JSON.parse(event.body).data.holder as { id: string; name: string }
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    await replayStoredEvents(deps, replayRequest({ eventType: TRANSACTION_CREATED }))
    const [replayed] = await queue.receiveAll(1_000)

    expect(replayed?.body).toMatchObject({
      data: { holder: { id: holder.id, object: 'customer' } },
    })
    expect(replayed?.envelope.Message).not.toContain(holder.name)
  })

  it('says a transaction’s payload has expired and publishes nothing for it', async () => {
    const stage = await isolatedStage()
    const [expired, kept] = await deliverAll(stage, [
      giftEvent(TRANSACTION_CREATED),
      giftEvent(TRANSACTION_CREATED),
    ])
    await expirePayload(stage, String(expired), TRANSACTION_CREATED)
    const queue = await stage.subscribeAll()
    const notes: string[] = []
    const { deps } = runDepsFor(stage, {
      progress: { ...silentProgress, note: (line) => notes.push(line) },
    })

    const result = await replayStoredEvents(deps, replayRequest({ eventType: TRANSACTION_CREATED }))

    expect(keysOf(await queue.receiveAll(1_000))).toEqual([kept])
    expect(result.counts).toMatchObject({ published: 1, payload_expired_or_erased: 1 })
    expect(notes).toEqual([`payload expired or erased: ${TRANSACTION_CREATED} ${expired}`])
  })

  it('with --from-ledger publishes an erased transaction from its ledger record, marked so', async () => {
    const stage = await isolatedStage()
    const event = giftEvent(TRANSACTION_CREATED)
    const [id] = await deliverAll(stage, [event])
    const payload = itemKeys.payload({
      transaction_id: String(id),
      event_type: TRANSACTION_CREATED,
    })
    await clients.dynamodb.send(
      new DeleteItemCommand({
        TableName: stage.tableName,
        Key: {
          transaction_id: { S: payload.transaction_id },
          event_type: { S: payload.event_type },
        },
      }),
    )
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    const result = await replayStoredEvents(
      deps,
      replayRequest({ eventType: TRANSACTION_CREATED, fromLedger: true }),
    )
    const [message] = await queue.receiveAll(1_000)
    const ledger = (await stage.item(String(id), TRANSACTION_CREATED))?.ledger_status

    expect(result.counts).toMatchObject({ published: 0, published_from_ledger: 1 })
    expect(message?.attributes).toMatchObject({
      idempotency_key: id,
      transaction_id: id,
      replay: 'true',
      data_source: 'ledger',
      ledger,
    })
    expect(message?.body).toMatchObject({
      data_source: 'ledger',
      idempotency_key: id,
      data: { transaction_id: id, amount: expect.any(Number), ledger },
    })
    expect(JSON.stringify(message?.body)).not.toContain(JSON.parse(event.body).data.holder.id)
  })

  it('publishes nothing in a dry run and lists the events it would publish', async () => {
    const stage = await isolatedStage()
    const ids = await deliverAll(stage, [giftEvent(TRANSACTION_CREATED), giftEvent(BALANCE_ADDED)])
    const queue = await stage.subscribeAll()
    const { deps, listed } = runDepsFor(stage)

    const result = await replayStoredEvents(deps, replayRequest({ dryRun: true }))

    expect(await queue.receiveAll(500)).toHaveLength(0)
    expect(result.counts).toMatchObject({ would_publish: 2 })
    for (const id of ids) expect(listed.some((line) => line.includes(id))).toBe(true)
  })

  it('resumes a run interrupted after a page without publishing that page again', async () => {
    const stage = await isolatedStage()
    const ids = await deliverAll(
      stage,
      Array.from({ length: 5 }, () => giftEvent(TRANSACTION_CREATED)),
    )
    const queue = await stage.subscribeAll()
    const file = fileCheckpoint(tmpCheckpoint())
    const interrupt = new AbortController()
    // The table holds other items too (the ledger's), so a page may publish nothing: stop after
    // the first page that published something.
    const interruptingCheckpoint: CheckpointStore = {
      load: () => file.load(),
      save: async (state) => {
        await file.save(state)
        if ((state.counts.published ?? 0) > 0) interrupt.abort()
      },
    }
    const request = replayRequest({ eventType: TRANSACTION_CREATED, pageSize: 2 })

    const first = await replayStoredEvents(
      runDepsFor(stage, { checkpoint: interruptingCheckpoint, signal: interrupt.signal }).deps,
      request,
    )
    const firstMessages = await queue.receiveAll(1_000)
    const resumed = await replayStoredEvents(runDepsFor(stage, { checkpoint: file }).deps, {
      ...request,
      resume: true,
    })
    const resumedMessages = await queue.receiveAll(1_000)

    expect(first.status).toBe('interrupted')
    expect(firstMessages.length).toBeGreaterThan(0)
    expect(firstMessages.length).toBeLessThan(ids.length)
    expect(resumed).toMatchObject({ status: 'complete', counts: { published: ids.length } })
    expect(keysOf([...firstMessages, ...resumedMessages])).toEqual([...ids].sort())
  })

  it('resumes a run stopped by a failing publish after the last event it published', async () => {
    const stage = await isolatedStage()
    const ids = await deliverAll(
      stage,
      Array.from({ length: 4 }, () => giftEvent(TRANSACTION_CREATED)),
    )
    const queue = await stage.subscribeAll()
    const proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL_SNS as string,
      kindOf: snsKind,
    })
    proxies.push(proxy)
    let publishes = 0
    proxy.inject({
      when: (request) => request.kind === 'Publish' && ++publishes > 2,
      fault: snsError('InternalError'),
    })
    const sns = new SNSClient({
      region: process.env.AWS_REGION,
      endpoint: proxy.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    const checkpoint = fileCheckpoint(tmpCheckpoint())
    const { deps } = runDepsFor(stage, {
      checkpoint,
      receiver: receiverDeps({ dynamodb: clients.dynamodb, sns }, stage),
    })
    const request = replayRequest({ eventType: TRANSACTION_CREATED })

    const failed = replayStoredEvents(deps, request)
    await expect(failed).rejects.toThrow()
    const beforeFailure = await queue.receiveAll(1_000)
    proxy.clearRules()
    await replayStoredEvents(deps, { ...request, resume: true })
    const afterResume = await queue.receiveAll(1_000)
    sns.destroy()

    expect(beforeFailure).toHaveLength(2)
    expect(keysOf([...beforeFailure, ...afterResume])).toEqual([...ids].sort())
  })
})

describe('re-processing quarantined payloads', () => {
  /** A quarantine item as an earlier, stricter schema would have written it. */
  async function quarantineAsEarlierVersion(
    stage: IsolatedStage,
    body: string,
    eventType: SupportedEventType,
    delivery: 'envelope' | 'raw' = 'envelope',
  ) {
    const key = quarantineKeyFor(Buffer.from(body))
    const receivedAt = new Date().toISOString()
    await stage.put({
      transaction_id: key,
      event_type: eventType,
      delivery,
      payload: body,
      issues: [{ path: 'data.transaction.source_id', message: 'expected string' }],
      status: 'quarantined',
      received_at: receivedAt,
      last_received_at: receivedAt,
      received_count: 1,
    })
    return key
  }

  async function stillInvalidPayload(stage: IsolatedStage) {
    const data = giftEventData(BALANCE_ADDED)
    ;(data.balance as Record<string, unknown>).balance = '15900'
    const body = JSON.stringify(envelopeFor(BALANCE_ADDED, data))
    const answer = await stage.deliver(body)
    if (answer.body.status !== 'quarantined') {
      throw new Error(`Expected it quarantined, got ${answer.status} ${answer.body.status}`)
    }
    return {
      key: quarantineKeyFor(Buffer.from(body)),
      transactionId: (data.transaction as { id: string }).id,
    }
  }

  it('stores and publishes a payload that is valid now, as if it had just arrived', async () => {
    const stage = await isolatedStage()
    const event = giftEvent(TRANSACTION_CREATED)
    await quarantineAsEarlierVersion(stage, event.body, TRANSACTION_CREATED)
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    const result = await reingestStored(deps, reingestRequest('quarantined'))
    const messages = await queue.receiveAll(1_000)

    expect(result.counts).toMatchObject({ accepted: 1 })
    expect(keysOf(messages)).toEqual([event.transactionId])
    expect(messages[0]?.attributes.replay).toBeUndefined()
    expect(await stage.item(event.transactionId, TRANSACTION_CREATED)).toMatchObject({
      status: 'published',
    })
    expect(await storedPayload(stage, event.transactionId, TRANSACTION_CREATED)).toBe(event.body)
  })

  it('marks the quarantine item of a payload that is valid now resolved', async () => {
    const stage = await isolatedStage()
    const event = giftEvent(TRANSACTION_CREATED)
    const key = await quarantineAsEarlierVersion(stage, event.body, TRANSACTION_CREATED)
    const { deps } = runDepsFor(stage)

    await reingestStored(deps, reingestRequest('quarantined'))

    expect(await stage.item(key, TRANSACTION_CREATED)).toMatchObject({
      status: 'resolved',
      resolved_at: expect.any(String),
      resolved_idempotency_key: event.transactionId,
      resolved_outcome: 'accepted',
    })
  })

  it('takes a raw payload through the route of its event type', async () => {
    const stage = await isolatedStage()
    const data = giftEventData(BALANCE_ADDED)
    const body = JSON.stringify(data)
    await quarantineAsEarlierVersion(stage, body, BALANCE_ADDED, 'raw')
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    await reingestStored(deps, reingestRequest('quarantined'))
    const messages = await queue.receiveAll(1_000)

    expect(messages).toHaveLength(1)
    expect(messages[0]?.body).toMatchObject({ delivery: 'raw', event_type: BALANCE_ADDED })
  })

  it('leaves a payload that still fails its schema quarantined, stored and published nowhere', async () => {
    const stage = await isolatedStage()
    const invalid = await stillInvalidPayload(stage)
    const queue = await stage.subscribeAll()
    const { deps } = runDepsFor(stage)

    const result = await reingestStored(deps, reingestRequest('quarantined'))

    expect(result.counts).toMatchObject({ still_invalid: 1, accepted: 0 })
    expect(await stage.item(invalid.key, BALANCE_ADDED)).toMatchObject({
      status: 'quarantined',
      received_count: 2,
    })
    expect(await stage.item(invalid.transactionId, BALANCE_ADDED)).toBeUndefined()
    expect(await queue.receiveAll(500)).toHaveLength(0)
  })

  it('in a dry run lists which payloads are valid now and writes and publishes nothing', async () => {
    const stage = await isolatedStage()
    const event = giftEvent(TRANSACTION_CREATED)
    const valid = await quarantineAsEarlierVersion(stage, event.body, TRANSACTION_CREATED)
    const invalid = await stillInvalidPayload(stage)
    const queue = await stage.subscribeAll()
    const { deps, listed } = runDepsFor(stage)

    const result = await reingestStored(deps, reingestRequest('quarantined', { dryRun: true }))

    expect(result.counts).toMatchObject({ valid_now: 1, still_invalid: 1 })
    expect(listed.sort()).toEqual([
      `still invalid ${BALANCE_ADDED} ${invalid.key}: data.balance.balance`,
      `would store and publish ${TRANSACTION_CREATED} ${valid} as ${event.transactionId}`,
    ])
    expect(await stage.item(valid, TRANSACTION_CREATED)).toMatchObject({ status: 'quarantined' })
    expect(await stage.item(event.transactionId, TRANSACTION_CREATED)).toBeUndefined()
    expect(await queue.receiveAll(500)).toHaveLength(0)
  })
})

describe('publishing events stored but never published', () => {
  it('publishes an event whose publish failed on every retry exactly once, as a first publication', async () => {
    const { stage, sns } = await stageWithSnsProxy()
    const queue = await stage.subscribeAll()
    const event = giftEvent(TRANSACTION_CREATED)
    await deliverWhileSnsFails(stage, sns, event)
    const { deps } = runDepsFor(stage)

    const result = await reingestStored(deps, reingestRequest('unpublished'))
    const messages = await queue.receiveAll(1_000)

    expect(result.counts).toMatchObject({ matched: 1, accepted: 1 })
    expect(keysOf(messages)).toEqual([event.transactionId])
    expect(messages[0]?.attributes.replay).toBeUndefined()
  })

  it('marks the event it publishes published, with the message id', async () => {
    const { stage, sns } = await stageWithSnsProxy()
    const queue = await stage.subscribeAll()
    const event = giftEvent(TRANSACTION_CREATED)
    await deliverWhileSnsFails(stage, sns, event)
    const { deps } = runDepsFor(stage)

    await reingestStored(deps, reingestRequest('unpublished'))
    const [message] = await queue.receiveAll(1_000)

    expect(await stage.item(event.transactionId, TRANSACTION_CREATED)).toMatchObject({
      status: 'published',
      message_id: message?.envelope.MessageId,
    })
  })

  it('publishes nothing on a second run once the event is published', async () => {
    const { stage, sns } = await stageWithSnsProxy()
    const event = giftEvent(TRANSACTION_CREATED)
    await deliverWhileSnsFails(stage, sns, event)
    const { deps } = runDepsFor(stage)
    await reingestStored(deps, reingestRequest('unpublished'))
    const queue = await stage.subscribeAll()

    const second = await reingestStored(deps, reingestRequest('unpublished'))

    expect(second.counts).toMatchObject({ matched: 0, accepted: 0 })
    expect(await queue.receiveAll(500)).toHaveLength(0)
  })

  it('leaves an event whose delivery holds a live lease alone and reports it in flight', async () => {
    const stage = await isolatedStage()
    const queue = await stage.subscribeAll()
    const event = giftEvent(TRANSACTION_CREATED)
    await claimUnderWay(stage, event)
    const { deps } = runDepsFor(stage)

    const result = await reingestStored(deps, reingestRequest('unpublished'))

    expect(result.counts).toMatchObject({ in_flight: 1, accepted: 0 })
    expect(await queue.receiveAll(500)).toHaveLength(0)
    expect(await stage.item(event.transactionId, TRANSACTION_CREATED)).toMatchObject({
      status: 'claimed',
      claim_token: 'under-way',
    })
  })

  it('in a dry run lists each event with its lease, and writes and publishes nothing', async () => {
    const { stage, sns } = await stageWithSnsProxy()
    const queue = await stage.subscribeAll()
    const stuck = giftEvent(TRANSACTION_CREATED)
    const before = await deliverWhileSnsFails(stage, sns, stuck)
    const underWay = giftEvent(TRANSACTION_CREATED)
    const leaseEnds = await claimUnderWay(stage, underWay)
    const { deps, listed } = runDepsFor(stage)

    const result = await reingestStored(deps, reingestRequest('unpublished', { dryRun: true }))

    expect(result.counts).toMatchObject({ would_publish: 1, in_flight: 1 })
    expect(listed.sort()).toEqual([
      `in flight ${TRANSACTION_CREATED} ${underWay.transactionId} (lease live until ${leaseEnds})`,
      `would publish ${TRANSACTION_CREATED} ${stuck.transactionId} (lease expired)`,
    ])
    expect(await queue.receiveAll(500)).toHaveLength(0)
    expect(await stage.item(stuck.transactionId, TRANSACTION_CREATED)).toEqual(before)
  })
})

describe('npm run replay', () => {
  /** What the CLI needs to reach the emulators: their ports, as for `npm start`. */
  const emulatorPorts = () => ({
    ...process.env,
    DYNAMODB_PORT: new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB as string).port,
    FAUXQS_PORT: new URL(process.env.AWS_ENDPOINT_URL_SNS as string).port,
  })

  async function runCli(args: string[], env = emulatorPorts()) {
    const stdout: string[] = []
    const stderr: string[] = []
    const code = await runOperatorCli(['replay', ...args], {
      env,
      stdout: (line) => stdout.push(line),
      stderr: { write: (text: string) => stderr.push(text), isTTY: false },
    })
    return { code, stdout, stderr: stderr.join('').split('\n').filter(Boolean) }
  }

  const stageArgs = (stage: IsolatedStage) => [
    '--table',
    stage.tableName,
    '--topic-arn-prefix',
    stage.topicArnPrefix,
  ]

  it('replays against the local stage and ends with one summary line', async () => {
    const stage = await isolatedStage()
    const [id] = await deliverAll(stage, [giftEvent(TRANSACTION_CREATED)])
    const queue = await stage.subscribeAll()

    const run = await runCli(['--event-type', TRANSACTION_CREATED, ...stageArgs(stage)])
    const messages = await queue.receiveAll(1_000)

    expect(run.code).toBe(0)
    expect(keysOf(messages)).toEqual([id])
    expect(messages[0]?.attributes.replay).toBe('true')
    expect(run.stderr).toEqual([expect.stringMatching(/^replay complete .* published=1 /)])
  })

  it('says in its summary how many it skipped whose payload expired', async () => {
    const stage = await isolatedStage()
    const [id] = await deliverAll(stage, [giftEvent(TRANSACTION_CREATED)])
    await expirePayload(stage, String(id), TRANSACTION_CREATED)

    const run = await runCli(['--all', ...stageArgs(stage)])

    expect(run.code).toBe(0)
    expect(run.stderr).toEqual([
      `payload expired or erased: ${TRANSACTION_CREATED} ${id}`,
      expect.stringMatching(
        /^replay complete .* payload_expired_or_erased=1 .*; skipped 1 whose payload expired or was erased \(--from-ledger/,
      ),
    ])
  })

  it('lists the ids a dry run would publish on stdout and publishes nothing', async () => {
    const stage = await isolatedStage()
    const [id] = await deliverAll(stage, [giftEvent(TRANSACTION_CREATED)])
    const queue = await stage.subscribeAll()

    const run = await runCli(['--all', '--dry-run', ...stageArgs(stage)])

    expect(run.code).toBe(0)
    expect(run.stdout).toEqual([expect.stringContaining(`${TRANSACTION_CREATED} ${id} `)])
    expect(await queue.receiveAll(500)).toHaveLength(0)
  })

  it('publishes an unpublished event against the local stage and ends with one summary line', async () => {
    const { stage, sns } = await stageWithSnsProxy()
    const queue = await stage.subscribeAll()
    const event = giftEvent(TRANSACTION_CREATED)
    await deliverWhileSnsFails(stage, sns, event)

    const run = await runCli(['--unpublished', ...stageArgs(stage)])

    expect(run.code).toBe(0)
    expect(keysOf(await queue.receiveAll(1_000))).toEqual([event.transactionId])
    expect(run.stderr).toEqual([
      expect.stringMatching(/^publish unpublished complete .* accepted=1 /),
    ])
  })

  it('exits 1 while SNS still fails, and --resume then publishes the event', async () => {
    const { stage, sns } = await stageWithSnsProxy()
    const queue = await stage.subscribeAll()
    const event = giftEvent(TRANSACTION_CREATED)
    await deliverWhileSnsFails(stage, sns, event)
    const args = ['--unpublished', '--checkpoint', tmpCheckpoint(), ...stageArgs(stage)]
    const throughProxy = { ...emulatorPorts(), AWS_ENDPOINT_URL_SNS: sns.url }

    failEveryPublish(sns)
    const failed = await runCli(args, throughProxy)
    sns.clearRules()
    const resumed = await runCli([...args, '--resume'], throughProxy)

    expect(failed.code).toBe(1)
    expect(failed.stderr).toEqual([
      expect.stringMatching(
        /^publish unpublished failed .*: publish failed .*carry on with --resume/,
      ),
    ])
    expect(resumed.code).toBe(0)
    expect(keysOf(await queue.receiveAll(1_000))).toEqual([event.transactionId])
  })

  it('resolves the local stage’s table and topics from serverless.yml as npm start does', async () => {
    const target = await resolveStageTarget({ stage: 'local' }, emulatorPorts(), realTargetLookups)

    expect(target).toEqual({
      stage: 'local',
      region: process.env.AWS_REGION,
      tableName: process.env.TABLE_NAME,
      topicArnPrefix: process.env.TOPIC_ARN_PREFIX,
      topicNameSuffix: '',
      endpoints: {
        dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB,
        sns: process.env.AWS_ENDPOINT_URL_SNS,
        sqs: process.env.AWS_ENDPOINT_URL_SQS,
      },
    })
  })
})
