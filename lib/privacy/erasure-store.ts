import type { TransactionKey } from '../receive/transaction-store'

/** Who asked for an erasure: an operator (`npm run erase`) or Voucherify (`customer.deleted`). */
export type ErasureRequester = 'operator' | 'customer.deleted'

/**
 * An item that holds a customer's personal data: a stored payload (named by its transaction's
 * key) or a quarantined one.
 */
export interface PersonalDataItem {
  key: TransactionKey
  kind: 'payload' | 'quarantine'
}

/**
 * Storage port of erasure. An erased customer is remembered by a salted hash of their id only,
 * so that what arrives later for them is kept without their personal data. Every method takes
 * an optional signal: an aborted one abandons the call.
 */
export interface ErasureStore {
  isErased(customerId: string, signal?: AbortSignal): Promise<boolean>
  /** Remembers the erasure; recording it again keeps the first time. */
  recordErasure(
    customerId: string,
    erasure: { at: string; requestedBy: ErasureRequester },
    signal?: AbortSignal,
  ): Promise<void>
  /** Every item holding this customer's personal data, found through the customer index. */
  findPersonalData(customerId: string, signal?: AbortSignal): Promise<PersonalDataItem[]>
  deleteItems(items: readonly PersonalDataItem[], signal?: AbortSignal): Promise<void>
}
