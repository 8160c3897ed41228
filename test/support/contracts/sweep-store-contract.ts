import type { TransactionRecord, TransactionStore } from '../../../lib/receive/transaction-store'
import type {
  CampaignSweepState,
  SweepFailure,
  SweepStore,
  SweepWalk,
} from '../../../lib/sweep/sweep-store'
import { randomId } from '../../../scripts/sample-events'

export interface SweepContractSubject {
  sweeps: SweepStore
  /** The store the receiver writes transactions to: the one `lookUp` must answer from. */
  transactions: TransactionStore
}

const CREATED = 'voucher.gift.transaction.created'
const BALANCE_ADDED = 'voucher.gift.balance_added'
const NOW = '2026-03-01T12:00:00.000Z'
const EARLIER = '2026-03-01T11:00:00.000Z'

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
    source: 'API',
    created_at: NOW,
    delivery: 'raw',
    webhook_id: null,
    event_id: null,
    project_id: null,
    received_at: NOW,
  }
}

/** A walk with every optional field there is. */
const EVERY_WALK_FIELD: Required<SweepWalk> = {
  startedAt: NOW,
  from: 'vtx_from',
  cursor: 'vtx_cursor',
  settledThrough: 'vtx_settled',
  held: true,
  incrementalCursor: 'vtx_incremental',
  pastIncrementalCursor: true,
}

/** A state with every optional field there is, both walks under way. */
const EVERY_STATE_FIELD: Required<CampaignSweepState> = {
  coveredCursor: 'vtx_covered',
  fullWalkCompletedAt: EARLIER,
  walks: {
    incremental: { startedAt: NOW, from: 'vtx_covered', cursor: 'vtx_next', held: false },
    full: EVERY_WALK_FIELD,
  },
  visitedAt: NOW,
  lastStop: { at: NOW, walk: 'full', cursor: 'vtx_cursor', reason: 'interrupted' },
}

function failureOf(campaignId: string, fields: Partial<SweepFailure> = {}): SweepFailure {
  return {
    campaignId,
    transactionId: randomId('vtx'),
    attempts: 1,
    reason: 'schema: transaction.amount',
    firstFailedAt: EARLIER,
    lastFailedAt: NOW,
    ...fields,
  }
}

const byTransactionId = (failures: readonly SweepFailure[]) =>
  [...failures].sort((a, b) => (a.transactionId < b.transactionId ? -1 : 1))

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

    async function stateOf(sweeps: SweepStore, campaignId: string) {
      return (await sweeps.readStates([campaignId])).get(campaignId)
    }

    describe('state', () => {
      it('reads a campaign never swept as one with no walks', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')

        const states = await sweeps.readStates([campaignId])

        expect(states).toEqual(new Map([[campaignId, { walks: {} }]]))
      })

      it('reads back a state with both walks and every optional field', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')

        await sweeps.saveState(campaignId, EVERY_STATE_FIELD)

        expect(await stateOf(sweeps, campaignId)).toEqual(EVERY_STATE_FIELD)
      })

      it('reads back a state with no optional field and no walk as just that', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')

        await sweeps.saveState(campaignId, { walks: {} })

        expect(await stateOf(sweeps, campaignId)).toStrictEqual({ walks: {} })
      })

      it('reads back a walk with only its start, no optional field added', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')

        await sweeps.saveState(campaignId, { walks: { incremental: { startedAt: NOW } } })

        expect(await stateOf(sweeps, campaignId)).toStrictEqual({
          walks: { incremental: { startedAt: NOW } },
        })
      })

      it('reads back a walk whose flags are false as false', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const walk = { startedAt: NOW, held: false, pastIncrementalCursor: false }

        await sweeps.saveState(campaignId, { walks: { full: walk } })

        expect(await stateOf(sweeps, campaignId)).toStrictEqual({ walks: { full: walk } })
      })

      it('reads back a stop with no cursor, one that came at the walk’s start', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const lastStop = { at: NOW, walk: 'incremental' as const, reason: 'Voucherify: HTTP 503' }

        await sweeps.saveState(campaignId, { walks: {}, lastStop })

        expect((await stateOf(sweeps, campaignId))?.lastStop).toStrictEqual(lastStop)
      })

      it('reads back a field saved as undefined as absent', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const walk: SweepWalk = { startedAt: NOW, cursor: undefined, held: undefined }

        await sweeps.saveState(campaignId, {
          coveredCursor: undefined,
          walks: { incremental: walk },
          lastStop: undefined,
        })

        expect(await stateOf(sweeps, campaignId)).toStrictEqual({
          walks: { incremental: { startedAt: NOW } },
        })
      })

      it('reads back when a run last visited a campaign, with nothing else', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')

        await sweeps.saveState(campaignId, { walks: {}, visitedAt: NOW })

        expect(await stateOf(sweeps, campaignId)).toStrictEqual({ walks: {}, visitedAt: NOW })
      })

      it('drops what a later save leaves out: the walk done, the stop cleared', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        await sweeps.saveState(campaignId, EVERY_STATE_FIELD)
        const after: CampaignSweepState = {
          coveredCursor: 'vtx_settled',
          walks: { incremental: { startedAt: NOW } },
        }

        await sweeps.saveState(campaignId, after)

        expect(await stateOf(sweeps, campaignId)).toStrictEqual(after)
      })

      it('reads the states of several campaigns at once, a never-swept one among them', async () => {
        const { sweeps } = subject()
        const [first, neverSwept, second] = [randomId('camp'), randomId('camp'), randomId('camp')]
        await sweeps.saveState(first, { coveredCursor: 'vtx_a', walks: {} })
        await sweeps.saveState(second, EVERY_STATE_FIELD)

        const states = await sweeps.readStates([first, neverSwept, second])

        expect(states).toEqual(
          new Map<string, CampaignSweepState>([
            [first, { coveredCursor: 'vtx_a', walks: {} }],
            [neverSwept, { walks: {} }],
            [second, EVERY_STATE_FIELD],
          ]),
        )
      })

      it('reads a campaign named twice once', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        await sweeps.saveState(campaignId, { coveredCursor: 'vtx_a', walks: {} })

        const states = await sweeps.readStates([campaignId, campaignId])

        expect(states).toEqual(new Map([[campaignId, { coveredCursor: 'vtx_a', walks: {} }]]))
      })

      it('answers no states for no campaigns', async () => {
        const { sweeps } = subject()

        expect(await sweeps.readStates([])).toEqual(new Map())
      })

      it('keeps each campaign’s state apart', async () => {
        const { sweeps } = subject()
        const [swept, other] = [randomId('camp'), randomId('camp')]

        await sweeps.saveState(swept, EVERY_STATE_FIELD)

        expect(await stateOf(sweeps, other)).toEqual({ walks: {} })
      })

      it('keeps the campaign’s failures when its state is saved', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const failure = failureOf(campaignId)
        await sweeps.saveFailure(failure)

        await sweeps.saveState(campaignId, EVERY_STATE_FIELD)

        expect(await sweeps.listFailures(campaignId)).toEqual([failure])
      })

      it('keeps the campaign’s state when a failure is saved and cleared', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        await sweeps.saveState(campaignId, EVERY_STATE_FIELD)
        const failure = failureOf(campaignId)

        await sweeps.saveFailure(failure)
        await sweeps.clearFailure(campaignId, failure.transactionId)

        expect(await stateOf(sweeps, campaignId)).toEqual(EVERY_STATE_FIELD)
      })
    })

    describe('lookUp', () => {
      it('answers exactly the published ones among more than a hundred ids', async () => {
        const { sweeps, transactions } = subject()
        const campaignId = randomId('camp')
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

        const { published: found } = await sweeps.lookUp(campaignId, ids, CREATED)

        expect([...found].sort()).toEqual([...publishedIds].sort())
      })

      it('does not count a transaction claimed by a delivery as published', async () => {
        const { sweeps, transactions } = subject()
        const id = await claimed(transactions)

        const { published: found } = await sweeps.lookUp(randomId('camp'), [id], CREATED)

        expect(found).toEqual(new Set())
      })

      it('does not count a transaction published under another event type', async () => {
        const { sweeps, transactions } = subject()
        const id = await published(transactions, BALANCE_ADDED)

        const { published: found } = await sweeps.lookUp(randomId('camp'), [id], CREATED)

        expect(found).toEqual(new Set())
      })

      it('answers an id named twice once', async () => {
        const { sweeps, transactions } = subject()
        const campaignId = randomId('camp')
        const id = await published(transactions)
        const failure = failureOf(campaignId)
        await sweeps.saveFailure(failure)

        const found = await sweeps.lookUp(
          campaignId,
          [id, id, failure.transactionId, failure.transactionId],
          CREATED,
        )

        expect(found).toEqual({
          published: new Set([id]),
          failures: new Map([[failure.transactionId, failure]]),
        })
      })

      it('answers nothing for no ids', async () => {
        const { sweeps } = subject()

        const found = await sweeps.lookUp(randomId('camp'), [], CREATED)

        expect(found).toEqual({ published: new Set(), failures: new Map() })
      })

      it('answers the failures of the ids asked for, failing and parked, by transaction id', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const failing = failureOf(campaignId, { attempts: 2 })
        const parked = failureOf(campaignId, { attempts: 3, parkedAt: NOW })
        await sweeps.saveFailure(failing)
        await sweeps.saveFailure(parked)
        const notFailed = randomId('vtx')

        const { failures } = await sweeps.lookUp(
          campaignId,
          [failing.transactionId, notFailed, parked.transactionId],
          CREATED,
        )

        expect(failures).toEqual(
          new Map([
            [failing.transactionId, failing],
            [parked.transactionId, parked],
          ]),
        )
      })

      it('answers no failure of a transaction not asked for', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        await sweeps.saveFailure(failureOf(campaignId))

        const { failures } = await sweeps.lookUp(campaignId, [randomId('vtx')], CREATED)

        expect(failures).toEqual(new Map())
      })

      it('answers no failure the same transaction has in another campaign', async () => {
        const { sweeps } = subject()
        const [campaignId, other] = [randomId('camp'), randomId('camp')]
        const elsewhere = failureOf(other)
        await sweeps.saveFailure(elsewhere)

        const { failures } = await sweeps.lookUp(campaignId, [elsewhere.transactionId], CREATED)

        expect(failures).toEqual(new Map())
      })

      it('answers a failed transaction that is also published as both', async () => {
        const { sweeps, transactions } = subject()
        const campaignId = randomId('camp')
        const id = await published(transactions)
        const failure = failureOf(campaignId, { transactionId: id })
        await sweeps.saveFailure(failure)

        const found = await sweeps.lookUp(campaignId, [id], CREATED)

        expect(found).toEqual({
          published: new Set([id]),
          failures: new Map([[id, failure]]),
        })
      })
    })

    describe('failures', () => {
      it('lists none for a campaign that never failed', async () => {
        const { sweeps } = subject()

        expect(await sweeps.listFailures(randomId('camp'))).toEqual([])
      })

      it('reads back a failing transaction with no parkedAt added', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const failure = failureOf(campaignId, { attempts: 2 })

        await sweeps.saveFailure(failure)

        expect(await sweeps.listFailures(campaignId)).toStrictEqual([failure])
      })

      it('reads back a failure saved with parkedAt undefined as not parked, with no parkedAt', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const failure = failureOf(campaignId)

        await sweeps.saveFailure({ ...failure, parkedAt: undefined })

        expect(await sweeps.listFailures(campaignId)).toStrictEqual([failure])
      })

      it('reads back a parked transaction with when it was parked', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const parked = failureOf(campaignId, {
          attempts: 3,
          reason: 'unknown_balance_type: points',
          parkedAt: NOW,
        })

        await sweeps.saveFailure(parked)

        expect(await sweeps.listFailures(campaignId)).toStrictEqual([parked])
      })

      it('replaces a transaction’s failure when it is saved again, parked or not', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const parked = failureOf(campaignId, { attempts: 3, parkedAt: NOW })
        await sweeps.saveFailure(parked)
        const { parkedAt: _parkedAt, ...unparked } = parked
        const retried = { ...unparked, attempts: 4, reason: 'unavailable at publish: Error' }

        await sweeps.saveFailure(retried)

        expect(await sweeps.listFailures(campaignId)).toStrictEqual([retried])
      })

      it('lists every failure of the campaign in transaction id order', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const failures = Array.from({ length: 5 }, (_, index) =>
          failureOf(campaignId, index % 2 ? { attempts: 3, parkedAt: NOW } : {}),
        )
        for (const failure of failures) await sweeps.saveFailure(failure)

        const listed = await sweeps.listFailures(campaignId)

        expect(listed).toEqual(byTransactionId(failures))
      })

      it('never lists another campaign’s failures or the campaign’s state', async () => {
        const { sweeps } = subject()
        const [campaignId, other] = [randomId('camp'), randomId('camp')]
        const ours = failureOf(campaignId)
        await sweeps.saveState(campaignId, EVERY_STATE_FIELD)
        await sweeps.saveFailure(ours)
        await sweeps.saveState(other, EVERY_STATE_FIELD)
        await sweeps.saveFailure(failureOf(other))
        await sweeps.saveFailure(failureOf(other, { transactionId: ours.transactionId }))

        const listed = await sweeps.listFailures(campaignId)

        expect(listed).toEqual([ours])
      })

      it('clears one failure and keeps the others', async () => {
        const { sweeps } = subject()
        const campaignId = randomId('camp')
        const [cleared, kept] = [failureOf(campaignId), failureOf(campaignId, { parkedAt: NOW })]
        await sweeps.saveFailure(cleared)
        await sweeps.saveFailure(kept)

        await sweeps.clearFailure(campaignId, cleared.transactionId)

        expect(await sweeps.listFailures(campaignId)).toEqual([kept])
        const { failures } = await sweeps.lookUp(campaignId, [cleared.transactionId], CREATED)
        expect(failures).toEqual(new Map())
      })

      it('clears only the failure of the campaign named', async () => {
        const { sweeps } = subject()
        const [campaignId, other] = [randomId('camp'), randomId('camp')]
        const elsewhere = failureOf(other)
        await sweeps.saveFailure(elsewhere)

        await sweeps.clearFailure(campaignId, elsewhere.transactionId)

        expect(await sweeps.listFailures(other)).toEqual([elsewhere])
      })

      it('clears a failure that is not there without complaint', async () => {
        const { sweeps } = subject()

        await expect(
          sweeps.clearFailure(randomId('camp'), randomId('vtx')),
        ).resolves.toBeUndefined()
      })
    })
  })
}
