// The balance chain's decisions, without I/O: examples for each verdict, then properties over
// generated card histories (consistent sequences, one transaction lost, two swapped).
import fc from 'fast-check'
import {
  assumeChainHolds,
  type ChainEntry,
  chainEntryOf,
  decideStep,
  headMeets,
  type LedgerHead,
  type LedgerStatus,
} from '../../../../lib/ledger/ledger-chain'
import type { TransactionRecord } from '../../../../lib/receive/transaction-store'

const T0 = Date.parse('2026-03-01T09:00:00.000Z')

function entry(id: string, amount: number, balanceAfter: number, minute: number): ChainEntry {
  const createdMs = T0 + minute * 60_000
  return {
    transactionId: id,
    voucherId: 'v_card',
    amount,
    balanceAfter,
    createdAt: new Date(createdMs).toISOString(),
    createdMs,
  }
}

const headAfter = (applied: ChainEntry): LedgerHead => ({
  transactionId: applied.transactionId,
  createdAt: applied.createdAt,
  createdMs: applied.createdMs,
  balance: applied.balanceAfter,
})

/** Applies entries in arrival order as the store would: each against the head the last left. */
function replay(arrivals: readonly ChainEntry[]) {
  let head: LedgerHead | undefined
  const verdicts = new Map<string, LedgerStatus>()
  for (const arrival of arrivals) {
    const step = decideStep(head, arrival)
    verdicts.set(arrival.transactionId, step.verdict.status)
    head = step.next ?? head
  }
  return { head, verdicts }
}

/** A card's history in created order: signed amounts, each balance following from the last. */
const historyArb = fc
  .record({
    opening: fc.integer({ min: 0, max: 100_000 }),
    amounts: fc.array(
      fc.integer({ min: -50_000, max: 50_000 }).filter((amount) => amount !== 0),
      { minLength: 3, maxLength: 12 },
    ),
  })
  .map(({ opening, amounts }) => {
    let balance = opening
    return amounts.map((amount, index) => {
      balance += amount
      return entry(`vtx_${index}`, amount, balance, index)
    })
  })

describe('decideStep', () => {
  it('opens the chain with a card’s first transaction', () => {
    const first = entry('vtx_1', 2_000, 7_000, 0)

    const step = decideStep(undefined, first)

    expect(step).toMatchObject({
      expects: { kind: 'absent' },
      verdict: { status: 'ok', expectedBalance: 5_000, previousTransactionId: null },
      next: headAfter(first),
    })
  })

  it('accepts a redemption whose balance before is the head’s balance', () => {
    const head = headAfter(entry('vtx_1', 2_000, 7_000, 0))

    const step = decideStep(head, entry('vtx_2', -1_500, 5_500, 1))

    expect(step.verdict).toEqual({
      status: 'ok',
      expectedBalance: 7_000,
      previousTransactionId: 'vtx_1',
    })
  })

  it('flags a gap when the balance before is not the head’s, and moves the head on', () => {
    const head = headAfter(entry('vtx_4', -3_000, 4_000, 3))
    // vtx_5, a removal of 500, never arrived: vtx_6 starts from 3 500.
    const next = entry('vtx_6', 1_000, 4_500, 5)

    const step = decideStep(head, next)

    expect(step).toMatchObject({
      expects: { kind: 'is', transactionId: 'vtx_4' },
      verdict: { status: 'gap', expectedBalance: 4_000, previousTransactionId: 'vtx_4' },
      next: headAfter(next),
    })
  })

  it('flags an arrival older than the head as out of order and leaves the head where it is', () => {
    const head = headAfter(entry('vtx_8', -800, 1_200, 7))

    const step = decideStep(head, entry('vtx_7', -2_500, 2_000, 6))

    expect(step).toMatchObject({
      verdict: { status: 'out_of_order', expectedBalance: null, previousTransactionId: 'vtx_8' },
      next: undefined,
    })
  })

  it('treats a transaction created at the same instant as the head, with a later id, as in order', () => {
    const head = headAfter(entry('vtx_1', 1_000, 1_000, 0))

    const step = decideStep(head, entry('vtx_2', -400, 600, 0))

    expect(step.verdict.status).toBe('ok')
  })

  it('treats a transaction created at the same instant as the head, with an earlier id, as out of order', () => {
    const head = headAfter(entry('vtx_2', -400, 600, 0))

    const step = decideStep(head, entry('vtx_1', 1_000, 1_000, 0))

    expect(step).toMatchObject({ verdict: { status: 'out_of_order' }, next: undefined })
  })

  it('compares the instants created_at names, not its text, when offsets differ', () => {
    const base = { key_source: 'transaction', voucher_id: 'v_card' } as const
    const earlier = chainEntryOf({
      ...base,
      transaction_id: 'vtx_1',
      amount: 1_000,
      balance_after: 1_000,
      created_at: '2026-03-01T10:30:00+02:00',
    } as TransactionRecord) as ChainEntry
    const later = chainEntryOf({
      ...base,
      transaction_id: 'vtx_2',
      amount: -400,
      balance_after: 600,
      created_at: '2026-03-01T09:00:00Z',
    } as TransactionRecord) as ChainEntry

    const step = decideStep(headAfter(earlier), later)

    expect(step.verdict.status).toBe('ok')
  })
})

describe('assumeChainHolds', () => {
  it('expects a head at the balance before, no newer than the transaction', () => {
    const refund = entry('vtx_3', 1_500, 7_000, 2)

    const step = assumeChainHolds(refund)

    expect(step).toMatchObject({
      expects: {
        kind: 'continues',
        balance: 5_500,
        createdMs: refund.createdMs,
        transactionId: 'vtx_3',
      },
      verdict: { status: 'ok', expectedBalance: 5_500, previousTransactionId: null },
      next: headAfter(refund),
    })
  })

  it('agrees with the decision for every head it accepts', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (history, pick) => {
        const index = 1 + (pick % (history.length - 1))
        const current = history[index] as ChainEntry
        const head = headAfter(history[index - 1] as ChainEntry)
        const assumed = assumeChainHolds(current)
        fc.pre(headMeets(head, assumed.expects))

        const decided = decideStep(head, current)

        expect(decided.verdict.status).toBe('ok')
        expect(decided.verdict.expectedBalance).toBe(assumed.verdict.expectedBalance)
        expect(decided.next).toEqual(assumed.next)
      }),
    )
  })

  it('is refused by every head that would give another verdict', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.integer({ min: -1_000, max: 1_000 }),
        fc.integer({ min: -5, max: 5 }),
        (history, balanceShift, minuteShift) => {
          const [previous, current] = history as [ChainEntry, ChainEntry]
          const head = {
            ...headAfter(previous),
            balance: previous.balanceAfter + balanceShift,
            createdMs: previous.createdMs + minuteShift * 60_000,
          }

          const decided = decideStep(head, current)

          expect(headMeets(head, assumeChainHolds(current).expects)).toBe(
            decided.verdict.status === 'ok',
          )
        },
      ),
    )
  })
})

describe('headMeets', () => {
  const head = headAfter(entry('vtx_1', 1_000, 3_000, 0))

  it.each([
    ['no head is what `absent` expects', undefined, { kind: 'absent' }, true],
    ['a head is not what `absent` expects', head, { kind: 'absent' }, false],
    ['the named head is what `is` expects', head, { kind: 'is', transactionId: 'vtx_1' }, true],
    ['another head is not what `is` expects', head, { kind: 'is', transactionId: 'vtx_0' }, false],
    ['no head is not what `is` expects', undefined, { kind: 'is', transactionId: 'vtx_1' }, false],
    [
      'no head is what `continues` expects',
      undefined,
      { kind: 'continues', balance: 7, createdMs: 0, transactionId: 'vtx_2' },
      true,
    ],
  ] as const)('%s', (_name, actual, expects, met) => {
    expect(headMeets(actual, expects)).toBe(met)
  })
})

describe('a card’s history applied in arrival order', () => {
  it('is ok throughout when every transaction arrives in order', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { head, verdicts } = replay(history)

        expect([...verdicts.values()].every((status) => status === 'ok')).toBe(true)
        expect(head?.balance).toBe(history.at(-1)?.balanceAfter)
      }),
    )
  })

  it('flags exactly the transaction after a lost one as a gap', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (history, pick) => {
        const lost = pick % (history.length - 1)
        const arrivals = history.filter((_, index) => index !== lost)

        const { verdicts } = replay(arrivals)

        const gaps = [...verdicts].filter(([, status]) => status === 'gap').map(([id]) => id)
        // A card's first transaction opens its chain, so losing it cannot be seen.
        expect(gaps).toEqual(lost === 0 ? [] : [`vtx_${lost + 1}`])
      }),
    )
  })

  it('flags the earlier of two swapped transactions as out of order, and the later as a gap', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (history, pick) => {
        // After the first: a card's first two swapped leave no head to find the gap against.
        const first = 1 + (pick % (history.length - 2))
        const arrivals = [...history]
        ;[arrivals[first], arrivals[first + 1]] = [history[first + 1], history[first]] as [
          ChainEntry,
          ChainEntry,
        ]

        const { head, verdicts } = replay(arrivals)

        const flagged = [...verdicts].filter(([, status]) => status !== 'ok')
        expect(flagged).toEqual([
          [`vtx_${first + 1}`, 'gap'],
          [`vtx_${first}`, 'out_of_order'],
        ])
        expect(head?.balance).toBe(history.at(-1)?.balanceAfter)
      }),
    )
  })
})

describe('chainEntryOf', () => {
  const record = {
    transaction_id: 'vtx_1',
    key_source: 'transaction',
    voucher_id: 'v_card',
    amount: -700,
    balance_after: 1_300,
    created_at: '2026-03-01T09:00:00.000Z',
  } as TransactionRecord

  it('reads a gift transaction', () => {
    expect(chainEntryOf(record)).toEqual({
      transactionId: 'vtx_1',
      voucherId: 'v_card',
      amount: -700,
      balanceAfter: 1_300,
      createdAt: '2026-03-01T09:00:00.000Z',
      createdMs: T0,
    })
  })

  it.each(['event', 'body_sha256'] as const)('leaves out an event keyed by %s', (keySource) => {
    expect(chainEntryOf({ ...record, key_source: keySource })).toBeUndefined()
  })

  it('leaves out a transaction whose balance before is beyond exact arithmetic', () => {
    const huge = { ...record, amount: -10_000_000, balance_after: Number.MAX_SAFE_INTEGER }

    expect(chainEntryOf(huge)).toBeUndefined()
  })
})
