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
  /**
   * `not_gift`: a loyalty card's transaction (`details.balance.type` `loyalty_card`);
   * `no_balance`: no `details.balance` to report; `unknown_balance_type`: a balance of a type the
   * document does not name.
   */
  | { ok: false; reason: 'not_gift' | 'no_balance' | 'unknown_balance_type'; balanceType?: string }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The raw `voucher.gift.transaction.created` payload Voucherify would have sent for `transaction`:
 * the transaction as the API lists it, and its `details.balance` as the event's `balance`. The
 * webhook's other parts (voucher, campaign, holder, order, redemption) are not in the list
 * answer and are left out. Gift or loyalty is the balance's `type` (the document's `gift_voucher`
 * | `loyalty_card`), not the transaction's `type`, whose list grows; the payload still goes through
 * the event's schema when it is taken in.
 */
export function transactionPayload(transaction: ApiTransaction): TransactionPayload {
  const balance = isObject(transaction.details) ? transaction.details.balance : undefined
  if (!isObject(balance)) return { ok: false, reason: 'no_balance' }
  if (balance.type === 'loyalty_card') return { ok: false, reason: 'not_gift' }
  if (balance.type !== 'gift_voucher') {
    const balanceType = typeof balance.type === 'string' ? balance.type : String(balance.type)
    return { ok: false, reason: 'unknown_balance_type', balanceType }
  }
  return { ok: true, body: JSON.stringify({ transaction, balance }) }
}

/** Why a transaction has no payload, in words for a log or a status line (no value from it). */
export function noPayloadReason(payload: Extract<TransactionPayload, { ok: false }>): string {
  return payload.balanceType === undefined
    ? payload.reason
    : `${payload.reason}: ${payload.balanceType}`
}
