import type { CardTransaction } from '../card-history'
import type { CardLedger, LedgerRow } from '../ledger/card-ledger'

/** Voucherify never delivers #5 (a removal of 5.00): the next transaction shows the gap. */
export const LOST_MIDDLE = 5
/** Nor the card's last, #10: no later transaction comes to show it. */
export const LOST_LAST = 10
/** What the webhooks lose, oldest first: what the sweep has to take in. */
export const LOST: readonly number[] = [LOST_MIDDLE, LOST_LAST]
/** The webhooks as they arrive: #5 and #10 are lost on the way, #8 overtakes #7. */
export const ARRIVALS: readonly number[] = [1, 2, 3, 4, 6, 8, 7, 9]
/**
 * The order the service takes the card's transactions in: the webhooks, then the sweep's, which
 * takes a page's missing transactions in oldest first.
 */
export const ACCEPTED: readonly number[] = [...ARRIVALS, ...LOST]

/** One message as the scenario's subscriber received it. */
export interface ReceivedStep {
  /** The transaction's number in the card's history; undefined for a stranger. */
  number: number | undefined
  /** The `ledger` message attribute: the chain's verdict when it arrived. */
  ledger: string | undefined
  /** The `origin` message attribute: `sweep` for what the sweep took in. */
  origin: string | undefined
  /** FIFO queues only. */
  groupId: string | undefined
}

/** What the scenario saw, step by step. */
export interface ScenarioRun {
  card: { voucherId: string; transactions: readonly CardTransaction[] }
  fifo: boolean
  /** The HTTP status of each webhook, in ARRIVALS order. */
  answers: number[]
  before: CardLedger
  sweepExitCode: number
  /** The ledger after the sweep, with the attestation it recorded on the card's head. */
  after: CardLedger
  received: ReceivedStep[]
}

export interface Check {
  claim: string
  held: boolean
}

const numbers = (list: readonly number[]) => list.map((number) => `#${number}`).join(' ')

/** What the rows of a ledger show missing before them, in all. */
const missingInAll = (ledger: CardLedger) =>
  ledger.rows.reduce((sum, row) => sum + (row.missing_amount ?? 0), 0)

/** What the scenario sets out to show, each claim with whether the run bears it out. */
export function checkScenario(run: ScenarioRun): Check[] {
  const { card, before, after, received } = run
  const idOf = (number: number) => card.transactions[number - 1]?.id
  const row = (ledger: CardLedger, number: number): LedgerRow | undefined =>
    ledger.rows.find((candidate) => candidate.transaction_id === idOf(number))
  const flagged = (ledger: CardLedger, number: number, flag: string) =>
    row(ledger, number)?.flags.includes(flag) === true
  const sweptIn = (number: number) =>
    flagged(after, number, 'backfilled') && row(after, number)?.origin === 'sweep'
  const middleAmount = card.transactions[LOST_MIDDLE - 1]?.amount
  const voucherifyBalance = card.transactions.at(-1)?.balanceAfter

  const checks: Check[] = [
    {
      claim: `every one of the ${ARRIVALS.length} webhooks is answered 200`,
      held: run.answers.length === ARRIVALS.length && run.answers.every((status) => status === 200),
    },
    {
      claim: `the lost #${LOST_MIDDLE} shows as a gap at #${LOST_MIDDLE + 1}, of exactly #${LOST_MIDDLE}'s amount`,
      held:
        flagged(before, LOST_MIDDLE + 1, 'gap') &&
        row(before, LOST_MIDDLE + 1)?.missing_amount === middleAmount,
    },
    {
      claim: 'the swap shows: #8 is a gap on arrival, since filled; #7 is out of order',
      held: flagged(before, 8, 'gap_filled') && flagged(before, 7, 'out_of_order'),
    },
    { claim: 'the ledger says the chain is broken', held: !before.whole },
    {
      claim:
        `the last transaction #${LOST_LAST} is not in the ledger before the sweep, and nothing ` +
        `shows it lost: the chain ends at #${LOST_LAST - 1}, missing #${LOST_MIDDLE}'s amount only`,
      held:
        row(before, LOST_LAST) === undefined &&
        before.rows.at(-1)?.transaction_id === idOf(LOST_LAST - 1) &&
        missingInAll(before) === middleAmount,
    },
    {
      claim: `the sweep takes in #${LOST_MIDDLE} and #${LOST_LAST} and nothing else`,
      held:
        run.sweepExitCode === 0 &&
        after.transactions === card.transactions.length &&
        after.backfilled === LOST.length &&
        LOST.every(sweptIn),
    },
    { claim: 'the ledger says the chain is whole again', held: after.whole },
    {
      claim: "the card is attested: its balance equals Voucherify's",
      held:
        after.attestation?.status === 'attested' &&
        after.attestation.balance === voucherifyBalance &&
        after.closing_balance === voucherifyBalance,
    },
    {
      claim: 'the subscriber receives each of the ten transactions once',
      held:
        received.length === card.transactions.length &&
        new Set(received.map((step) => step.number)).size === card.transactions.length &&
        received.every((step) => step.number !== undefined),
    },
    {
      claim: "each message carries its transaction's verdict as the `ledger` attribute",
      held: received.every(
        (step) =>
          step.number !== undefined &&
          step.ledger !== undefined &&
          step.ledger === row(after, step.number)?.ledger_status,
      ),
    },
  ]
  if (run.fifo) {
    const order = received.map((step) => step.number ?? 0)
    checks.push({
      claim: `FIFO: the card's messages come in one group, in the order taken in (${numbers(ACCEPTED)})`,
      held:
        order.join() === ACCEPTED.join() &&
        received.every((step) => step.groupId === card.voucherId),
    })
  }
  return checks
}
