import type { TransactionRecord, TransactionStore } from '../../../lib/receive/transaction-store'
import type { SweepStore } from '../../../lib/sweep/sweep-store'
import { randomId } from '../../../scripts/sample-events'

export interface SweepContractSubject {
  sweeps: SweepStore
  /** The store the receiver writes transactions to: the one `publishedAmong` must answer from. */
  transactions: TransactionStore
}

const CREATED = 'voucher.gift.transaction.created'
const BALANCE_ADDED = 'voucher.gift.balance_added'
const NOW = '2026-03-01T12:00:00.000Z'

function newRecord(eventType: string = CREATED): TransactionRecord {
  return {
    transaction_id: randomId('vtx'),
    event_type: eventType,
    key_source: 'transaction',
    transaction_type: 'CREDITS_ADDITION',
    amount: 1000,
    balance_after: 2000,
    total: 2000,
    voucher_id: 'v_sweep_contract',
    voucher_code: 'CODE',
    source: 'API',
    created_at: NOW,
    delivery: 'raw',
    webhook_id: null,
    event_id: null,
    project_id: null,
    payload: '{"a":1}',
    received_at: NOW,
  }
}

/** The rules every SweepStore must follow; run against the fake and the real adapter. */
export function describeSweepStoreContract(name: string, subject: () => SweepContractSubject) {
  describe(`${name} (SweepStore contract)`, () => {
    const claim = { token: 'sweep-contract', expiresAt: Date.parse(NOW) + 15_000 }

    async function claimed(transactions: TransactionStore, eventType = CREATED) {
      const record = newRecord(eventType)
      await transactions.recordDelivery(record, claim, NOW)
      return record.transaction_id
    }

    async function published(transactions: TransactionStore, eventType = CREATED) {
      const record = newRecord(eventType)
      await transactions.recordDelivery(record, claim, NOW)
      await transactions.markPublished(record, claim.token, { messageId: 'm-1', publishedAt: NOW })
      return record.transaction_id
    }

    it('has no state for a campaign never swept', async () => {
      const { sweeps } = subject()

      const state = await sweeps.readState(randomId('camp'))

      expect(state).toEqual({})
    })

    it('reads back a saved walk with its cursor', async () => {
      const { sweeps } = subject()
      const campaignId = randomId('camp')
      const walk = { startedAt: NOW, full: true, cursor: 'vtx_cursor' }

      await sweeps.saveWalk(campaignId, walk)

      expect(await sweeps.readState(campaignId)).toEqual({ walk })
    })

    it('reads back a saved walk with no cursor', async () => {
      const { sweeps } = subject()
      const campaignId = randomId('camp')
      const walk = { startedAt: NOW, full: false }

      await sweeps.saveWalk(campaignId, walk)

      expect(await sweeps.readState(campaignId)).toEqual({ walk })
    })

    it('drops the cursor when a walk is saved again without one', async () => {
      const { sweeps } = subject()
      const campaignId = randomId('camp')
      await sweeps.saveWalk(campaignId, { startedAt: NOW, full: true, cursor: 'vtx_cursor' })

      await sweeps.saveWalk(campaignId, { startedAt: NOW, full: false })

      expect(await sweeps.readState(campaignId)).toEqual({ walk: { startedAt: NOW, full: false } })
    })

    it('keeps the watermark while a later walk is under way', async () => {
      const { sweeps } = subject()
      const campaignId = randomId('camp')
      await sweeps.completeWalk(campaignId, '2026-03-01T11:50:00.000Z')
      const walk = { startedAt: NOW, full: false, cursor: 'vtx_cursor' }

      await sweeps.saveWalk(campaignId, walk)

      expect(await sweeps.readState(campaignId)).toEqual({
        coveredUntil: '2026-03-01T11:50:00.000Z',
        walk,
      })
    })

    it('sets the watermark and drops the walk when the walk completes', async () => {
      const { sweeps } = subject()
      const campaignId = randomId('camp')
      await sweeps.saveWalk(campaignId, { startedAt: NOW, full: true, cursor: 'vtx_cursor' })

      await sweeps.completeWalk(campaignId, '2026-03-01T11:50:00.000Z')

      expect(await sweeps.readState(campaignId)).toEqual({
        coveredUntil: '2026-03-01T11:50:00.000Z',
      })
    })

    it("keeps each campaign's state apart", async () => {
      const { sweeps } = subject()
      const [swept, other] = [randomId('camp'), randomId('camp')]

      await sweeps.completeWalk(swept, '2026-03-01T11:50:00.000Z')

      expect(await sweeps.readState(other)).toEqual({})
    })

    it('lists exactly the published ones among more than a hundred ids', async () => {
      const { sweeps, transactions } = subject()
      const publishedIds: string[] = []
      const ids: string[] = []
      for (let index = 0; index < 150; index++) {
        if (index % 3 === 0) {
          const id = await published(transactions)
          publishedIds.push(id)
          ids.push(id)
        } else if (index % 3 === 1) {
          ids.push(await claimed(transactions))
        } else {
          ids.push(randomId('vtx_absent'))
        }
      }

      const found = await sweeps.publishedAmong(ids, CREATED)

      expect([...found].sort()).toEqual([...publishedIds].sort())
    })

    it('ignores a transaction published under another event type', async () => {
      const { sweeps, transactions } = subject()
      const id = await published(transactions, BALANCE_ADDED)

      const found = await sweeps.publishedAmong([id], CREATED)

      expect(found).toEqual(new Set())
    })

    it('answers an empty set for no ids', async () => {
      const { sweeps } = subject()

      const found = await sweeps.publishedAmong([], CREATED)

      expect(found).toEqual(new Set())
    })
  })
}
