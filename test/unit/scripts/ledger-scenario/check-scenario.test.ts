import { cardHistory } from '../../../../scripts/card-history'
import { type Attestation, buildLedger } from '../../../../scripts/ledger/card-ledger'
import {
  ACCEPTED,
  ARRIVALS,
  checkScenario,
  LOST,
  LOST_LAST,
  LOST_MIDDLE,
  type ScenarioRun,
} from '../../../../scripts/ledger-scenario/check-scenario'

const card = cardHistory()
/** The verdicts the chain gives the webhooks as they arrive; the rest are ok. */
const ON_ARRIVAL: Record<number, string> = { 6: 'gap', 8: 'gap', 7: 'out_of_order' }
/** And the sweep's #5, older than the head when it comes; #10 follows the head. */
const AFTER_SWEEP: Record<number, string> = { ...ON_ARRIVAL, [LOST_MIDDLE]: 'out_of_order' }
/** Taken in by the sweep. */
const SWEPT: Record<number, string> = Object.fromEntries(LOST.map((number) => [number, 'sweep']))
/** What the sweep records on the card's head when its balance is Voucherify's. */
const ATTESTED: Attestation = {
  status: 'attested',
  at: '2026-11-30T12:00:00.000Z',
  balance: card.at(LOST_LAST).balanceAfter,
}

/** The card's ledger as `npm run ledger` builds it from the stored items of `numbers`. */
function ledgerOf(
  numbers: readonly number[],
  verdicts: Record<number, string>,
  origins: Record<number, string> = {},
  attestation: Attestation | null = null,
) {
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
        ...(origins[number] ? { origin: origins[number] } : {}),
      }
    }),
    attestation,
  )
}

/** A run that went as the scenario says it goes. */
function plannedRun(fifo = false): ScenarioRun {
  return {
    card,
    fifo,
    answers: ARRIVALS.map(() => 200),
    before: ledgerOf(ARRIVALS, ON_ARRIVAL),
    sweepExitCode: 0,
    after: ledgerOf(ACCEPTED, AFTER_SWEEP, SWEPT, ATTESTED),
    received: ACCEPTED.map((number) => ({
      number,
      ledger: AFTER_SWEEP[number] ?? 'ok',
      origin: SWEPT[number],
      groupId: fifo ? card.voucherId : undefined,
    })),
  }
}

const failedClaims = (run: ScenarioRun) =>
  checkScenario(run)
    .filter((check) => !check.held)
    .map((check) => check.claim)

const LAST_UNSEEN =
  "the last transaction #10 is not in the ledger before the sweep, and nothing shows it lost: the chain ends at #9, missing #5's amount only"
const SWEEP_TAKES_IN = 'the sweep takes in #5 and #10 and nothing else'
const ATTESTED_CLAIM = "the card is attested: its balance equals Voucherify's"

describe('checkScenario', () => {
  it('holds every claim of a run that went as planned', () => {
    expect(failedClaims(plannedRun())).toEqual([])
  })

  it('makes ten claims on standard topics, none about order', () => {
    const claims = checkScenario(plannedRun()).map((check) => check.claim)

    expect(claims).toHaveLength(10)
    expect(claims.filter((claim) => claim.startsWith('FIFO'))).toEqual([])
  })

  it('holds the order claim on FIFO topics when the order was kept', () => {
    const checks = checkScenario(plannedRun(true))

    expect(checks.find((check) => check.claim.startsWith('FIFO'))?.held).toBe(true)
  })

  it('fails when a webhook was not answered 200', () => {
    const run = { ...plannedRun(), answers: [...ARRIVALS.slice(1).map(() => 200), 503] }

    expect(failedClaims(run)).toEqual(['every one of the 8 webhooks is answered 200'])
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

  it('fails when #5 was there before the sweep after all', () => {
    const run = { ...plannedRun(), before: ledgerOf([...ARRIVALS, LOST_MIDDLE], ON_ARRIVAL) }

    expect(failedClaims(run)).toContain('the ledger says the chain is broken')
  })

  it('fails when the last transaction was there before the sweep after all', () => {
    const run = { ...plannedRun(), before: ledgerOf([...ARRIVALS, LOST_LAST], ON_ARRIVAL) }

    expect(failedClaims(run)).toEqual([LAST_UNSEEN])
  })

  it('fails when the ledger before the sweep misses more than #5', () => {
    // #3 lost as well: #4 then shows +15.00 missing before it, and the total is not #5's alone.
    const arrived = ARRIVALS.filter((number) => number !== 3)
    const run = { ...plannedRun(), before: ledgerOf(arrived, ON_ARRIVAL) }

    expect(failedClaims(run)).toEqual([LAST_UNSEEN])
  })

  it('fails when the sweep took nothing in, and the chain stays broken', () => {
    const run = { ...plannedRun(), after: ledgerOf(ARRIVALS, ON_ARRIVAL) }

    expect(failedClaims(run)).toEqual(
      expect.arrayContaining([
        SWEEP_TAKES_IN,
        'the ledger says the chain is whole again',
        ATTESTED_CLAIM,
      ]),
    )
  })

  it('fails when the sweep took in only the last transaction', () => {
    const after = ledgerOf(ACCEPTED, AFTER_SWEEP, { [LOST_LAST]: 'sweep' }, ATTESTED)

    expect(failedClaims({ ...plannedRun(), after })).toEqual([SWEEP_TAKES_IN])
  })

  it('fails when reconcile, not the sweep, took them in', () => {
    const byHand = Object.fromEntries(LOST.map((number) => [number, 'reconcile']))
    const after = ledgerOf(ACCEPTED, AFTER_SWEEP, byHand, ATTESTED)

    expect(failedClaims({ ...plannedRun(), after })).toEqual([SWEEP_TAKES_IN])
  })

  it('fails when the sweep exited with a failure', () => {
    const run = { ...plannedRun(), sweepExitCode: 1 }

    expect(failedClaims(run)).toEqual([SWEEP_TAKES_IN])
  })

  it('fails when the sweep recorded no attestation', () => {
    const run = { ...plannedRun(), after: ledgerOf(ACCEPTED, AFTER_SWEEP, SWEPT) }

    expect(failedClaims(run)).toEqual([ATTESTED_CLAIM])
  })

  it("fails when the sweep found the card's balance apart from Voucherify's", () => {
    const unattested: Attestation = { status: 'unattested', at: ATTESTED.at, difference: -2_000 }
    const run = { ...plannedRun(), after: ledgerOf(ACCEPTED, AFTER_SWEEP, SWEPT, unattested) }

    expect(failedClaims(run)).toEqual([ATTESTED_CLAIM])
  })

  it("fails when the attested balance is not Voucherify's", () => {
    const other: Attestation = { ...ATTESTED, balance: card.at(9).balanceAfter }
    const run = { ...plannedRun(), after: ledgerOf(ACCEPTED, AFTER_SWEEP, SWEPT, other) }

    expect(failedClaims(run)).toEqual([ATTESTED_CLAIM])
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

  it('fails on FIFO topics when the sweep took #10 in before #5', () => {
    const planned = plannedRun(true)
    const received = [
      ...planned.received.slice(0, ARRIVALS.length),
      ...planned.received.slice(ARRIVALS.length).reverse(),
    ]

    expect(failedClaims({ ...planned, received })).toEqual([expect.stringMatching(/^FIFO: /)])
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
