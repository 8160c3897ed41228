import { API_TRANSACTION_EVENT_TYPE } from '../../../../lib/voucherify/transaction-payload'
import {
  type ReconcileRequest,
  reconcileVoucher,
} from '../../../../scripts/reconcile/reconcile-voucher'
import { fakeDeps } from '../../../support/fakes/fake-deps'
import { type GiftCard, giftCard, transactionIdOf, transactionOf } from '../../../support/gift-card'

type Json = Record<string, unknown>

/**
 * Voucherify (one page per `pageSize` transactions, newest first) and a ledger holding `stored`
 * published and `unpublished` stored but never published.
 */
function reconcile(
  card: GiftCard,
  stored: string[],
  request: Partial<ReconcileRequest> = {},
  {
    transactions = card.events.map((data) => transactionOf(data as Json)),
    pageSize = 2,
    unpublished = [] as string[],
  } = {},
) {
  const statuses = [
    ...stored.map((id) => [id, 'published'] as const),
    ...unpublished.map((id) => [id, 'claimed'] as const),
  ]
  const fake = fakeDeps()
  const newestFirst = [...transactions].reverse()
  const run = reconcileVoucher(
    {
      async *listTransactions() {
        for (let start = 0; start < newestFirst.length; start += pageSize) {
          yield newestFirst.slice(start, start + pageSize)
        }
      },
      storedTransactions: async (voucherId) =>
        new Map(voucherId === card.voucherId ? statuses : []),
      receiver: fake.deps,
    },
    { voucher: 'GIFT-CODE', ...request },
  )
  return { run, ...fake }
}

const storedItem = (
  store: ReturnType<typeof fakeDeps>['store'],
  transactionId: string,
): Json | undefined =>
  store.get({ transaction_id: transactionId, event_type: API_TRANSACTION_EVENT_TYPE })

describe('reconcileVoucher', () => {
  it('reports a transaction stored but never published, and takes nothing in for it', async () => {
    const card = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION', 'CREDITS_REFUND'])
    const [first, stuck, third] = card.events.map(transactionIdOf) as [string, string, string]

    const { run, publisher } = reconcile(card, [first, third], {}, { unpublished: [stuck] })
    const summary = await run

    expect(summary).toMatchObject({ found: 2, unpublished: 1, missing: 0, ingested: 0 })
    expect(summary.transactions).toEqual([
      expect.objectContaining({ transactionId: stuck, outcome: 'unpublished' }),
    ])
    expect(publisher.published).toEqual([])
  })

  it('takes in the transaction the ledger lacks, marked origin=reconcile, and publishes it', async () => {
    const card = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION', 'CREDITS_REFUND'])
    const [first, missing, third] = card.events.map(transactionIdOf) as [string, string, string]

    const { run, store, publisher } = reconcile(card, [first, third])
    const summary = await run

    expect(summary).toMatchObject({
      voucherIds: [card.voucherId],
      listed: 3,
      found: 2,
      missing: 1,
      ingested: 1,
      failed: 0,
    })
    expect(storedItem(store, missing)).toMatchObject({
      origin: 'reconcile',
      delivery: 'raw',
      status: 'published',
    })
    expect(publisher.published.map((message) => message.attributes)).toEqual([
      expect.objectContaining({ transaction_id: missing, origin: 'reconcile' }),
    ])
  })

  it('leaves the transactions the ledger has alone', async () => {
    const card = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION'])
    const [stored] = card.events.map(transactionIdOf) as [string]

    const { run, store } = reconcile(card, [stored])
    await run

    expect(storedItem(store, stored)).toBeUndefined()
  })

  it('takes the missing transactions in oldest first, as they happened', async () => {
    const card = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION', 'CREDITS_REMOVAL'])

    const { run, publisher } = reconcile(card, [])
    await run

    expect(publisher.published.map(({ attributes }) => attributes.transaction_id)).toEqual(
      card.events.map(transactionIdOf),
    )
  })

  it('compares only the transactions created at or after --since', async () => {
    const card = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION', 'CREDITS_REFUND'], {
      startAt: new Date('2026-03-01T00:00:00.000Z'),
    })

    const { run, publisher } = reconcile(card, [], { since: '2026-03-01T00:00:01.000Z' })
    const summary = await run

    expect(summary).toMatchObject({ listed: 3, beforeSince: 1, missing: 2, ingested: 2 })
    expect(publisher.published.map(({ attributes }) => attributes.transaction_id)).toEqual(
      card.events.slice(1).map(transactionIdOf),
    )
  })

  it("leaves out a loyalty card's transactions", async () => {
    const card = giftCard(['CREDITS_ADDITION'])
    const gift = transactionOf(card.events[0] as Json)
    // Loyalty is told by the balance's type, as the API document names it, not by `type`.
    const details = gift.details as Json
    const points = {
      ...gift,
      id: 'vtx_points',
      type: 'POINTS_ACCRUAL',
      details: { ...details, balance: { ...(details.balance as Json), type: 'loyalty_card' } },
    }

    const { run, publisher } = reconcile(card, [], {}, { transactions: [points] })
    const summary = await run

    expect(summary).toMatchObject({ skipped: 1, missing: 0, ingested: 0 })
    expect(publisher.published).toEqual([])
  })

  it('stores and publishes nothing in a dry run, and lists what it would take in', async () => {
    const card = giftCard(['CREDITS_ADDITION'])

    const { run, store, publisher } = reconcile(card, [], { dryRun: true })
    const summary = await run

    expect(summary.transactions).toEqual([
      expect.objectContaining({
        transactionId: transactionIdOf(card.events[0] as Json),
        outcome: 'would_ingest',
      }),
    ])
    expect([store.items.size, publisher.published.length]).toEqual([0, 0])
  })

  it('reports a transaction that fails the schema as failed, naming the path, and quarantines nothing', async () => {
    const card = giftCard(['CREDITS_ADDITION'])
    const transaction = {
      ...transactionOf(card.events[0] as Json),
      created_at: '2026-02-31T00:00:00Z',
    }

    const { run, store } = reconcile(card, [], {}, { transactions: [transaction] })
    const summary = await run

    expect(summary.failed).toBe(1)
    expect(summary.transactions[0]?.reason).toBe('schema: transaction.created_at')
    expect(store.items.size).toBe(0)
  })

  it('reports a transaction without a balance as failed', async () => {
    const card = giftCard(['CREDITS_ADDITION'])
    const transaction = { ...transactionOf(card.events[0] as Json), details: {} }

    const { run } = reconcile(card, [], {}, { transactions: [transaction] })
    const summary = await run

    expect(summary).toMatchObject({ missing: 1, failed: 1 })
    expect(summary.transactions[0]?.reason).toBe('no_balance')
  })

  it('reports a failed publish as failed at the publish stage', async () => {
    const card = giftCard(['CREDITS_ADDITION'])

    const { run, publisher } = reconcile(card, [])
    publisher.failing = true
    const summary = await run

    expect(summary.failed).toBe(1)
    expect(summary.transactions[0]?.reason).toBe('unavailable at publish: Error')
  })

  it('counts a transaction a webhook stored after the comparison as stored meanwhile', async () => {
    const card = giftCard(['CREDITS_ADDITION'])
    const transaction = transactionOf(card.events[0] as Json)
    const key = { transaction_id: String(transaction.id), event_type: API_TRANSACTION_EVENT_TYPE }
    const { deps, store } = fakeDeps()

    const summary = await reconcileVoucher(
      {
        async *listTransactions() {
          yield [transaction]
        },
        // The webhook's delivery lands just after the ledger was read.
        async storedTransactions() {
          await store.recordDelivery({ ...key } as never, { token: 'webhook', expiresAt: 0 }, '')
          await store.markPublished(key, 'webhook', { messageId: 'msg-webhook', publishedAt: '' })
          return new Map<string, string>()
        },
        receiver: deps,
      },
      { voucher: 'GIFT-CODE' },
    )

    expect(summary).toMatchObject({ missing: 1, ingested: 0, alreadyStored: 1, failed: 0 })
  })
})
