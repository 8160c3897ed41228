import type { CardTransaction } from '../card-history'
import type { CardLedger, LedgerRow } from '../ledger/card-ledger'

/** Voucherify never delivers #5 (a removal of 5.00). */
export const LOST = 5
/** The webhooks as they arrive: #5 is lost on the way, #8 overtakes #7. */
export const ARRIVALS: readonly number[] = [1, 2, 3, 4, 6, 8, 7, 9, 10]
/** The order the service takes the card's transactions in: the webhooks, then reconcile's #5. */
export const ACCEPTED: readonly number[] = [...ARRIVALS, LOST]

/** One message as the scenario's subscriber received it. */
export interface ReceivedStep {
  /** The transaction's number in the card's history; undefined for a stranger. */
  number: number | undefined
  /** The `ledger` message attribute: the chain's verdict when it arrived. */
  ledger: string | undefined
  /** The `origin` message attribute: `reconcile` for what reconcile took in. */
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
  reconcileExitCode: number
  after: CardLedger
  received: ReceivedStep[]
}

export interface Check {
  claim: string
  held: boolean
}

const numbers = (list: readonly number[]) => list.map((number) => `#${number}`).join(' ')

/** What the scenario sets out to show, each claim with whether the run bears it out. */
export function checkScenario(run: ScenarioRun): Check[] {
  const { card, before, after, received } = run
  const idOf = (number: number) => card.transactions[number - 1]?.id
  const row = (ledger: CardLedger, number: number): LedgerRow | undefined =>
    ledger.rows.find((candidate) => candidate.transaction_id === idOf(number))
  const flagged = (ledger: CardLedger, number: number, flag: string) =>
    row(ledger, number)?.flags.includes(flag) === true
  const lostAmount = card.transactions[LOST - 1]?.amount

  const checks: Check[] = [
    {
      claim: `every one of the ${ARRIVALS.length} webhooks is answered 200`,
      held: run.answers.length === ARRIVALS.length && run.answers.every((status) => status === 200),
    },
    {
      claim: `the lost #${LOST} shows as a gap at #${LOST + 1}, of exactly #${LOST}'s amount`,
      held:
        flagged(before, LOST + 1, 'gap') && row(before, LOST + 1)?.missing_amount === lostAmount,
    },
    {
      claim: 'the swap shows: #8 is a gap on arrival, since filled; #7 is out of order',
      held: flagged(before, 8, 'gap_filled') && flagged(before, 7, 'out_of_order'),
    },
    { claim: 'the ledger says the chain is broken', held: !before.whole },
    {
      claim: `reconcile takes in #${LOST} from Voucherify, and nothing else`,
      held:
        run.reconcileExitCode === 0 &&
        after.transactions === card.transactions.length &&
        after.backfilled === 1 &&
        flagged(after, LOST, 'backfilled'),
    },
    { claim: 'the ledger says the chain is whole again', held: after.whole },
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
