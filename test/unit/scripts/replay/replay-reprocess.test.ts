import { ingestPayload, quarantineKeyFor } from '../../../../lib/receive/receive-webhook'
import { requestPacer } from '../../../../lib/voucherify/request-pacer'
import type { Progress } from '../../../../scripts/replay/progress'
import { replayStoredEvents } from '../../../../scripts/replay/replay-events'
import type { StoredItem } from '../../../../scripts/replay/replay-table'
import { reprocessQuarantined } from '../../../../scripts/replay/reprocess-quarantined'
import { envelopeFor, giftEventData } from '../../../../scripts/sample-events'
import { fakeDeps } from '../../../support/fakes/fake-deps'
import { fakeReplayTable } from '../../../support/fakes/fake-replay-table'

const EVENT_TYPE = 'voucher.gift.transaction.created'

/** Records the notes a run makes. */
function notes() {
  const lines: string[] = []
  const progress: Progress = { update() {}, note: (line) => lines.push(line), finish() {} }
  return { lines, progress }
}

function quarantined(body: string): StoredItem {
  return {
    transaction_id: quarantineKeyFor(Buffer.from(body)),
    event_type: EVENT_TYPE,
    status: 'quarantined',
    delivery: 'envelope',
    payload: body,
    received_at: '2026-01-01T00:00:00.000Z',
  }
}

const newEnvelope = () => JSON.stringify(envelopeFor(EVENT_TYPE, giftEventData(EVENT_TYPE)))
const request = { selection: {}, dryRun: false, resume: false, pageSize: 100 }

describe('reprocessQuarantined', () => {
  it('stops with the failing stage when the store is unavailable, resolving nothing', async () => {
    const { deps: ingest, store } = fakeDeps()
    store.failing.add('recordDelivery')
    const { table, resolved } = fakeReplayTable([quarantined(newEnvelope())])
    const { progress } = notes()

    const run = reprocessQuarantined(
      {
        table,
        ingest,
        pacer: requestPacer(60_000),
        checkpoint: undefined,
        progress,
        clock: ingest.clock,
        list: () => {},
      },
      request,
    )

    await expect(run).rejects.toThrow(/claim failed/)
    expect(resolved).toEqual([])
  })

  it('leaves a payload whose event another delivery is publishing quarantined', async () => {
    const { deps: ingest, store } = fakeDeps()
    const body = newEnvelope()
    // A delivery that claimed the event and has not recorded its publication yet.
    store.failing.add('markPublished')
    await ingestPayload(ingest, { body: Buffer.from(body), pathEventType: undefined })
    store.failing.clear()
    const { table, resolved } = fakeReplayTable([quarantined(body)])
    const { lines, progress } = notes()

    const result = await reprocessQuarantined(
      {
        table,
        ingest,
        pacer: requestPacer(60_000),
        checkpoint: undefined,
        progress,
        clock: ingest.clock,
        list: () => {},
      },
      request,
    )

    expect(result.counts).toMatchObject({ in_flight: 1, accepted: 0 })
    expect(resolved).toEqual([])
    expect(lines).toEqual([
      `in flight, left quarantined: ${EVENT_TYPE} ${quarantineKeyFor(Buffer.from(body))}`,
    ])
  })
})

describe('replayStoredEvents', () => {
  it('counts an item it cannot read again as unreadable, naming its ids only', async () => {
    const { deps, publisher } = fakeDeps()
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
    const { table } = fakeReplayTable([item])
    const { lines, progress } = notes()

    const result = await replayStoredEvents(
      {
        table,
        publisher,
        pacer: requestPacer(60_000),
        checkpoint: undefined,
        progress,
        clock: deps.clock,
        list: () => {},
      },
      request,
    )

    expect(result.counts).toMatchObject({ unreadable: 1, published: 0 })
    expect(publisher.published).toEqual([])
    expect(lines).toEqual([
      `unreadable (bad_request): ${EVENT_TYPE} vtx_1 voucher=v_1 created_at=2026-01-01T00:00:00.000Z`,
    ])
  })
})
