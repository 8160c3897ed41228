import { requestPacer } from '../../../../lib/voucherify/request-pacer'
import type { Progress } from '../../../../scripts/replay/progress'
import { replayStoredEvents } from '../../../../scripts/replay/replay-events'
import type { StoredItem } from '../../../../scripts/replay/replay-table'
import { fakeDeps } from '../../../support/fakes/fake-deps'
import { fakeReplayTable } from '../../../support/fakes/fake-replay-table'

const EVENT_TYPE = 'voucher.gift.transaction.created'

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
