import { cardIdOf, type GiftEvent, type GiftTransactionType } from '../schemas/gift-event-parts'

/**
 * One gift-card balance change, in the same shape whichever event type reported it. A field the
 * event did not carry usably is absent (the payload keeps whatever was sent). Kept forever, so it
 * holds nothing personal and no free text: no customer, no voucher code, no reason.
 */
export interface LedgerEntry {
  transaction_id: string | null
  transaction_type?: GiftTransactionType
  /** Signed change in cents: negative for removals and redemptions. */
  amount: number
  balance_after: number
  total: number
  voucher_id: string
  campaign_id?: string
  campaign_name?: string
  source?: string
  related_transaction_id?: string
  created_at: string
}

/** `fallbackCreatedAt` dates the rare event that carries no transaction. */
export function toLedgerEntry(data: GiftEvent, fallbackCreatedAt: string): LedgerEntry {
  const { transaction, voucher, campaign, balance } = data
  const voucherId = cardIdOf(data)
  if (voucherId === undefined) throw new Error('A validated gift event always names its card')
  return {
    transaction_id: transaction?.id ?? null,
    transaction_type: transaction?.type,
    amount: balance.amount,
    balance_after: balance.balance,
    total: balance.total,
    voucher_id: voucherId,
    campaign_id: transaction?.campaign_id ?? campaign?.id ?? voucher?.campaign_id,
    campaign_name: campaign?.name ?? voucher?.campaign,
    source: transaction?.source,
    related_transaction_id: transaction?.related_transaction_id,
    created_at: transaction?.created_at ?? fallbackCreatedAt,
  }
}
