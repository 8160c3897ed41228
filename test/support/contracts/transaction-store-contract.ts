import type { TransactionRecord, TransactionStore } from '../../../lib/receive/transaction-store'
import { randomId } from '../../../scripts/sample-events'

export interface ContractSubject {
  store: TransactionStore
  /** Reads the stored item back, as the adapter wrote it. */
  read(key: {
    transaction_id: string
    event_type: string
  }): Promise<Record<string, unknown> | undefined>
  /** Reads a transaction's payload item back: its body as text, and the rest as written. */
  readPayload(key: {
    transaction_id: string
    event_type: string
  }): Promise<{ body: string; item: Record<string, unknown> } | undefined>
}

const NOW = Date.parse('2026-01-01T00:00:00.000Z')
const at = (ms: number) => new Date(NOW + ms).toISOString()

function newRecord(): TransactionRecord {
  return {
    transaction_id: randomId('vtx'),
    event_type: 'voucher.gift.transaction.created',
    key_source: 'transaction',
    transaction_type: 'CREDITS_ADDITION',
    amount: 1000,
    balance_after: 2000,
    total: 2000,
    voucher_id: 'v_contract',
    source: 'API',
    created_at: at(0),
    delivery: 'envelope',
    webhook_id: 'whs_1',
    event_id: 'evgt_1',
    project_id: 'proj_1',
    received_at: at(0),
  }
}

/** The rules every TransactionStore must follow; run against the fake and the real adapter. */
export function describeTransactionStoreContract(name: string, subject: () => ContractSubject) {
  describe(`${name} (TransactionStore contract)`, () => {
    const claim = (token: string, leaseMs = 15_000) => ({ token, expiresAt: NOW + leaseMs })

    it('stores the record and its claim on the first delivery', async () => {
      const { store, read } = subject()
      const record = newRecord()

      const state = await store.recordDelivery(record, claim('a'), at(0))

      expect(state).toEqual({
        status: 'claimed',
        claimToken: 'a',
        leaseExpiresAt: NOW + 15_000,
        receivedCount: 1,
      })
      expect(await read(record)).toMatchObject({ ...record, status: 'claimed', received_count: 1 })
    })

    it('keeps the first claim and record when the same transaction is delivered again', async () => {
      const { store, read } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))

      const state = await store.recordDelivery({ ...record, amount: 2000 }, claim('b'), at(1))

      expect(state).toMatchObject({ status: 'claimed', claimToken: 'a', receivedCount: 2 })
      expect(await read(record)).toMatchObject({ amount: 1000, last_received_at: at(1) })
    })

    it('reports a published transaction with its message id', async () => {
      const { store } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))
      await store.markPublished(record, 'a', { messageId: 'm-1', publishedAt: at(1) })

      const state = await store.recordDelivery(record, claim('b'), at(2))

      expect(state).toEqual({ status: 'published', messageId: 'm-1', receivedCount: 2 })
    })

    it('records the transaction’s ledger verdict with the publication', async () => {
      const { store, read } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))
      const ledger = {
        status: 'gap' as const,
        expectedBalance: 1500,
        previousTransactionId: 'vtx_0',
      }

      await store.markPublished(record, 'a', { messageId: 'm-1', publishedAt: at(1), ledger })

      expect(await read(record)).toMatchObject({
        status: 'published',
        ledger_status: 'gap',
        expected_balance: 1500,
        previous_transaction_id: 'vtx_0',
      })
    })

    it('leaves out the parts of a verdict that are not known', async () => {
      const { store, read } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))
      const ledger = {
        status: 'out_of_order' as const,
        expectedBalance: null,
        previousTransactionId: null,
      }

      await store.markPublished(record, 'a', { messageId: 'm-1', publishedAt: at(1), ledger })

      const item = await read(record)
      expect(item).toMatchObject({ ledger_status: 'out_of_order' })
      expect(item).not.toHaveProperty('expected_balance')
      expect(item).not.toHaveProperty('previous_transaction_id')
    })

    it('refuses to mark published for a delivery that does not hold the claim', async () => {
      const { store, read } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))

      const marked = await store.markPublished(record, 'b', {
        messageId: 'm-1',
        publishedAt: at(1),
      })

      expect(marked).toBe(false)
      expect(await read(record)).toMatchObject({ status: 'claimed' })
    })

    it('hands an expired claim to exactly one of two deliveries taking it over', async () => {
      const { store } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))

      const results = await Promise.all([
        store.takeOverClaim(record, 'a', claim('b', 30_000)),
        store.takeOverClaim(record, 'a', claim('c', 30_000)),
      ])

      expect(results.sort()).toEqual([false, true])
    })

    it('treats a take-over resent after a lost answer as its own', async () => {
      const { store } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))
      await store.takeOverClaim(record, 'a', claim('b', 30_000))

      const resent = await store.takeOverClaim(record, 'a', claim('b', 30_000))

      expect(resent).toBe(true)
    })

    it('ends a claim early when its holder releases it', async () => {
      const { store } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))

      await store.releaseClaim(record, 'a', NOW + 5)
      const state = await store.recordDelivery(record, claim('b'), at(1))

      expect(state).toMatchObject({ status: 'claimed', claimToken: 'a', leaseExpiresAt: NOW + 5 })
    })

    it('ignores a release by a delivery that does not hold the claim', async () => {
      const { store } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))

      await store.releaseClaim(record, 'b', NOW + 5)
      const state = await store.recordDelivery(record, claim('c'), at(1))

      expect(state).toMatchObject({ leaseExpiresAt: NOW + 15_000 })
    })

    it('keeps a quarantined payload once, counting every delivery of it', async () => {
      const { store, read } = subject()
      const key = {
        transaction_id: `quarantine:${randomId('q')}`,
        event_type: 'voucher.gift.balance_added',
      }
      const record = {
        ...key,
        delivery: 'envelope' as const,
        payload: '{"bad":true}',
        issues: [{ path: 'balance', message: 'is required' }],
      }

      await store.quarantine({ ...record, received_at: at(0) })
      await store.quarantine({ ...record, received_at: at(1) })

      expect(await read(key)).toMatchObject({
        status: 'quarantined',
        payload: '{"bad":true}',
        issues: record.issues,
        received_at: at(0),
        received_count: 2,
      })
    })

    it('keeps a payload apart from its record, with its customer and expiry', async () => {
      const { store, read, readPayload } = subject()
      const record = newRecord()
      await store.recordDelivery(record, claim('a'), at(0))

      await store.storePayload({
        transaction_id: record.transaction_id,
        event_type: record.event_type,
        payload: '{"holder":{"name":"Ann"}}',
        customer_id: 'cust_1',
        expires_at: 1_800_000_000,
      })

      expect(await readPayload(record)).toEqual({
        body: '{"holder":{"name":"Ann"}}',
        item: expect.objectContaining({ customer_id: 'cust_1', expires_at: 1_800_000_000 }),
      })
      expect(JSON.stringify(await read(record))).not.toContain('Ann')
    })

    it('writes a payload once: a second write leaves the first', async () => {
      const { store, readPayload } = subject()
      const key = { transaction_id: randomId('vtx'), event_type: 'voucher.gift.balance_added' }

      await store.storePayload({ ...key, payload: '{"a":1}' })
      await store.storePayload({ ...key, payload: '{"a":2}' })

      expect((await readPayload(key))?.body).toBe('{"a":1}')
    })
  })
}
