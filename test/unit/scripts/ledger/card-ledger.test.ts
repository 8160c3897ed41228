import { buildLedger, formatTable, money } from '../../../../scripts/ledger/card-ledger'

const CREATED = 'voucher.gift.transaction.created'
const BALANCE_ADDED = 'voucher.gift.balance_added'

/** An index item as the ledger reads it. */
const item = (
  id: string,
  minute: number,
  amount: number,
  balanceAfter: number,
  extra: Record<string, unknown> = {},
) => ({
  transaction_id: id,
  event_type: CREATED,
  voucher_id: 'v_card',
  created_at: new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString(),
  transaction_type: amount < 0 ? 'CREDITS_REDEMPTION' : 'CREDITS_ADDITION',
  amount,
  balance_after: balanceAfter,
  ledger_status: 'ok',
  ...extra,
})

describe('buildLedger', () => {
  it('keeps one row per transaction, from the item that carries a verdict', () => {
    const unpublished = { ...item('vtx_1', 0, 2_000, 7_000), event_type: BALANCE_ADDED }
    delete (unpublished as Record<string, unknown>).ledger_status

    const ledger = buildLedger('v_card', [unpublished, item('vtx_1', 0, 2_000, 7_000)])

    expect(ledger.rows).toEqual([expect.objectContaining({ ledger_status: 'ok', flags: [] })])
  })

  it('orders transactions by the instant they happened', () => {
    const late = { ...item('vtx_2', 0, -500, 6_500), created_at: '2026-03-01T10:30:00+01:00' }

    const ledger = buildLedger('v_card', [late, item('vtx_1', 10, 2_000, 7_000)])

    expect(ledger.rows.map((row) => row.transaction_id)).toEqual(['vtx_1', 'vtx_2'])
  })

  it('runs the balance from the amounts, and shows what a missing transaction took away', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      // A removal of 5.00 in between never arrived.
      item('vtx_3', 2, 1_000, 7_500, {
        ledger_status: 'gap',
        expected_balance: 7_000,
        previous_transaction_id: 'vtx_1',
      }),
    ])

    expect(ledger).toMatchObject({
      opening_balance: 5_000,
      closing_balance: 7_500,
      running_balance: 8_000,
      gaps: 1,
      rows: [
        { running_balance: 7_000, missing_amount: null, flags: [] },
        { running_balance: 8_000, missing_amount: -500, flags: ['gap'] },
      ],
    })
  })

  it('marks a gap as filled once the transaction it missed has arrived', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, -2_500, 2_000, { ledger_status: 'out_of_order' }),
      item('vtx_2', 1, -800, 1_200, { ledger_status: 'gap', expected_balance: 4_500 }),
    ])

    expect(ledger.rows.map((row) => row.flags)).toEqual([['out_of_order'], ['gap', 'gap_filled']])
  })

  it('flags a break in the balances that no verdict recorded, and a row without a verdict', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_2', 1, -700, 5_000, { ledger_status: undefined }),
    ])

    expect(ledger.rows[1]?.flags).toEqual(['missing', 'unverified'])
  })

  it('flags a transaction taken in by reconcile as backfilled, not out of order', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_2', 1, -500, 6_500, { ledger_status: 'out_of_order', origin: 'reconcile' }),
    ])

    expect(ledger.rows[1]).toMatchObject({ origin: 'reconcile', flags: ['backfilled'] })
  })

  it('counts backfilled transactions apart from webhooks that arrived out of order', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000, { ledger_status: 'out_of_order' }),
      item('vtx_2', 1, -500, 6_500, { ledger_status: 'out_of_order', origin: 'reconcile' }),
      item('vtx_3', 2, -500, 6_000, { ledger_status: 'out_of_order', origin: 'reconcile' }),
      item('vtx_4', 3, 1_000, 7_000),
    ])

    expect(ledger).toMatchObject({ out_of_order: 1, backfilled: 2 })
  })

  it('calls the chain broken while a transaction is missing', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_3', 2, 1_000, 7_500, { ledger_status: 'gap', expected_balance: 7_000 }),
    ])

    expect(ledger.whole).toBe(false)
  })

  it('calls the chain whole once the missing transaction is present', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_2', 1, -500, 6_500, { ledger_status: 'out_of_order', origin: 'reconcile' }),
      item('vtx_3', 2, 1_000, 7_500, { ledger_status: 'gap', expected_balance: 7_000 }),
    ])

    expect(ledger.whole).toBe(true)
  })

  it('leaves out events without a transaction', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      { ...item('event:evgt_1', 1, 100, 7_100), transaction_type: null },
    ])

    expect(ledger.transactions).toBe(1)
  })
})

describe('formatTable', () => {
  it('prints one line per transaction and what the running balance leaves unaccounted', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_3', 2, 1_000, 7_500, { ledger_status: 'gap', expected_balance: 7_000 }),
    ])

    const lines = formatTable(ledger).split('\n')

    expect(lines[0]).toMatch(
      /^created_at\s+transaction\s+type\s+amount\s+balance after\s+running\s+flags$/,
    )
    expect(lines[2]).toMatch(
      /^2026-03-01T09:02:00.000Z\s+vtx_3\s+CREDITS_ADDITION\s+\+10\.00\s+75\.00\s+80\.00\s+gap: -5\.00 missing before \(expected 70\.00\)$/,
    )
    expect(lines.at(-1)).toBe(
      'Opening 50.00, balance 75.00, running 80.00: ' +
        'the chain is broken, -5.00 in transactions never received.',
    )
  })

  it('names a backfilled transaction as taken in by reconcile', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_2', 1, -500, 6_500, { ledger_status: 'out_of_order', origin: 'reconcile' }),
    ])

    const lines = formatTable(ledger).split('\n')

    expect(lines[2]).toMatch(/\s+taken in by reconcile$/)
  })

  it('names a transaction the sweep took in as taken in by sweep', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_2', 1, -500, 6_500, { ledger_status: 'ok', origin: 'sweep' }),
    ])

    const lines = formatTable(ledger).split('\n')

    expect(lines[2]).toMatch(/\s+taken in by sweep$/)
  })

  it("says when the last sweep found the card's balance equal to Voucherify's", () => {
    const ledger = buildLedger('v_card', [item('vtx_1', 0, 2_000, 7_000)], {
      status: 'attested',
      at: '2026-03-02T10:00:00.000Z',
      balance: 7_000,
    })

    expect(formatTable(ledger).split('\n').at(-1)).toBe(
      "Attested 2026-03-02T10:00:00.000Z: the balance equals Voucherify's (70.00).",
    )
  })

  it("says by how much the card's balance differs from Voucherify's when the sweep found it so", () => {
    const ledger = buildLedger('v_card', [item('vtx_1', 0, 2_000, 7_000)], {
      status: 'unattested',
      at: '2026-03-02T10:00:00.000Z',
      difference: -500,
    })

    expect(formatTable(ledger).split('\n').at(-1)).toBe(
      "UNATTESTED 2026-03-02T10:00:00.000Z: Voucherify's balance differs by -5.00.",
    )
  })

  it('sums up a whole chain with its backfills', () => {
    const ledger = buildLedger('v_card', [
      item('vtx_1', 0, 2_000, 7_000),
      item('vtx_2', 1, -500, 6_500, { ledger_status: 'out_of_order', origin: 'reconcile' }),
      item('vtx_3', 2, 1_000, 7_500, { ledger_status: 'gap', expected_balance: 7_000 }),
    ])

    const lines = formatTable(ledger).split('\n')

    expect(lines.slice(-2)).toEqual([
      "Gift card v_card: 3 transactions; on arrival 1 gap and 0 out of order; 1 taken in from Voucherify's API.",
      'Opening 50.00, balance 75.00, running 75.00: the chain is whole, every change accounted for.',
    ])
  })

  it('writes one transaction and two gaps in the singular and the plural', () => {
    const twoGaps = buildLedger('v_card', [
      item('vtx_2', 1, 1_000, 8_000, { ledger_status: 'gap', expected_balance: 7_000 }),
      item('vtx_4', 3, 1_000, 9_500, { ledger_status: 'gap', expected_balance: 9_000 }),
    ])
    const oneTransaction = buildLedger('v_card', [item('vtx_1', 0, 2_000, 7_000)])

    const summaries = [formatTable(oneTransaction), formatTable(twoGaps)].map((table) =>
      table.split('\n').at(-2),
    )

    expect(summaries).toEqual([
      'Gift card v_card: 1 transaction; on arrival 0 gaps and 0 out of order.',
      'Gift card v_card: 2 transactions; on arrival 2 gaps and 0 out of order.',
    ])
  })
})

describe('money', () => {
  it.each([
    [1500, false, '15.00'],
    [-705, false, '-7.05'],
    [5, true, '+0.05'],
    [0, true, '0.00'],
  ])('writes %p cents (signed: %p) as %p', (cents, signed, text) => {
    expect(money(cents, signed)).toBe(text)
  })
})
