import { ingestPayload } from '../../../../lib/receive/receive-webhook'
import { requestPacer } from '../../../../lib/voucherify/request-pacer'
import type { Progress } from '../../../../scripts/cli/progress'
import { replayMessageFor, replayStoredEvents } from '../../../../scripts/replay/replay-events'
import type { StoredItem, StoredPayload } from '../../../../scripts/replay/replay-table'
import type { RunRequest } from '../../../../scripts/replay/run-pages'
import { envelopeFor, giftEventData } from '../../../../scripts/sample-events'
import { fakeDeps } from '../../../support/fakes/fake-deps'
import { fakeReplayTable } from '../../../support/fakes/fake-replay-table'

const EVENT_TYPE = 'voucher.gift.transaction.created'

const RUN = 'run1'

const OFF = { publishPersonalData: false }

/** A new gift event's envelope whose card holder has a name and an e-mail address. */
function giftEnvelope() {
  const data = giftEventData(EVENT_TYPE)
  data.holder = { id: 'cust_1', name: 'Jane Holder', email: 'jane@example.com', object: 'customer' }
  return JSON.stringify(envelopeFor(EVENT_TYPE, data))
}

/**
 * Ingests a body as the receiver would (`publishPersonalData` as given), and returns the
 * transaction item stored, its payload and the message published.
 */
async function stored(
  body: string,
  { pathEventType, origin, publishPersonalData = false } = {} as {
    pathEventType?: string
    origin?: 'reconcile'
    publishPersonalData?: boolean
  },
) {
  const fake = fakeDeps()
  fake.deps.settings.publishPersonalData = publishPersonalData
  const outcome = await ingestPayload(fake.deps, { body: Buffer.from(body), pathEventType, origin })
  if (outcome.status !== 'accepted') throw new Error(`Not accepted: ${outcome.status}`)
  const key = { transaction_id: outcome.idempotencyKey, event_type: EVENT_TYPE }
  const item = fake.store.get(key) as StoredItem
  const payload = String(fake.store.payloadOf(key)?.payload)
  return { fake, item, payload, published: fake.publisher.published[0] }
}

describe('replayMessageFor', () => {
  it('rebuilds the message first published, plus replay=true', async () => {
    const { item, payload, published } = await stored(giftEnvelope())

    const rebuilt = replayMessageFor(item, payload, RUN, OFF)

    expect(rebuilt).toEqual({
      ok: true,
      message: {
        ...published,
        attributes: { ...published?.attributes, replay: 'true' },
        deduplicationId: expect.any(String),
      },
    })
  })

  it('gives the message a FIFO deduplication id of its own, so SNS does not drop it as a copy', async () => {
    const { item, payload, published } = await stored(giftEnvelope())

    const rebuilt = replayMessageFor(item, payload, RUN, OFF)

    expect(rebuilt).toMatchObject({
      message: { deduplicationId: `replay:${RUN}:${published?.deduplicationId}` },
    })
  })

  it('rebuilds a raw payload’s message with the event type it was stored under', async () => {
    const { item, payload, published } = await stored(JSON.stringify(giftEventData(EVENT_TYPE)), {
      pathEventType: EVENT_TYPE,
    })

    const rebuilt = replayMessageFor(item, payload, RUN, OFF)

    expect(rebuilt).toMatchObject({ ok: true, message: { body: published?.body } })
  })

  it('keeps the origin of an event that did not come as a webhook', async () => {
    const { item, payload, published } = await stored(giftEnvelope(), { origin: 'reconcile' })

    const rebuilt = replayMessageFor(item, payload, RUN, OFF)

    expect(published?.attributes.origin).toBe('reconcile')
    expect(rebuilt).toMatchObject({ message: { attributes: { origin: 'reconcile' } } })
  })

  it('carries the ledger verdict its item recorded', async () => {
    const { item, payload } = await stored(giftEnvelope())

    const rebuilt = replayMessageFor({ ...item, ledger_status: 'gap' }, payload, RUN, OFF)

    expect(rebuilt).toMatchObject({ message: { attributes: { ledger: 'gap' } } })
  })

  it('reports a payload its schema refuses now, naming the outcome', async () => {
    const { item, payload } = await stored(giftEnvelope())
    const changed = JSON.parse(payload)
    changed.data.balance.amount = 'ten'

    const rebuilt = replayMessageFor(item, JSON.stringify(changed), RUN, OFF)

    expect(rebuilt).toEqual({ ok: false, reason: 'invalid' })
  })

  it('reports an item without its payload', () => {
    const item = { transaction_id: 'vtx_1', event_type: EVENT_TYPE }

    const rebuilt = replayMessageFor(item, undefined, RUN, OFF)

    expect(rebuilt).toEqual({ ok: false, reason: 'payload_expired_or_erased' })
  })

  it('reports a payload that is not the one its item is keyed by', async () => {
    const { item, payload } = await stored(giftEnvelope())

    const rebuilt = replayMessageFor({ ...item, transaction_id: 'vtx_another' }, payload, RUN, OFF)

    expect(rebuilt).toEqual({ ok: false, reason: 'key_mismatch' })
  })
})

describe('replayMessageFor, on personal data', () => {
  it('leaves the holder’s name and e-mail address out by default, keeping the ids', async () => {
    const { item, payload } = await stored(giftEnvelope())

    const rebuilt = replayMessageFor(item, payload, RUN, OFF)

    if (!rebuilt.ok) throw new Error(rebuilt.reason)
    const body = JSON.parse(rebuilt.message.body)
    expect(body.data.holder).toEqual({ id: 'cust_1', object: 'customer' })
    expect(rebuilt.message.body).not.toContain('Jane Holder')
    expect(rebuilt.message.body).not.toContain('jane@example.com')
  })

  it('carries the personal fields when publishPersonalData is on, as the first message did', async () => {
    const { item, payload, published } = await stored(giftEnvelope(), {
      publishPersonalData: true,
    })

    const rebuilt = replayMessageFor(item, payload, RUN, { publishPersonalData: true })

    expect(rebuilt).toMatchObject({ ok: true, message: { body: published?.body } })
    expect(published?.body).toContain('jane@example.com')
  })
})

/** A replay over `items` whose payload items `payloads` holds, by transaction id. */
async function replay(
  items: StoredItem[],
  payloads: Record<string, StoredPayload>,
  request: Partial<RunRequest> = {},
  fake = fakeDeps(),
) {
  const notes: string[] = []
  const listed: string[] = []
  const progress: Progress = { update() {}, note: (line) => notes.push(line), finish() {} }
  const { table, payloadReads } = fakeReplayTable(items, (key) => payloads[key.transaction_id])
  const result = await replayStoredEvents(
    {
      table,
      receiver: fake.deps,
      pacer: requestPacer(60_000),
      checkpoint: undefined,
      progress,
      list: (line) => listed.push(line),
    },
    { mode: 'replay', dryRun: false, resume: false, pageSize: 100, ...request },
  )
  return { result, notes, listed, payloadReads, published: fake.publisher.published }
}

/** One stored transaction as a replay reads it, and its payload item. */
async function storedTransaction() {
  const { item, payload, fake } = await stored(giftEnvelope())
  const payloadItem = fake.store.payloadOf(item) as unknown as StoredPayload
  return { item, payload, payloadItem }
}

describe('replayStoredEvents', () => {
  it('reads the payloads of a page in one batch and publishes each event', async () => {
    const first = await storedTransaction()
    const second = await storedTransaction()

    const run = await replay([first.item, second.item], {
      [first.item.transaction_id]: first.payloadItem,
      [second.item.transaction_id]: second.payloadItem,
    })

    expect(run.payloadReads).toEqual([[first.item, second.item]])
    expect(run.result.counts).toMatchObject({ published: 2 })
    expect(run.published.map((message) => message.attributes.idempotency_key)).toEqual([
      first.item.transaction_id,
      second.item.transaction_id,
    ])
  })

  it('publishes no personal field by default', async () => {
    const { item, payloadItem } = await storedTransaction()

    const run = await replay([item], { [item.transaction_id]: payloadItem })

    expect(run.published).toHaveLength(1)
    expect(run.published[0]?.body).not.toContain('Jane Holder')
    expect(run.published[0]?.body).not.toContain('jane@example.com')
  })

  it('says a transaction’s payload has expired and publishes nothing for it', async () => {
    const { item, payloadItem } = await storedTransaction()
    const fake = fakeDeps()
    // Past its TTL: DynamoDB has not deleted it yet.
    const expired = { ...payloadItem, expires_at: fake.deps.clock().getTime() / 1000 - 1 }

    const run = await replay([item], { [item.transaction_id]: expired }, {}, fake)

    expect(run.published).toEqual([])
    expect(run.result.counts).toMatchObject({ published: 0, payload_expired_or_erased: 1 })
    expect(run.notes).toEqual([`payload expired or erased: ${EVENT_TYPE} ${item.transaction_id}`])
  })

  it('says a transaction whose payload item is gone was skipped, publishing nothing', async () => {
    const { item } = await storedTransaction()

    const run = await replay([item], {})

    expect(run.published).toEqual([])
    expect(run.result.counts).toMatchObject({ payload_expired_or_erased: 1 })
    expect(run.notes).toEqual([`payload expired or erased: ${EVENT_TYPE} ${item.transaction_id}`])
  })

  it('with --from-ledger publishes a message built from the transaction item alone', async () => {
    const { item } = await storedTransaction()

    const run = await replay([{ ...item, ledger_status: 'ok' }], {}, { fromLedger: true })

    expect(run.result.counts).toMatchObject({ published_from_ledger: 1 })
    expect(run.notes).toEqual([])
    const [message] = run.published
    expect(JSON.parse(String(message?.body))).toEqual({
      event_type: EVENT_TYPE,
      data_source: 'ledger',
      webhook_id: item.webhook_id,
      event_id: item.event_id,
      project_id: item.project_id,
      idempotency_key: item.transaction_id,
      data: {
        transaction_id: item.transaction_id,
        transaction_type: item.transaction_type,
        amount: item.amount,
        balance_after: item.balance_after,
        total: item.total,
        voucher_id: item.voucher_id,
        campaign_id: item.campaign_id,
        campaign_name: item.campaign_name,
        source: item.source,
        created_at: item.created_at,
        ledger: 'ok',
      },
    })
    expect(message?.attributes).toEqual({
      event_type: EVENT_TYPE,
      transaction_type: item.transaction_type,
      transaction_id: item.transaction_id,
      voucher_id: item.voucher_id,
      campaign_id: item.campaign_id,
      idempotency_key: item.transaction_id,
      ledger: 'ok',
      replay: 'true',
      data_source: 'ledger',
    })
    expect(message?.deduplicationId).toMatch(
      new RegExp(`^replay:[0-9a-z]+:${item.transaction_id}$`),
    )
  })

  it('with --from-ledger publishes no personal data', async () => {
    const { item } = await storedTransaction()

    const run = await replay([item], {}, { fromLedger: true })

    const body = String(run.published[0]?.body)
    expect(body).not.toContain('cust_1')
    expect(body).not.toContain('Jane Holder')
    expect(body).not.toContain('jane@example.com')
  })

  it('with --from-ledger still rebuilds a transaction that has its payload from it', async () => {
    const { item, payloadItem } = await storedTransaction()

    const run = await replay([item], { [item.transaction_id]: payloadItem }, { fromLedger: true })

    expect(run.result.counts).toMatchObject({ published: 1, published_from_ledger: 0 })
    expect(run.published[0]?.attributes).not.toHaveProperty('data_source')
  })

  it('in a dry run with --from-ledger lists what it would publish from the ledger', async () => {
    const { item } = await storedTransaction()

    const run = await replay([item], {}, { fromLedger: true, dryRun: true })

    expect(run.published).toEqual([])
    expect(run.result.counts).toMatchObject({ would_publish_from_ledger: 1 })
    expect(run.listed).toEqual([
      expect.stringMatching(`^would publish from the ledger ${EVENT_TYPE} ${item.transaction_id} `),
    ])
  })

  it('counts an item it cannot read again as unreadable, naming its ids only', async () => {
    const item: StoredItem = {
      transaction_id: 'vtx_1',
      event_type: EVENT_TYPE,
      status: 'published',
      delivery: 'envelope',
      received_at: '2026-01-01T00:00:00.000Z',
      voucher_id: 'v_1',
      created_at: '2026-01-01T00:00:00.000Z',
    }
    const payload = '{"not":"an envelope","holder":{"email":"someone@example.com"}}'

    const run = await replay([item], { vtx_1: { payload } })

    expect(run.result.counts).toMatchObject({ unreadable: 1, published: 0 })
    expect(run.published).toEqual([])
    expect(run.notes).toEqual([
      `unreadable (bad_request): ${EVENT_TYPE} vtx_1 voucher=v_1 created_at=2026-01-01T00:00:00.000Z`,
    ])
  })
})
