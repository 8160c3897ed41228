import { ingestPayload, quarantineKeyFor } from '../../../../lib/receive/receive-webhook'
import { requestPacer } from '../../../../lib/voucherify/request-pacer'
import type { Progress } from '../../../../scripts/cli/progress'
import { type ReingestMode, reingestStored } from '../../../../scripts/replay/reingest'
import type { StoredItem, StoredPayload } from '../../../../scripts/replay/replay-table'
import type { RunDeps, RunRequest } from '../../../../scripts/replay/run-pages'
import { envelopeFor, giftEventData } from '../../../../scripts/sample-events'
import { fakeDeps } from '../../../support/fakes/fake-deps'
import { fakeReplayTable } from '../../../support/fakes/fake-replay-table'
import { MemoryCheckpoint } from '../../../support/fakes/memory-checkpoint'

const EVENT_TYPE = 'voucher.gift.transaction.created'

type Fake = ReturnType<typeof fakeDeps>

/** A new gift event's envelope and the key the receiver stores it under. */
function giftEvent(data = giftEventData(EVENT_TYPE)) {
  const transactionId = (data.transaction as { id: string }).id
  return { body: JSON.stringify(envelopeFor(EVENT_TYPE, data)), transactionId }
}

/**
 * Delivers an event while SNS fails, so the receiver stores it `claimed` and publishes nothing.
 * The failed delivery ends its claim; with `leaseLive` ending it fails too, so the lease lasts.
 * Returns the item as a scan would read it.
 */
async function storeUnpublished(
  fake: Fake,
  { leaseLive = false, event = giftEvent() } = {},
): Promise<StoredItem> {
  fake.publisher.failing = true
  if (leaseLive) fake.store.failing.add('releaseClaim')
  const outcome = await ingestPayload(fake.deps, {
    body: Buffer.from(event.body),
    pathEventType: undefined,
  })
  fake.publisher.failing = false
  fake.store.failing.clear()
  if (outcome.status !== 'unavailable')
    throw new Error(`Expected unavailable, got ${outcome.status}`)
  return structuredClone(storedItem(fake, event.transactionId) as StoredItem)
}

const storedItem = (fake: Fake, transactionId: string) =>
  fake.store.get({ transaction_id: transactionId, event_type: EVENT_TYPE })

/** A claimed item whose claim expired, and its payload item, written directly. */
async function claimedItem(fake: Fake, transactionId: string, payload: string) {
  await fake.store.storePayload({ transaction_id: transactionId, event_type: EVENT_TYPE, payload })
  const item: StoredItem = {
    transaction_id: transactionId,
    event_type: EVENT_TYPE,
    status: 'claimed',
    delivery: 'envelope',
    received_at: fake.deps.clock().toISOString(),
    lease_expires_at: fake.deps.clock().getTime() - 1,
  }
  return item
}

/** A quarantine item of `body`, as the receiver writes it. */
function quarantinedItem(body: string): StoredItem {
  return {
    transaction_id: quarantineKeyFor(Buffer.from(body)),
    event_type: EVENT_TYPE,
    status: 'quarantined',
    delivery: 'envelope',
    payload: body,
    received_at: '2026-01-01T00:00:00.000Z',
  }
}

/**
 * The run's dependencies over the receiver's fakes, with `items` as what the scan reads and the
 * receiver's store holding the payload items.
 */
function runDeps(fake: Fake, items: StoredItem[], overrides: Partial<RunDeps> = {}) {
  const { table, scans, resolved } = fakeReplayTable(
    items,
    (key) => fake.store.payloadOf(key) as StoredPayload | undefined,
  )
  const notes: string[] = []
  const listed: string[] = []
  const progress: Progress = { update() {}, note: (line) => notes.push(line), finish() {} }
  const deps: RunDeps = {
    table,
    receiver: fake.deps,
    pacer: requestPacer(60_000),
    checkpoint: undefined,
    progress,
    list: (line) => listed.push(line),
    ...overrides,
  }
  return { deps, scans, resolved, notes, listed }
}

const request = (mode: ReingestMode, options: Partial<Omit<RunRequest, 'mode'>> = {}) => ({
  mode,
  dryRun: false,
  resume: false,
  pageSize: 100,
  ...options,
})

describe('reingestStored, publishing unpublished events', () => {
  it('scans for claimed items of the event type received in the time range', async () => {
    const fake = fakeDeps()
    const { deps, scans } = runDeps(fake, [])

    await reingestStored(
      deps,
      request('unpublished', {
        eventType: EVENT_TYPE,
        since: '2026-01-02T00:00:00.000Z',
        until: '2026-01-03T00:00:00.000Z',
      }),
    )

    expect(scans).toEqual([
      {
        status: 'claimed',
        eventType: EVENT_TYPE,
        since: '2026-01-02T00:00:00.000Z',
        until: '2026-01-03T00:00:00.000Z',
        timeAttribute: 'received_at',
      },
    ])
  })

  it('publishes an event whose publish failed on every retry once, as a first publication', async () => {
    const fake = fakeDeps()
    const item = await storeUnpublished(fake)
    const { deps } = runDeps(fake, [item])

    const result = await reingestStored(deps, request('unpublished'))

    expect(result.counts).toMatchObject({ matched: 1, accepted: 1 })
    expect(fake.publisher.published).toHaveLength(1)
    expect(fake.publisher.published[0]?.attributes).toMatchObject({
      idempotency_key: item.transaction_id,
    })
    expect(fake.publisher.published[0]?.attributes).not.toHaveProperty('replay')
  })

  it('marks the event it publishes published', async () => {
    const fake = fakeDeps()
    const item = await storeUnpublished(fake)
    const { deps } = runDeps(fake, [item])

    await reingestStored(deps, request('unpublished'))

    expect(storedItem(fake, item.transaction_id)).toMatchObject({
      status: 'published',
      message_id: 'msg-1',
    })
  })

  it('counts an event another delivery published meanwhile as a duplicate, publishing nothing more', async () => {
    const fake = fakeDeps()
    const event = giftEvent()
    const scanned = await storeUnpublished(fake, { event })
    await ingestPayload(fake.deps, { body: Buffer.from(event.body), pathEventType: undefined })
    const { deps } = runDeps(fake, [scanned])

    const result = await reingestStored(deps, request('unpublished'))

    expect(result.counts).toMatchObject({ duplicate: 1, accepted: 0 })
    expect(fake.publisher.published).toHaveLength(1)
  })

  it('leaves an event whose delivery holds a live lease alone and reports it in flight', async () => {
    const fake = fakeDeps()
    const item = await storeUnpublished(fake, { leaseLive: true })
    const { deps, notes } = runDeps(fake, [item])

    const result = await reingestStored(deps, request('unpublished'))

    expect(result.counts).toMatchObject({ in_flight: 1, accepted: 0 })
    expect(fake.publisher.published).toEqual([])
    expect(storedItem(fake, item.transaction_id)).toMatchObject({ status: 'claimed' })
    expect(notes).toEqual([`in flight, left claimed: ${EVENT_TYPE} ${item.transaction_id}`])
  })

  it('stops with the failing stage when the store is unavailable, keeping the checkpoint', async () => {
    const fake = fakeDeps()
    const item = await storeUnpublished(fake)
    fake.store.failing.add('recordDelivery')
    const checkpoint = new MemoryCheckpoint()
    const { deps } = runDeps(fake, [item], { checkpoint })

    const run = reingestStored(deps, request('unpublished'))

    await expect(run).rejects.toThrow(/claim failed/)
    expect(checkpoint.saved.at(-1)).toMatchObject({
      selection: { mode: 'unpublished' },
      next: null,
      done: false,
    })
  })

  it('counts an event that fails today’s schema as invalid, noting its issue paths', async () => {
    const fake = fakeDeps()
    const data = giftEventData(EVENT_TYPE)
    ;(data.balance as Record<string, unknown>).balance = '15900'
    const event = giftEvent(data)
    const { deps, notes } = runDeps(fake, [
      await claimedItem(fake, event.transactionId, event.body),
    ])

    const result = await reingestStored(deps, request('unpublished'))

    expect(result.counts).toMatchObject({ invalid: 1, accepted: 0 })
    expect(notes).toEqual([`invalid ${EVENT_TYPE} ${event.transactionId}: data.balance.balance`])
    expect(fake.publisher.published).toEqual([])
  })

  it('counts an event the receiver cannot read as unprocessable, naming its ids only', async () => {
    const fake = fakeDeps()
    const payload = '{"not":"an envelope","holder":{"email":"someone@example.com"}}'
    const { deps, notes } = runDeps(fake, [await claimedItem(fake, 'vtx_1', payload)])

    const result = await reingestStored(deps, request('unpublished'))

    expect(result.counts).toMatchObject({ unprocessable: 1, accepted: 0 })
    expect(notes).toEqual([`unprocessable (bad_request), left claimed: ${EVENT_TYPE} vtx_1`])
    expect(fake.publisher.published).toEqual([])
  })

  it('says an event’s payload expired or was erased and leaves it claimed, publishing nothing', async () => {
    const fake = fakeDeps()
    const item = await storeUnpublished(fake)
    fake.store.items.delete(`${item.transaction_id}|#payload:${EVENT_TYPE}`)
    const { deps, notes } = runDeps(fake, [item])

    const result = await reingestStored(deps, request('unpublished'))

    expect(result.counts).toMatchObject({ payload_expired_or_erased: 1, accepted: 0 })
    expect(notes).toEqual([`payload expired or erased: ${EVENT_TYPE} ${item.transaction_id}`])
    expect(fake.publisher.published).toEqual([])
    expect(storedItem(fake, item.transaction_id)).toMatchObject({ status: 'claimed' })
  })

  it('in a dry run lists each event with whether its lease has expired or is live', async () => {
    const fake = fakeDeps()
    const expired = await storeUnpublished(fake)
    const live = await storeUnpublished(fake, { leaseLive: true })
    const { deps, listed } = runDeps(fake, [expired, live])

    const result = await reingestStored(deps, request('unpublished', { dryRun: true }))

    expect(result.counts).toMatchObject({ would_publish: 1, in_flight: 1 })
    expect(listed).toEqual([
      `would publish ${EVENT_TYPE} ${expired.transaction_id} (lease expired)`,
      `in flight ${EVENT_TYPE} ${live.transaction_id} (lease live until 2026-01-01T00:00:15.000Z)`,
    ])
  })

  it('in a dry run publishes nothing and writes nothing', async () => {
    const fake = fakeDeps()
    const item = await storeUnpublished(fake)
    const before = structuredClone(storedItem(fake, item.transaction_id))
    const checkpoint = new MemoryCheckpoint()
    const { deps } = runDeps(fake, [item], { checkpoint })

    await reingestStored(deps, request('unpublished', { dryRun: true }))

    expect(fake.publisher.published).toEqual([])
    expect(storedItem(fake, item.transaction_id)).toEqual(before)
    expect(checkpoint.saved).toEqual([])
  })
})

describe('reingestStored, reprocessing quarantined payloads', () => {
  const newEnvelope = () => JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE)))

  it('stops with the failing stage when the store is unavailable, resolving nothing', async () => {
    const fake = fakeDeps()
    fake.store.failing.add('recordDelivery')
    const { deps, resolved } = runDeps(fake, [quarantinedItem(newEnvelope())])

    const run = reingestStored(deps, request('quarantined'))

    await expect(run).rejects.toThrow(/claim failed/)
    expect(resolved).toEqual([])
  })

  it('says a quarantined payload whose customer was erased is gone and skips it', async () => {
    const fake = fakeDeps()
    const { payload: _, ...erased } = quarantinedItem(newEnvelope())
    const { deps, notes, resolved } = runDeps(fake, [erased])

    const result = await reingestStored(deps, request('quarantined'))

    expect(result.counts).toMatchObject({ payload_expired_or_erased: 1, accepted: 0 })
    expect(notes).toEqual([`payload expired or erased: ${EVENT_TYPE} ${erased.transaction_id}`])
    expect(resolved).toEqual([])
    expect(fake.publisher.published).toEqual([])
  })

  it('skips a quarantined payload past its expiry', async () => {
    const fake = fakeDeps()
    const expired = {
      ...quarantinedItem(newEnvelope()),
      expires_at: fake.deps.clock().getTime() / 1000,
    }
    const { deps } = runDeps(fake, [expired])

    const result = await reingestStored(deps, request('quarantined', { dryRun: true }))

    expect(result.counts).toMatchObject({ payload_expired_or_erased: 1, valid_now: 0 })
  })

  it('leaves a payload whose event another delivery is publishing quarantined', async () => {
    const fake = fakeDeps()
    const body = newEnvelope()
    // A delivery that claimed the event and has not recorded its publication yet.
    fake.store.failing.add('markPublished')
    await ingestPayload(fake.deps, { body: Buffer.from(body), pathEventType: undefined })
    fake.store.failing.clear()
    const { deps, resolved, notes } = runDeps(fake, [quarantinedItem(body)])

    const result = await reingestStored(deps, request('quarantined'))

    expect(result.counts).toMatchObject({ in_flight: 1, accepted: 0 })
    expect(resolved).toEqual([])
    expect(notes).toEqual([
      `in flight, left quarantined: ${EVENT_TYPE} ${quarantineKeyFor(Buffer.from(body))}`,
    ])
  })
})
