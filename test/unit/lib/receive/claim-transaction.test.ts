import { claimTransaction } from '../../../../lib/receive/claim-transaction'
import type { TransactionRecord } from '../../../../lib/receive/transaction-store'
import { fakeDeps } from '../../../support/fakes/fake-deps'

const record = {
  transaction_id: 'vtx_1',
  event_type: 'voucher.gift.transaction.created',
} as TransactionRecord

describe('claimTransaction', () => {
  it('claims a transaction on its first delivery', async () => {
    const { deps, store } = fakeDeps()

    const outcome = await claimTransaction(deps, record)

    expect(outcome.status).toBe('claimed')
    expect(store.get(record)).toMatchObject({ status: 'claimed', received_count: 1 })
  })

  it('answers in flight while another delivery holds a live claim', async () => {
    const { deps } = fakeDeps()
    await claimTransaction(deps, record)

    const outcome = await claimTransaction(deps, record)

    expect(outcome.status).toBe('in_flight')
  })

  it('answers duplicate once the transaction is published, counting the delivery', async () => {
    const { deps, store } = fakeDeps()
    const first = await claimTransaction(deps, record)
    if (first.status !== 'claimed') throw new Error('expected a claim')
    await store.markPublished(record, first.claimToken, { messageId: 'm-1', publishedAt: 'now' })

    const outcome = await claimTransaction(deps, record)

    expect(outcome).toEqual({ status: 'duplicate', messageId: 'm-1', receivedCount: 2 })
  })

  it('takes over a claim whose lease has run out', async () => {
    const { deps, store, clock } = fakeDeps()
    const first = await claimTransaction(deps, record)
    clock.advance(deps.settings.claimLeaseMs + 1)

    const outcome = await claimTransaction(deps, record)

    expect(outcome.status).toBe('claimed')
    expect(outcome).not.toEqual(first)
    expect(store.get(record)?.claim_token).toBe(outcome.status === 'claimed' && outcome.claimToken)
  })

  it('lets only one of two late deliveries take over an expired claim', async () => {
    const { deps, clock } = fakeDeps()
    await claimTransaction(deps, record)
    clock.advance(deps.settings.claimLeaseMs + 1)

    const outcomes = await Promise.all([
      claimTransaction(deps, record),
      claimTransaction(deps, record),
    ])

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['claimed', 'in_flight'])
  })

  it('stops the old holder from marking the transaction published after a take-over', async () => {
    const { deps, store, clock } = fakeDeps()
    const first = await claimTransaction(deps, record)
    if (first.status !== 'claimed') throw new Error('expected a claim')
    clock.advance(deps.settings.claimLeaseMs + 1)
    await claimTransaction(deps, record)

    const marked = await store.markPublished(record, first.claimToken, {
      messageId: 'late',
      publishedAt: 'now',
    })

    expect(marked).toBe(false)
  })
})
