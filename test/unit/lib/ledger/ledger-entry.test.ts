import * as v from 'valibot'
import { toLedgerEntry } from '../../../../lib/ledger/ledger-entry'
import { eventSchemas } from '../../../../lib/schemas/registry'
import { seedData } from '../../../../scripts/sample-events'

const FALLBACK = '2026-01-01T00:00:00.000Z'

describe('toLedgerEntry', () => {
  it('normalises the voucher.gift.transaction.created seed', () => {
    const data = v.parse(
      eventSchemas['voucher.gift.transaction.created'],
      seedData['voucher.gift.transaction.created'],
    )

    expect(toLedgerEntry(data, FALLBACK)).toEqual({
      transaction_id: 'vtx_0f1c4589b8cd1c07b2',
      transaction_type: 'CREDITS_ADDITION',
      amount: 1000,
      balance_after: 2000,
      total: 2000,
      voucher_id: 'v_Wi8kP8EW4f1L2yT2N7tfFXxMzZOp7EsS',
      campaign_id: 'camp_gYFHS8RZw9seypbbBPXmRboq',
      campaign_name: 'test gift 1807',
      source: 'voucherify-web-ui',
      created_at: '2024-07-25T13:48:34.908Z',
    })
  })

  it('keeps no customer and no free-text reason of a customer.voucher.gift.balance_added', () => {
    const data = v.parse(
      eventSchemas['customer.voucher.gift.balance_added'],
      seedData['customer.voucher.gift.balance_added'],
    )

    const entry = toLedgerEntry(data, FALLBACK)

    expect(entry).toMatchObject({
      transaction_id: 'vtx_0e6feafe6952a94a54',
      amount: 400,
      balance_after: 15900,
    })
    expect(JSON.stringify(entry)).not.toMatch(/cust_|Refund/)
  })

  it('reads the short transaction of a voucher.gift.balance_added', () => {
    const data = v.parse(
      eventSchemas['voucher.gift.balance_added'],
      seedData['voucher.gift.balance_added'],
    )

    expect(toLedgerEntry(data, FALLBACK)).toMatchObject({
      transaction_id: 'vtx_0e453f45e82ef51f2a',
      voucher_id: 'v_oNia4nTFDqYZOWYJiMpX8ocB6p6ZaEBm',
      campaign_id: 'camp_bfrwAVsP6Q1EM1ZjgHwheKYr',
      created_at: '2024-02-09T13:27:46.844Z',
    })
  })

  it('leaves out what the event sends as null', () => {
    const data = v.parse(
      eventSchemas['voucher.gift.balance_added'],
      seedData['voucher.gift.balance_added'],
    )

    const entry = toLedgerEntry(data, FALLBACK)

    expect(entry.source).toBeUndefined()
  })

  it('leaves out the campaign name of an event that carries none usable', () => {
    const data = v.parse(eventSchemas['customer.voucher.gift.balance_added'], {
      ...seedData['customer.voucher.gift.balance_added'],
      customer: { id: '' },
      voucher: { id: 'v_1', code: '', holder_id: null, campaign: 42 },
      campaign: [],
    })

    const entry = toLedgerEntry(data, FALLBACK)

    expect(entry.campaign_name).toBeUndefined()
  })

  it("names the card by the transaction's voucher id when the balance does not", () => {
    const seed = seedData['voucher.gift.transaction.created']
    const data = v.parse(eventSchemas['voucher.gift.transaction.created'], {
      ...seed,
      balance: { ...(seed.balance as object), related_object: null },
      voucher: null,
    })

    expect(toLedgerEntry(data, FALLBACK).voucher_id).toBe('v_Wi8kP8EW4f1L2yT2N7tfFXxMzZOp7EsS')
  })

  it('dates an event without a transaction by the fallback', () => {
    const data = v.parse(eventSchemas['voucher.gift.transaction.created'], {
      ...seedData['voucher.gift.transaction.created'],
      transaction: null,
    })

    expect(toLedgerEntry(data, FALLBACK)).toMatchObject({
      transaction_id: null,
      created_at: FALLBACK,
    })
  })
})
