import type { ErasureStore } from '../../../lib/privacy/erasure-store'
import type { TransactionKey, TransactionStore } from '../../../lib/receive/transaction-store'
import { randomId } from '../../../scripts/sample-events'

export interface ErasureContractSubject {
  erasures: ErasureStore
  /** Writes payload and quarantine items to the same table the erasure store reads. */
  transactions: TransactionStore
  /** Every erasure the store remembers, as written (a hash in place of the id for the adapter). */
  erasureRecords(): Promise<Array<{ at: string; requestedBy: string }>>
  /** Reads an item back by its table key (`#payload:<event type>` for a payload). */
  read(key: TransactionKey): Promise<Record<string, unknown> | undefined>
}

const EVENT_TYPE = 'voucher.gift.transaction.created'
const AT = '2026-01-01T00:00:00.000Z'
const LATER = '2026-02-01T00:00:00.000Z'

const payloadTableKey = (key: TransactionKey) => ({
  transaction_id: key.transaction_id,
  event_type: `#payload:${key.event_type}`,
})

/** One payload item and one quarantine item of `customerId`; their keys as the port names them. */
async function storeCustomerData(transactions: TransactionStore, customerId: string) {
  const payload = { transaction_id: randomId('vtx'), event_type: EVENT_TYPE }
  await transactions.storePayload({
    ...payload,
    payload: JSON.stringify({ customer: { id: customerId, name: 'Ada Contract' } }),
    customer_id: customerId,
    expires_at: 1_800_000_000,
  })
  const quarantine = {
    transaction_id: `quarantine:sha256:${randomId('q')}`,
    event_type: EVENT_TYPE,
  }
  await transactions.quarantine({
    ...quarantine,
    delivery: 'envelope',
    payload: JSON.stringify({ holder: { id: customerId, email: 'ada@example.invalid' } }),
    issues: [{ path: 'data.balance', message: 'is required' }],
    received_at: AT,
    customer_id: customerId,
    expires_at: 1_800_000_000,
  })
  return { payload, quarantine }
}

/** The rules every ErasureStore must follow; run against the fake and the real adapter. */
export function describeErasureStoreContract(
  name: string,
  subject: () => Promise<ErasureContractSubject>,
) {
  describe(`${name} (ErasureStore contract)`, () => {
    it('does not count a customer as erased until the erasure is recorded', async () => {
      const { erasures } = await subject()
      const customerId = randomId('cust')

      const before = await erasures.isErased(customerId)
      await erasures.recordErasure(customerId, { at: AT, requestedBy: 'operator' })
      const after = await erasures.isErased(customerId)

      expect([before, after]).toEqual([false, true])
    })

    it('counts only the recorded customer as erased', async () => {
      const { erasures } = await subject()
      const erased = randomId('cust')

      await erasures.recordErasure(erased, { at: AT, requestedBy: 'operator' })

      expect(await erasures.isErased(randomId('cust'))).toBe(false)
    })

    it('keeps the first erasure’s time and requester when the erasure is recorded again', async () => {
      const { erasures, erasureRecords } = await subject()
      const customerId = randomId('cust')

      await erasures.recordErasure(customerId, { at: AT, requestedBy: 'customer.deleted' })
      await erasures.recordErasure(customerId, { at: LATER, requestedBy: 'operator' })

      expect(await erasureRecords()).toEqual([{ at: AT, requestedBy: 'customer.deleted' }])
      expect(await erasures.isErased(customerId)).toBe(true)
    })

    it('finds the payload and quarantine items of that customer and of no other', async () => {
      const { erasures, transactions } = await subject()
      const customerId = randomId('cust')
      const mine = await storeCustomerData(transactions, customerId)
      await storeCustomerData(transactions, randomId('cust'))

      const found = await erasures.findPersonalData(customerId)

      const byKind = (kind: string) => found.filter((item) => item.kind === kind)
      expect(found).toHaveLength(2)
      expect(byKind('payload').map(({ key }) => key)).toEqual([mine.payload])
      expect(byKind('quarantine').map(({ key }) => key)).toEqual([mine.quarantine])
    })

    it('finds nothing for a customer no item names', async () => {
      const { erasures, transactions } = await subject()
      await storeCustomerData(transactions, randomId('cust'))

      expect(await erasures.findPersonalData(randomId('cust'))).toEqual([])
    })

    it('deletes the items it found, and leaves another customer’s', async () => {
      const { erasures, transactions, read } = await subject()
      const customerId = randomId('cust')
      const mine = await storeCustomerData(transactions, customerId)
      const theirs = await storeCustomerData(transactions, randomId('cust'))

      await erasures.deleteItems(await erasures.findPersonalData(customerId))

      expect(await read(payloadTableKey(mine.payload))).toBeUndefined()
      expect(await read(mine.quarantine)).toBeUndefined()
      expect(await erasures.findPersonalData(customerId)).toEqual([])
      expect(await read(payloadTableKey(theirs.payload))).toBeDefined()
      expect(await read(theirs.quarantine)).toBeDefined()
    })

    it('deletes more items than one batch holds', async () => {
      const { erasures, transactions } = await subject()
      const customerId = randomId('cust')
      for (let i = 0; i < 15; i++) await storeCustomerData(transactions, customerId)
      const found = await erasures.findPersonalData(customerId)

      await erasures.deleteItems(found)

      expect(found).toHaveLength(30)
      expect(await erasures.findPersonalData(customerId)).toEqual([])
    })

    it('deletes nothing when handed no items', async () => {
      const { erasures } = await subject()

      await expect(erasures.deleteItems([])).resolves.toBeUndefined()
    })
  })
}
