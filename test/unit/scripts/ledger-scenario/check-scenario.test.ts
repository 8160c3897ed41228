import { cardHistory } from '../../../../scripts/card-history'
import { buildLedger } from '../../../../scripts/ledger/card-ledger'
import {
  ACCEPTED,
  ARRIVALS,
  checkScenario,
  LOST,
  type ScenarioRun,
} from '../../../../scripts/ledger-scenario/check-scenario'

const card = cardHistory()
/** The verdicts the chain gives the webhooks as they arrive; the rest are ok. */
const ON_ARRIVAL: Record<number, string> = { 6: 'gap', 8: 'gap', 7: 'out_of_order' }
/** And reconcile's #5, older than the head when it comes. */
const AFTER_RECONCILE: Record<number, string> = { ...ON_ARRIVAL, [LOST]: 'out_of_order' }

/** The card's ledger as `npm run ledger` builds it from the stored items of `numbers`. */
function ledgerOf(numbers: readonly number[], verdicts: Record<number, string>, reconciled = 0) {
  return buildLedger(
    card.voucherId,
    numbers.map((number) => {
      const transaction = card.at(number)
      return {
        transaction_id: transaction.id,
        voucher_id: card.voucherId,
        created_at: transaction.createdAt,
        transaction_type: transaction.type,
        amount: transaction.amount,
        balance_after: transaction.balanceAfter,
        ledger_status: verdicts[number] ?? 'ok',
        ...(number === reconciled ? { origin: 'reconcile' } : {}),
      }
    }),
  )
}

/** A run that went as the scenario says it goes. */
function plannedRun(fifo = false): ScenarioRun {
  return {
    card,
    fifo,
    answers: ARRIVALS.map(() => 200),
    before: ledgerOf(ARRIVALS, ON_ARRIVAL),
    reconcileExitCode: 0,
    after: ledgerOf(ACCEPTED, AFTER_RECONCILE, LOST),
    received: ACCEPTED.map((number) => ({
      number,
      ledger: AFTER_RECONCILE[number] ?? 'ok',
      origin: number === LOST ? 'reconcile' : undefined,
      groupId: fifo ? card.voucherId : undefined,
    })),
  }
}

const failedClaims = (run: ScenarioRun) =>
  checkScenario(run)
    .filter((check) => !check.held)
    .map((check) => check.claim)

describe('checkScenario', () => {
  it('holds every claim of a run that went as planned', () => {
    expect(failedClaims(plannedRun())).toEqual([])
  })

  it('makes no claim about order on standard topics', () => {
    const claims = checkScenario(plannedRun()).map((check) => check.claim)

    expect(claims.filter((claim) => claim.startsWith('FIFO'))).toEqual([])
  })

  it('holds the order claim on FIFO topics when the order was kept', () => {
    const checks = checkScenario(plannedRun(true))

    expect(checks.find((check) => check.claim.startsWith('FIFO'))?.held).toBe(true)
  })

  it('fails when a webhook was not answered 200', () => {
    const run = { ...plannedRun(), answers: [...ARRIVALS.slice(1).map(() => 200), 503] }

    expect(failedClaims(run)).toEqual(['every one of the 9 webhooks is answered 200'])
  })

  it('fails when the transaction after the lost one was not flagged a gap', () => {
    const run = { ...plannedRun(), before: ledgerOf(ARRIVALS, { ...ON_ARRIVAL, 6: 'ok' }) }

    expect(failedClaims(run)).toEqual(["the lost #5 shows as a gap at #6, of exactly #5's amount"])
  })

  it('fails when the earlier of the swapped pair was not flagged out of order', () => {
    const run = { ...plannedRun(), before: ledgerOf(ARRIVALS, { ...ON_ARRIVAL, 7: 'ok' }) }

    expect(failedClaims(run)).toEqual([
      'the swap shows: #8 is a gap on arrival, since filled; #7 is out of order',
    ])
  })

  it('fails when the lost transaction was there before reconcile after all', () => {
    const run = { ...plannedRun(), before: ledgerOf(ACCEPTED, ON_ARRIVAL) }

    expect(failedClaims(run)).toContain('the ledger says the chain is broken')
  })

  it('fails when reconcile took nothing in, and the chain stays broken', () => {
    const run = { ...plannedRun(), after: ledgerOf(ARRIVALS, ON_ARRIVAL) }

    expect(failedClaims(run)).toEqual(
      expect.arrayContaining([
        'reconcile takes in #5 from Voucherify, and nothing else',
        'the ledger says the chain is whole again',
      ]),
    )
  })

  it('fails when reconcile exited with a failure', () => {
    const run = { ...plannedRun(), reconcileExitCode: 1 }

    expect(failedClaims(run)).toEqual(['reconcile takes in #5 from Voucherify, and nothing else'])
  })

  it('fails when the subscriber received a transaction twice', () => {
    const planned = plannedRun()
    // #1 twice, and one fewer of the rest: still ten messages.
    const received = [...planned.received.slice(0, 1), ...planned.received.slice(0, -1)]
    const run = { ...planned, received }

    expect(failedClaims(run)).toContain('the subscriber receives each of the ten transactions once')
  })

  it('fails when a message carries another verdict than its transaction got', () => {
    const planned = plannedRun()
    const run = {
      ...planned,
      received: planned.received.map((step) =>
        step.number === 6 ? { ...step, ledger: 'ok' } : step,
      ),
    }

    expect(failedClaims(run)).toEqual([
      "each message carries its transaction's verdict as the `ledger` attribute",
    ])
  })

  it("fails on FIFO topics when the card's messages came in another order", () => {
    const planned = plannedRun(true)
    const run = { ...planned, received: [...planned.received].reverse() }

    expect(failedClaims(run)).toEqual([expect.stringMatching(/^FIFO: /)])
  })

  it('fails on FIFO topics when a message came in another group', () => {
    const planned = plannedRun(true)
    const run = {
      ...planned,
      received: planned.received.map((step) => ({ ...step, groupId: 'v_other' })),
    }

    expect(failedClaims(run)).toEqual([expect.stringMatching(/^FIFO: /)])
  })
})
