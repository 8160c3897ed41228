import { customerIdOf, withoutPersonalData } from '../../../../lib/privacy/personal-data'

const ADA = {
  id: 'cust_ada',
  name: 'Ada Lovelace',
  email: 'ada@example.invalid',
  source_id: 'ada-1815',
  metadata: { region: 'EMEA' },
  object: 'customer',
}
const reduced = { id: 'cust_ada', object: 'customer' }

describe('withoutPersonalData', () => {
  it('reduces the customer and the holder to their ids', () => {
    const data = { customer: ADA, holder: ADA, balance: { amount: 100 } }

    const result = JSON.parse(withoutPersonalData(JSON.stringify(data)))

    expect(result).toEqual({ customer: reduced, holder: reduced, balance: { amount: 100 } })
  })

  it.each(['redemption', 'rollback'])(
    'reduces the customer of the %s and keeps the rest of it',
    (member) => {
      const data = { [member]: { id: 'r_1', customer_id: 'cust_ada', customer: ADA } }

      const result = JSON.parse(withoutPersonalData(JSON.stringify(data)))

      expect(result).toEqual({
        [member]: { id: 'r_1', customer_id: 'cust_ada', customer: reduced },
      })
    },
  )

  it('gives the text back as it came when no customer is in it', () => {
    const text = '{"voucher": {"holder_id": "cust_ada"},  "balance": {"amount": 1}}'

    expect(withoutPersonalData(text)).toBe(text)
  })
})

describe('customerIdOf', () => {
  it('names the customer, else the holder, else the card’s holder id', () => {
    expect(customerIdOf({ customer: ADA, holder: { id: 'cust_b' } })).toBe('cust_ada')
    expect(customerIdOf({ holder: { id: 'cust_b' } })).toBe('cust_b')
    expect(customerIdOf({ voucher: { holder_id: 'cust_c' } })).toBe('cust_c')
    expect(customerIdOf({ voucher: { holder_id: null } })).toBeUndefined()
  })
})
