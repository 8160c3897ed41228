// The balance chain through receiveWebhook, with the in-memory fakes: one realistic card life
// (additions, redemptions, refunds, removals) delivered in order, with one transaction lost,
// with two swapped, under all three event types, and all at once.
import { receiveWebhook, type WebhookOutcome } from '../../../../lib/receive/receive-webhook'
import { signPayload } from '../../../../lib/receive/signature'
import { type SupportedEventType, supportedEventTypes } from '../../../../lib/schemas/registry'
import { type CardTransaction, cardHistory } from '../../../../scripts/card-history'
import { envelopeFor, giftEventData } from '../../../../scripts/sample-events'
import { fakeDeps, TEST_SECRET } from '../../../support/fakes/fake-deps'

const CREATED: SupportedEventType = 'voucher.gift.transaction.created'
const BALANCE_ADDED: SupportedEventType = 'voucher.gift.balance_added'

type Fakes = ReturnType<typeof fakeDeps>

function deliver(
  { deps }: Fakes,
  transaction: CardTransaction,
  eventType: SupportedEventType = CREATED,
) {
  const body = Buffer.from(JSON.stringify(envelopeFor(eventType, transaction.dataFor(eventType))))
  return receiveWebhook(deps, {
    body,
    signature: signPayload(TEST_SECRET, body),
    pathEventType: undefined,
  })
}

/** Delivers again (up to 20 times) while the answer asks for a retry, as Voucherify does. */
async function deliverUntilAnswered(
  fakes: Fakes,
  transaction: CardTransaction,
  eventType = CREATED,
) {
  let outcome = await deliver(fakes, transaction, eventType)
  for (let retry = 1; retry < 20; retry++) {
    if (outcome.status !== 'unavailable' && outcome.status !== 'in_flight') break
    outcome = await deliver(fakes, transaction, eventType)
  }
  return outcome
}

async function deliverInTurn(fakes: Fakes, transactions: readonly CardTransaction[]) {
  const outcomes: WebhookOutcome[] = []
  for (const transaction of transactions) outcomes.push(await deliver(fakes, transaction))
  return outcomes
}

const itemOf = ({ store }: Fakes, transaction: CardTransaction, eventType: string = CREATED) =>
  store.get({ transaction_id: transaction.id, event_type: eventType })

const statusOf = (fakes: Fakes, transaction: CardTransaction) =>
  itemOf(fakes, transaction)?.ledger_status

describe('receiveWebhook and the balance chain', () => {
  it('finds the chain whole when a card’s ten transactions of all four types arrive in order', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    await deliverInTurn(fakes, card.transactions)

    expect(card.transactions.map((transaction) => statusOf(fakes, transaction))).toEqual(
      Array(10).fill('ok'),
    )
    expect(fakes.ledger.heads.get(card.voucherId)).toMatchObject({
      transactionId: card.at(10).id,
      balance: 0,
      appliedCount: 10,
    })
  })

  it('records on the item after a lost transaction a gap, with the balance the chain expected', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    // #5, a removal of 5.00, never arrives.
    await deliverInTurn(fakes, card.arriving([1, 2, 3, 4, 6, 7, 8, 9, 10]))

    expect(itemOf(fakes, card.at(6))).toMatchObject({
      ledger_status: 'gap',
      expected_balance: 4_000,
      previous_transaction_id: card.at(4).id,
      balance_after: 4_500,
      amount: 1_000,
    })
  })

  it('flags only the transaction after the lost one', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    await deliverInTurn(fakes, card.arriving([1, 2, 3, 4, 6, 7, 8, 9, 10]))

    const flagged = card.transactions.filter((transaction) => {
      const status = statusOf(fakes, transaction)
      return status !== undefined && status !== 'ok'
    })
    expect(flagged.map((transaction) => transaction.number)).toEqual([6])
  })

  it('flags two swapped redemptions: the later as a gap on arrival, the earlier as out of order', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    await deliverInTurn(fakes, card.arriving([1, 2, 3, 4, 5, 6, 8, 7, 9, 10]))

    expect([8, 7, 9].map((number) => itemOf(fakes, card.at(number)))).toEqual([
      expect.objectContaining({ ledger_status: 'gap', expected_balance: 4_500 }),
      expect.objectContaining({
        ledger_status: 'out_of_order',
        previous_transaction_id: card.at(8).id,
      }),
      expect.objectContaining({ ledger_status: 'ok' }),
    ])
  })

  it('keeps the head at the latest transaction when an older one arrives late', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    await deliverInTurn(fakes, card.arriving([1, 2, 3, 4, 5, 6, 8, 7]))

    expect(fakes.ledger.heads.get(card.voucherId)).toMatchObject({
      transactionId: card.at(8).id,
      balance: 1_200,
      outOfOrderCount: 1,
    })
  })

  it('accepts and publishes every transaction, whatever the chain says', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    const outcomes = await deliverInTurn(fakes, card.arriving([1, 3, 2, 6, 5, 10]))

    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(6).fill('accepted'))
    expect(fakes.publisher.published).toHaveLength(6)
  })

  it('publishes the verdict as the `ledger` message attribute', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    await deliverInTurn(fakes, card.arriving([1, 2, 4]))

    expect(fakes.publisher.published.map((message) => message.attributes.ledger)).toEqual([
      'ok',
      'ok',
      'gap',
    ])
  })

  it('applies a transaction once, from whichever event type delivers it first', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()
    await deliver(fakes, card.at(1))
    const order = [BALANCE_ADDED, CREATED, 'customer.voucher.gift.balance_added'] as const

    for (const eventType of order) await deliver(fakes, card.at(3), eventType)

    expect(fakes.ledger.steps.get(card.at(3).id)).toMatchObject({
      status: 'gap',
      appliedEventType: BALANCE_ADDED,
    })
    expect(fakes.ledger.heads.get(card.voucherId)).toMatchObject({ appliedCount: 2, gapCount: 1 })
  })

  it('records the same verdict on the item of every event type', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()
    await deliver(fakes, card.at(1))

    for (const eventType of supportedEventTypes) await deliver(fakes, card.at(3), eventType)

    expect(supportedEventTypes.map((type) => itemOf(fakes, card.at(3), type))).toEqual(
      Array(3).fill(
        expect.objectContaining({
          ledger_status: 'gap',
          expected_balance: 7_000,
          previous_transaction_id: card.at(1).id,
        }),
      ),
    )
  })

  it('reports the step as applied now only to the delivery that applied it', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    const first = await deliver(fakes, card.at(1), CREATED)
    const second = await deliver(fakes, card.at(1), BALANCE_ADDED)

    expect([first, second]).toEqual([
      expect.objectContaining({ ledger: expect.objectContaining({ appliedNow: true }) }),
      expect.objectContaining({ ledger: expect.objectContaining({ appliedNow: false }) }),
    ])
  })

  it('applies each transaction once when all of a card’s deliveries come at the same time', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()

    const outcomes = await Promise.all(
      card.transactions.flatMap((transaction) =>
        supportedEventTypes.map((type) => deliverUntilAnswered(fakes, transaction, type)),
      ),
    )

    expect(outcomes.every((outcome) => outcome.status === 'accepted')).toBe(true)
    expect(fakes.ledger.steps.size).toBe(10)
    expect(fakes.ledger.heads.get(card.voucherId)).toMatchObject({
      transactionId: card.at(10).id,
      balance: 0,
      appliedCount: 10,
    })
  })

  it('answers unavailable and publishes nothing when the ledger cannot be written', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()
    fakes.ledger.failing = true

    const outcome = await deliver(fakes, card.at(1))

    expect(outcome).toMatchObject({ status: 'unavailable', stage: 'ledger' })
    expect(fakes.publisher.published).toHaveLength(0)
  })

  it('applies the transaction when Voucherify retries after the ledger failed', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()
    fakes.ledger.failing = true
    await deliver(fakes, card.at(1))
    fakes.ledger.failing = false

    const retried = await deliver(fakes, card.at(1))

    expect(retried).toMatchObject({ status: 'accepted', ledger: { appliedNow: true } })
    expect(statusOf(fakes, card.at(1))).toBe('ok')
  })

  it('keeps the verdict for the retry when the publish fails after the step was applied', async () => {
    const fakes = fakeDeps()
    const card = cardHistory()
    await deliver(fakes, card.at(1))
    fakes.publisher.failing = true
    const failed = await deliver(fakes, card.at(3))
    fakes.publisher.failing = false

    const retried = await deliver(fakes, card.at(3))

    expect(failed).toMatchObject({ status: 'unavailable', ledger: { appliedNow: true } })
    expect(retried).toMatchObject({
      status: 'accepted',
      ledger: { verdict: { status: 'gap' }, appliedNow: false },
    })
    expect(fakes.publisher.published.at(-1)?.attributes.ledger).toBe('gap')
  })

  it('leaves an event without a transaction out of the chain', async () => {
    const fakes = fakeDeps()
    const data = { ...giftEventData(CREATED), transaction: null }
    const body = Buffer.from(JSON.stringify(envelopeFor(CREATED, data)))

    const outcome = await receiveWebhook(fakes.deps, {
      body,
      signature: signPayload(TEST_SECRET, body),
      pathEventType: undefined,
    })

    expect(outcome).toMatchObject({ status: 'accepted', ledger: undefined })
    expect(fakes.ledger.calls).toBe(0)
    expect(fakes.publisher.published[0]?.attributes).not.toHaveProperty('ledger')
  })
})
