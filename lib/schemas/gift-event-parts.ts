import * as v from 'valibot'
import {
  IdSchema,
  looseRecord,
  OptionalTextSchema,
  optionalRecord,
  ReferenceSchema,
  TimestampSchema,
} from './common'

// Strict only where the ledger relies on a value: the transaction, the card and the amounts.
// Everything else is read when it is usable and otherwise left in the payload as sent.

/** Money in the smallest currency unit: Voucherify writes $10 as 1000. */
const CentsSchema = v.pipe(v.number(), v.safeInteger('must be an integer amount in cents'))

export const GiftTransactionTypeSchema = v.picklist([
  'CREDITS_ADDITION',
  'CREDITS_REMOVAL',
  'CREDITS_REFUND',
  'CREDITS_REDEMPTION',
])
export type GiftTransactionType = v.InferOutput<typeof GiftTransactionTypeSchema>

export const GiftBalanceSchema = looseRecord({
  type: v.literal('gift_voucher'),
  amount: CentsSchema,
  total: CentsSchema,
  balance: CentsSchema,
  related_object: optionalRecord({ id: ReferenceSchema }),
})
export type GiftBalance = v.InferOutput<typeof GiftBalanceSchema>

export const GiftTransactionSchema = looseRecord({
  id: IdSchema,
  type: GiftTransactionTypeSchema,
  created_at: TimestampSchema,
  voucher_id: ReferenceSchema,
  campaign_id: ReferenceSchema,
  source: OptionalTextSchema,
  reason: OptionalTextSchema,
  related_transaction_id: OptionalTextSchema,
  details: optionalRecord({
    balance: optionalRecord({ amount: v.nullish(CentsSchema), balance: v.nullish(CentsSchema) }),
  }),
})
export type GiftTransaction = v.InferOutput<typeof GiftTransactionSchema>

export const GiftVoucherSchema = optionalRecord({
  id: ReferenceSchema,
  code: OptionalTextSchema,
  type: v.nullish(v.literal('GIFT_VOUCHER')),
  campaign: OptionalTextSchema,
  campaign_id: ReferenceSchema,
  holder_id: OptionalTextSchema,
})
export type GiftVoucher = v.InferOutput<typeof GiftVoucherSchema>

export const CampaignSchema = optionalRecord({ id: ReferenceSchema, name: OptionalTextSchema })
export type Campaign = v.InferOutput<typeof CampaignSchema>

/** Customer fields are personal data: only the id is read; the rest is kept as sent. */
export const CustomerSchema = optionalRecord({ id: OptionalTextSchema })
export type Customer = v.InferOutput<typeof CustomerSchema>

/** What every supported gift event's data may hold; each event type documents its own parts. */
export const giftEventEntries = {
  transaction: v.nullish(GiftTransactionSchema),
  voucher: GiftVoucherSchema,
  campaign: CampaignSchema,
  holder: CustomerSchema,
  customer: CustomerSchema,
  balance: GiftBalanceSchema,
}

/** Where an event names its gift card, as the schemas read it. */
interface CardIds {
  balance?: { related_object?: { id?: string } }
  transaction?: { voucher_id?: string } | null
  voucher?: { id?: string }
}

/**
 * The gift card an event is about: its balance's voucher, else its transaction's, else its
 * voucher's id, the first that can be a key. Each may be missing; Voucherify always sends one.
 */
export function cardIdOf(data: CardIds): string | undefined {
  return data.balance?.related_object?.id ?? data.transaction?.voucher_id ?? data.voucher?.id
}

/** Where the answer says the card is missing: the place Voucherify's OpenAPI requires it. */
const CARD_PATH = ['balance', 'related_object', 'id'].map((key) => ({
  type: 'unknown' as const,
  origin: 'value' as const,
  input: undefined,
  key,
  value: undefined,
}))

export const GiftEventSchema = v.pipe(
  looseRecord(giftEventEntries),
  // A raw check runs even when other fields failed, so every missing need is named at once.
  v.rawCheck(({ dataset, addIssue }) => {
    // Parts that failed their own schema are as sent: optional chaining reads any value.
    if (cardIdOf(dataset.value as CardIds) !== undefined) return
    addIssue({
      message: 'must be the gift card id, unless transaction.voucher_id or voucher.id is one',
      path: CARD_PATH as [v.UnknownPathItem, ...v.UnknownPathItem[]],
    })
  }),
)
export type GiftEvent = v.InferOutput<typeof GiftEventSchema>
