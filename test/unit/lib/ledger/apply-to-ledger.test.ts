import {
  applyToLedger,
  LedgerContentionError,
  MAX_LEDGER_ATTEMPTS,
} from '../../../../lib/ledger/apply-to-ledger'
import type { ChainEntry } from '../../../../lib/ledger/ledger-chain'
import type { LedgerStore } from '../../../../lib/ledger/ledger-store'
import { ManualClock } from '../../../support/fakes/fake-deps'
import { InMemoryLedgerStore } from '../../../support/fakes/in-memory-ledger-store'

const T0 = Date.parse('2026-03-01T09:00:00.000Z')
const CREATED = 'voucher.gift.transaction.created'

const entry = (id: string, amount: number, balanceAfter: number, minute: number): ChainEntry => ({
  transactionId: id,
  voucherId: 'v_card',
  amount,
  balanceAfter,
  createdAt: new Date(T0 + minute * 60_000).toISOString(),
  createdMs: T0 + minute * 60_000,
})

const depsWith = (ledger: LedgerStore) => ({ ledger, clock: new ManualClock().read })

function setup() {
  const ledger = new InMemoryLedgerStore()
  return { deps: depsWith(ledger), ledger }
}

describe('applyToLedger', () => {
  it('applies a transaction that continues the chain in one call', async () => {
    const { deps, ledger } = setup()
    await applyToLedger(deps, entry('vtx_1', 2_000, 7_000, 0), CREATED)
    ledger.calls = 0

    const outcome = await applyToLedger(deps, entry('vtx_2', -1_500, 5_500, 1), CREATED)

    expect(outcome).toEqual({
      verdict: { status: 'ok', expectedBalance: 7_000, previousTransactionId: null },
      appliedNow: true,
      eventType: CREATED,
    })
    expect(ledger.calls).toBe(1)
  })

  it('opens a card’s chain in one call', async () => {
    const { deps, ledger: store } = setup()

    await applyToLedger(deps, entry('vtx_1', 2_000, 7_000, 0), CREATED)

    expect(store.calls).toBe(1)
  })

  it('decides a gap against the head the refusal carried, in a second call', async () => {
    const { deps, ledger: store } = setup()
    await applyToLedger(deps, entry('vtx_4', -3_000, 4_000, 3), CREATED)
    store.calls = 0

    const outcome = await applyToLedger(deps, entry('vtx_6', 1_000, 4_500, 5), CREATED)

    expect(outcome.verdict).toEqual({
      status: 'gap',
      expectedBalance: 4_000,
      previousTransactionId: 'vtx_4',
    })
    expect(store.calls).toBe(2)
  })

  it('returns the recorded verdict, not applied now, for a transaction applied before', async () => {
    const { deps } = setup()
    await applyToLedger(deps, entry('vtx_1', 2_000, 7_000, 0), CREATED)
    const gap = entry('vtx_3', 100, 9_000, 2)
    await applyToLedger(deps, gap, CREATED)

    const again = await applyToLedger(deps, gap, 'voucher.gift.balance_added')

    expect(again).toMatchObject({ verdict: { status: 'gap' }, appliedNow: false })
  })

  it('tries again after colliding with another write', async () => {
    const { deps, ledger: store } = setup()
    store.conflicts = 2

    const outcome = await applyToLedger(deps, entry('vtx_1', 2_000, 7_000, 0), CREATED)

    expect(outcome.appliedNow).toBe(true)
    expect(store.calls).toBe(3)
  })

  it(`gives up after ${MAX_LEDGER_ATTEMPTS} attempts on a head that moves every time`, async () => {
    let moves = 0
    // A port stub: the head another writer moves between every two attempts.
    const restless: LedgerStore = {
      applyStep: async () => ({
        status: 'head_changed',
        head: {
          transactionId: `vtx_other_${++moves}`,
          createdAt: '',
          createdMs: 0,
          balance: moves,
        },
      }),
    }
    const deps = depsWith(restless)

    const applying = applyToLedger(deps, entry('vtx_1', 2_000, 7_000, 0), CREATED)

    await expect(applying).rejects.toBeInstanceOf(LedgerContentionError)
    expect(moves).toBe(MAX_LEDGER_ATTEMPTS)
  })
})
