import type { GiftEvent, GiftTransactionType } from './schemas/gift-event-parts'

/** One gift-card balance change, in the same shape whichever event type reported it. */
export interface LedgerEntry {
  transaction_id: string | null
  transaction_type: GiftTransactionType | null
  /** Signed change in cents: negative for removals and redemptions. */
  amount: number
  balance_after: number
  total: number
  voucher_id: string
  voucher_code: string | null
  campaign_id: string | null
  campaign_name: string | null
  holder_id: string | null
  source: string | null
  reason: string | null
  related_transaction_id: string | null
  created_at: string
}

/** `fallbackCreatedAt` dates the rare event that carries no transaction. */
export function toLedgerEntry(data: GiftEvent, fallbackCreatedAt: string): LedgerEntry {
  const { transaction, voucher, campaign, balance } = data
  return {
    transaction_id: transaction?.id ?? null,
    transaction_type: transaction?.type ?? null,
    amount: balance.amount,
    balance_after: balance.balance,
    total: balance.total,
    voucher_id: balance.related_object.id,
    voucher_code: voucher?.code ?? null,
    campaign_id: transaction?.campaign_id ?? campaign?.id ?? voucher?.campaign_id ?? null,
    campaign_name: campaign?.name ?? voucher?.campaign ?? null,
    holder_id: data.customer?.id ?? data.holder?.id ?? voucher?.holder_id ?? null,
    source: transaction?.source ?? null,
    reason: transaction?.reason ?? null,
    related_transaction_id: transaction?.related_transaction_id ?? null,
    created_at: transaction?.created_at ?? fallbackCreatedAt,
  }
}
