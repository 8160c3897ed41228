import { readPayload } from '../../../../lib/receive/read-payload'
import { GiftTransactionTypeSchema } from '../../../../lib/schemas/gift-event-parts'
import {
  API_TRANSACTION_EVENT_TYPE,
  transactionPayload,
} from '../../../../lib/voucherify/transaction-payload'
import listOpenApi from '../../../fixtures/voucherify-list-voucher-transactions.openapi.json'
import { giftCard, transactionOf } from '../../../support/gift-card'

type Json = Record<string, unknown>

/** What the receiver makes of the payload, as the raw-payload route of its event type. */
function received(transaction: Json) {
  const payload = transactionPayload(transaction)
  if (!payload.ok) throw new Error(`no payload: ${payload.reason}`)
  const read = readPayload(
    {
      body: Buffer.from(payload.body),
      pathEventType: API_TRANSACTION_EVENT_TYPE,
      origin: 'reconcile',
    },
    '2026-01-01T00:00:00.000Z',
  )
  if (!read.ok) throw new Error(`refused: ${JSON.stringify(read.outcome)}`)
  return { payload: JSON.parse(payload.body) as Json, ...read }
}

/** The transactions of the documented example answer of GET /v1/vouchers/{code}/transactions. */
const documentedTransactions = (): Json[] =>
  (
    listOpenApi.paths['/v1/vouchers/{code}/transactions'].get.responses['200'].content[
      'application/json'
    ].examples.Example.value as { data: Json[] }
  ).data

describe('transactionPayload', () => {
  it.each(GiftTransactionTypeSchema.options)(
    'builds a %s payload that passes the voucher.gift.transaction.created schema',
    (type) => {
      const transaction = transactionOf(giftCard([type]).events[0] as Json)

      expect(() => received(transaction)).not.toThrow()
    },
  )

  it('passes every transaction of the documented example answer through the schema', () => {
    const transactions = documentedTransactions()

    expect(
      transactions.map((transaction) => received(transaction).event.entry.transaction_id),
    ).toEqual(transactions.map(({ id }) => id))
  })

  it("reports the transaction's details.balance as the event's balance", () => {
    const transaction = transactionOf(giftCard(['CREDITS_REDEMPTION']).events[0] as Json)

    const { payload } = received(transaction)

    expect(payload.balance).toEqual((transaction.details as Json).balance)
  })

  it('keeps the transaction as Voucherify listed it, fields the service does not read included', () => {
    const transaction = { ...transactionOf(giftCard(['CREDITS_ADDITION']).events[0] as Json) }
    transaction.a_field_added_later = { kept: true }

    const { payload } = received(transaction)

    expect(payload.transaction).toEqual(transaction)
  })

  it('gives the ledger entry the webhook would have given: type, amount, balance, voucher, time', () => {
    const card = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION'])
    const transaction = transactionOf(card.events[1] as Json)

    const { event } = received(transaction)

    expect(event.entry).toMatchObject({
      transaction_id: transaction.id,
      transaction_type: 'CREDITS_REDEMPTION',
      amount: -700,
      balance_after: 4300,
      voucher_id: card.voucherId,
      campaign_id: transaction.campaign_id,
      // A redemption's source is null: the entry leaves it out.
      source: transaction.source ?? undefined,
      created_at: transaction.created_at,
    })
  })

  it('keys the event by its transaction id, so that a late webhook of it is a duplicate', () => {
    const transaction = transactionOf(giftCard(['CREDITS_REFUND']).events[0] as Json)

    expect(received(transaction).event.idempotency).toEqual({
      key: transaction.id,
      source: 'transaction',
    })
  })

  it('marks the event and its message origin=reconcile', () => {
    const transaction = transactionOf(giftCard(['CREDITS_ADDITION']).events[0] as Json)

    const { event, message } = received(transaction)

    expect(event.origin).toBe('reconcile')
    expect(message.attributes.origin).toBe('reconcile')
  })

  it("leaves out a loyalty card's transaction, told by its balance type", () => {
    const transaction = { ...transactionOf(giftCard(['CREDITS_ADDITION']).events[0] as Json) }
    const { balance } = transaction.details as { balance: Json }
    transaction.details = { balance: { ...balance, type: 'loyalty_card' } }

    expect(transactionPayload(transaction)).toEqual({ ok: false, reason: 'not_gift' })
  })

  it('names a balance type the document does not know instead of leaving it out', () => {
    const transaction = { ...transactionOf(giftCard(['CREDITS_ADDITION']).events[0] as Json) }
    const { balance } = transaction.details as { balance: Json }
    transaction.details = { balance: { ...balance, type: 'prepaid_card' } }

    expect(transactionPayload(transaction)).toEqual({
      ok: false,
      reason: 'unknown_balance_type',
      balanceType: 'prepaid_card',
    })
  })

  it('keeps a gift card transaction of a type it has not seen, for the schema to judge', () => {
    const transaction = { ...transactionOf(giftCard(['CREDITS_ADDITION']).events[0] as Json) }
    transaction.type = 'CREDITS_TRANSFER'

    expect(transactionPayload(transaction).ok).toBe(true)
  })

  it('refuses a transaction without details.balance, which the event could not report', () => {
    const transaction = { ...transactionOf(giftCard(['CREDITS_ADDITION']).events[0] as Json) }
    transaction.details = { order: { id: 'ord_1', source_id: null } }

    expect(transactionPayload(transaction)).toEqual({ ok: false, reason: 'no_balance' })
  })
})
