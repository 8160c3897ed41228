import * as v from 'valibot'
import { GiftTransactionTypeSchema } from '../schemas/gift-event-parts'
import type { SupportedEventType } from '../schemas/registry'

/**
 * Reconcile and the sweep take every transaction from the API in as this event type: the one all
 * four transaction types share.
 */
export const API_TRANSACTION_EVENT_TYPE: SupportedEventType = 'voucher.gift.transaction.created'

/** A transaction as `GET /v1/vouchers/{code}/transactions` lists it (Voucherify's VoucherTransaction). */
export type ApiTransaction = Record<string, unknown>

export type TransactionPayload =
  | { ok: true; body: string }
  /** `not_gift`: a loyalty card's transaction; `no_balance`: no `details.balance` to report. */
  | { ok: false; reason: 'not_gift' | 'no_balance' }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The raw `voucher.gift.transaction.created` payload Voucherify would have sent for `transaction`:
 * the transaction as the API lists it, and its `details.balance` as the event's `balance`. The
 * webhook's other parts (voucher, campaign, holder, order, redemption) are not in the list
 * answer and are left out. The payload still goes through the event's schema when it is taken in.
 */
export function transactionPayload(transaction: ApiTransaction): TransactionPayload {
  if (!v.is(GiftTransactionTypeSchema, transaction.type)) return { ok: false, reason: 'not_gift' }
  const balance = isObject(transaction.details) ? transaction.details.balance : undefined
  if (!isObject(balance)) return { ok: false, reason: 'no_balance' }
  return { ok: true, body: JSON.stringify({ transaction, balance }) }
}
