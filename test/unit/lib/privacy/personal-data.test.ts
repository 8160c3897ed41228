import {
  customerIdOf,
  eventDataOf,
  withoutPersonalData,
} from '../../../../lib/privacy/personal-data'
import { seedData } from '../../../../scripts/sample-events'

describe('withoutPersonalData', () => {
  it('reduces the holder of a voucher.gift.transaction.created to its id', () => {
    const json = JSON.stringify(seedData['voucher.gift.transaction.created'])

    const data = JSON.parse(withoutPersonalData(json))

    expect(data.holder).toEqual({ id: 'cust_PL4iqfS8K5Ej2LuBNV1RqlfJ', object: 'customer' })
    expect(JSON.stringify(data)).not.toMatch(/John Demo|230724-01/)
  })

  it('reduces the customer of a customer.voucher.gift.balance_added to its id', () => {
    const json = JSON.stringify(seedData['customer.voucher.gift.balance_added'])

    const data = JSON.parse(withoutPersonalData(json))

    expect(data.customer).toEqual({ id: 'cust_IdgAFZxYwwHctOk9pPuMu308', object: 'customer' })
  })

  it.each(['redemption', 'rollback'])(
    'reduces the customer of the %s and keeps the rest of it',
    (member) => {
      const json = JSON.stringify({
        [member]: { id: 'r_1', amount: 5, customer: { id: 'cust_1', name: 'Ann', email: 'a@b.c' } },
      })

      expect(JSON.parse(withoutPersonalData(json))).toEqual({
        [member]: { id: 'r_1', amount: 5, customer: { id: 'cust_1', object: 'customer' } },
      })
    },
  )

  it('gives back the very text when nothing in it is personal', () => {
    const json = '{ "voucher": {"id": "v_1"},  "holder": null, "redemption": null }'

    expect(withoutPersonalData(json)).toBe(json)
  })

  it('keeps every other member as it was written', () => {
    const json = '{"amount": 1e2, "holder": {"id": "c", "name": "N"}, "note": "a\\"b"}'

    expect(withoutPersonalData(json)).toBe(
      '{"amount": 1e2, "holder": {"id":"c","object":"customer"}, "note": "a\\"b"}',
    )
  })

  it('redacts a member whose key is written with escapes', () => {
    const json = '{"hold\\u0065r": {"id": "c", "email": "e@x.y"}}'

    expect(JSON.parse(withoutPersonalData(json))).toEqual({
      holder: { id: 'c', object: 'customer' },
    })
  })
})

describe('customerIdOf', () => {
  it("names the customer, else the holder, else the voucher's holder", () => {
    expect(
      [
        { customer: { id: 'cust_a' }, holder: { id: 'cust_b' } },
        { holder: { id: 'cust_b' }, voucher: { holder_id: 'cust_c' } },
        { voucher: { holder_id: 'cust_c' } },
        { voucher: { holder_id: null } },
        'not an object',
      ].map(customerIdOf),
    ).toEqual(['cust_a', 'cust_b', 'cust_c', undefined, undefined])
  })

  it("reads an envelope's data", () => {
    expect(customerIdOf(eventDataOf({ data: { holder: { id: 'cust_e' } } }))).toBe('cust_e')
  })
})
