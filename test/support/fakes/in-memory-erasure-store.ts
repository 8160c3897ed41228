import type { ErasureStore, PersonalDataItem } from '../../../lib/privacy/erasure-store'
import { type InMemoryTransactionStore, payloadKey } from './in-memory-transaction-store'

/** Erasure over an in-memory transaction store's items, with the adapter's semantics. */
export class InMemoryErasureStore implements ErasureStore {
  /** Erased customers and when; a fake may keep the id itself (the adapter keeps a hash). */
  readonly erasures = new Map<string, { at: string; requestedBy: string }>()
  failing = false

  constructor(private readonly transactions: InMemoryTransactionStore) {}

  private check() {
    if (this.failing) throw new Error('erasure store failed (injected)')
  }

  async isErased(customerId: string) {
    this.check()
    return this.erasures.has(customerId)
  }

  async recordErasure(customerId: string, erasure: { at: string; requestedBy: string }) {
    this.check()
    if (!this.erasures.has(customerId)) this.erasures.set(customerId, erasure)
  }

  async findPersonalData(customerId: string): Promise<PersonalDataItem[]> {
    this.check()
    const found: PersonalDataItem[] = []
    for (const item of this.transactions.items.values()) {
      if (item.customer_id !== customerId) continue
      const { transaction_id, event_type } = item
      found.push(
        event_type.startsWith('#payload:')
          ? { key: { transaction_id, event_type: event_type.slice(9) }, kind: 'payload' }
          : { key: { transaction_id, event_type }, kind: 'quarantine' },
      )
    }
    return found
  }

  async deleteItems(items: readonly PersonalDataItem[]) {
    this.check()
    for (const { key, kind } of items) {
      const tableKey = kind === 'payload' ? payloadKey(key) : key
      this.transactions.items.delete(`${tableKey.transaction_id}|${tableKey.event_type}`)
    }
  }
}
