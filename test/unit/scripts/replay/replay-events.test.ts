import { ingestPayload } from '../../../../lib/receive/receive-webhook'
import { requestPacer } from '../../../../lib/voucherify/request-pacer'
import type { Progress } from '../../../../scripts/cli/progress'
import { replayMessageFor, replayStoredEvents } from '../../../../scripts/replay/replay-events'
import type { StoredItem } from '../../../../scripts/replay/replay-table'
import { envelopeFor, giftEventData } from '../../../../scripts/sample-events'
import { fakeDeps } from '../../../support/fakes/fake-deps'
import { fakeReplayTable } from '../../../support/fakes/fake-replay-table'

const EVENT_TYPE = 'voucher.gift.transaction.created'

const RUN = 'run1'

/** Ingests a body as the receiver would, and returns the item stored and the message published. */
async function stored(body: string, pathEventType?: string, origin?: 'reconcile') {
  const { deps, store, publisher } = fakeDeps()
  const outcome = await ingestPayload(deps, { body: Buffer.from(body), pathEventType, origin })
  if (outcome.status !== 'accepted') throw new Error(`Not accepted: ${outcome.status}`)
  const item = store.get({ transaction_id: outcome.idempotencyKey, event_type: EVENT_TYPE })
  return { item: item as StoredItem, published: publisher.published[0] }
}

describe('replayMessageFor', () => {
  it('rebuilds the message first published, plus replay=true', async () => {
    const { item, published } = await stored(
      JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE))),
    )

    const rebuilt = replayMessageFor(item, RUN)

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
    const { item, published } = await stored(
      JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE))),
    )

    const rebuilt = replayMessageFor(item, RUN)

    expect(rebuilt).toMatchObject({
      message: { deduplicationId: `replay:${RUN}:${published?.deduplicationId}` },
    })
  })

  it('rebuilds a raw payload’s message with the event type it was stored under', async () => {
    const { item, published } = await stored(JSON.stringify(giftEventData(EVENT_TYPE)), EVENT_TYPE)

    const rebuilt = replayMessageFor(item, RUN)

    expect(rebuilt).toMatchObject({ ok: true, message: { body: published?.body } })
  })

  it('keeps the origin of an event that did not come as a webhook', async () => {
    const { item, published } = await stored(
      JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE))),
      undefined,
      'reconcile',
    )

    const rebuilt = replayMessageFor(item, RUN)

    expect(published?.attributes.origin).toBe('reconcile')
    expect(rebuilt).toMatchObject({ message: { attributes: { origin: 'reconcile' } } })
  })

  it('carries the ledger verdict its item recorded', async () => {
    const { item } = await stored(
      JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE))),
    )

    const rebuilt = replayMessageFor({ ...item, ledger_status: 'gap' }, RUN)

    expect(rebuilt).toMatchObject({ message: { attributes: { ledger: 'gap' } } })
  })

  it('reports a payload its schema refuses now, naming the outcome', async () => {
    const { item } = await stored(
      JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE))),
    )
    const payload = JSON.parse(String(item.payload))
    payload.data.balance.amount = 'ten'

    const rebuilt = replayMessageFor({ ...item, payload: JSON.stringify(payload) }, RUN)

    expect(rebuilt).toEqual({ ok: false, reason: 'invalid' })
  })

  it('reports an item read without its payload', () => {
    const rebuilt = replayMessageFor({ transaction_id: 'vtx_1', event_type: EVENT_TYPE }, RUN)

    expect(rebuilt).toEqual({ ok: false, reason: 'no_payload' })
  })

  it('reports a payload that is not the one its item is keyed by', async () => {
    const { item } = await stored(
      JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE))),
    )

    const rebuilt = replayMessageFor({ ...item, transaction_id: 'vtx_another' }, RUN)

    expect(rebuilt).toEqual({ ok: false, reason: 'key_mismatch' })
  })
})

describe('replayStoredEvents', () => {
  it('counts an item it cannot read again as unreadable, naming its ids only', async () => {
    const { deps: receiver, publisher } = fakeDeps()
    const item: StoredItem = {
      transaction_id: 'vtx_1',
      event_type: EVENT_TYPE,
      status: 'published',
      delivery: 'envelope',
      payload: '{"not":"an envelope","holder":{"email":"someone@example.com"}}',
      received_at: '2026-01-01T00:00:00.000Z',
      voucher_id: 'v_1',
      created_at: '2026-01-01T00:00:00.000Z',
    }
    const notes: string[] = []
    const progress: Progress = { update() {}, note: (line) => notes.push(line), finish() {} }

    const result = await replayStoredEvents(
      {
        table: fakeReplayTable([item]).table,
        receiver,
        pacer: requestPacer(60_000),
        checkpoint: undefined,
        progress,
        list: () => {},
      },
      { mode: 'replay', dryRun: false, resume: false, pageSize: 100 },
    )

    expect(result.counts).toMatchObject({ unreadable: 1, published: 0 })
    expect(publisher.published).toEqual([])
    expect(notes).toEqual([
      `unreadable (bad_request): ${EVENT_TYPE} vtx_1 voucher=v_1 created_at=2026-01-01T00:00:00.000Z`,
    ])
  })
})
