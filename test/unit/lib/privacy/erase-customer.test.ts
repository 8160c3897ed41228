import { eraseCustomer } from '../../../../lib/privacy/erase-customer'
import type { ErasureStore, PersonalDataItem } from '../../../../lib/privacy/erasure-store'
import { fakeDeps } from '../../../support/fakes/fake-deps'

const EVENT_TYPE = 'voucher.gift.transaction.created'

/** A payload of `customerId` stored as the receiver stores it; its key. */
async function storedPayload(deps: ReturnType<typeof fakeDeps>, customerId: string, id: string) {
  const key = { transaction_id: id, event_type: EVENT_TYPE }
  await deps.store.storePayload({
    ...key,
    payload: JSON.stringify({ customer: { id: customerId, name: 'Ada Unit' } }),
    customer_id: customerId,
  })
  return key
}

describe('eraseCustomer', () => {
  it('records the erasure before it looks for the customer’s data', async () => {
    const world = fakeDeps()
    const calls: string[] = []
    const erasures = world.deps.erasures
    const watched: ErasureStore = {
      isErased: (id) => erasures.isErased(id),
      recordErasure: async (id, erasure) => {
        calls.push('record')
        await erasures.recordErasure(id, erasure)
      },
      findPersonalData: async (id) => {
        calls.push('find')
        return erasures.findPersonalData(id)
      },
      deleteItems: async (items) => {
        calls.push('delete')
        await erasures.deleteItems(items)
      },
    }

    await eraseCustomer({ erasures: watched, clock: world.deps.clock }, 'cust_a', {
      requestedBy: 'operator',
    })

    expect(calls).toEqual(['record', 'find', 'delete'])
  })

  it('deletes the customer’s payloads, keeps another customer’s, and remembers who asked when', async () => {
    const world = fakeDeps()
    const mine = await storedPayload(world, 'cust_a', 'vtx_1')
    const theirs = await storedPayload(world, 'cust_b', 'vtx_2')

    const result = await eraseCustomer(world.deps, 'cust_a', { requestedBy: 'customer.deleted' })

    expect(result).toEqual({ found: [{ key: mine, kind: 'payload' }], erased: 1 })
    expect(world.store.payloadOf(mine)).toBeUndefined()
    expect(world.store.payloadOf(theirs)).toBeDefined()
    expect(world.erasures.erasures.get('cust_a')).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      requestedBy: 'customer.deleted',
    })
  })

  it('changes nothing on a dry run and says what would go', async () => {
    const world = fakeDeps()
    const mine = await storedPayload(world, 'cust_a', 'vtx_1')

    const result = await eraseCustomer(world.deps, 'cust_a', {
      requestedBy: 'operator',
      dryRun: true,
    })

    expect(result).toEqual({ found: [{ key: mine, kind: 'payload' }], erased: 0 })
    expect(world.store.payloadOf(mine)).toBeDefined()
    expect(await world.erasures.isErased('cust_a')).toBe(false)
  })

  it('finds nothing the second time and keeps the first erasure’s time', async () => {
    const world = fakeDeps()
    await storedPayload(world, 'cust_a', 'vtx_1')
    await eraseCustomer(world.deps, 'cust_a', { requestedBy: 'customer.deleted' })
    world.clock.advance(60_000)

    const again = await eraseCustomer(world.deps, 'cust_a', { requestedBy: 'operator' })

    expect(again).toEqual({ found: [], erased: 0 })
    expect(world.erasures.erasures.get('cust_a')).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      requestedBy: 'customer.deleted',
    })
  })

  it('looks again after settling and erases a payload stored meanwhile', async () => {
    jest.useFakeTimers()
    try {
      const world = fakeDeps()
      await storedPayload(world, 'cust_a', 'vtx_1')

      const erasing = eraseCustomer(world.deps, 'cust_a', {
        requestedBy: 'operator',
        settleMs: 10_000,
      })
      await jest.advanceTimersByTimeAsync(5_000)
      const late = await storedPayload(world, 'cust_a', 'vtx_late')
      await jest.advanceTimersByTimeAsync(5_000)
      const result = await erasing

      expect(result.erased).toBe(2)
      expect(result.found.map(({ key }: PersonalDataItem) => key.transaction_id)).toEqual([
        'vtx_1',
        'vtx_late',
      ])
      expect(world.store.payloadOf(late)).toBeUndefined()
    } finally {
      jest.useRealTimers()
    }
  })
})
