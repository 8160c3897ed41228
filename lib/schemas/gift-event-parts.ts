import * as v from 'valibot'
import { IdSchema, looseRecord, ReferenceSchema, TimestampSchema } from './common'

// Strict where the service relies on a value (ids, amounts, timestamps, types); loose objects
// everywhere so fields Voucherify adds are kept.

/** Money in the smallest currency unit: Voucherify writes $10 as 1000. */
const CentsSchema = v.pipe(v.number(), v.safeInteger('must be an integer amount in cents'))
const OptionalTextSchema = v.nullish(v.string())

export const GiftTransactionTypeSchema = v.picklist([
  'CREDITS_ADDITION',
  'CREDITS_REMOVAL',
  'CREDITS_REFUND',
  'CREDITS_REDEMPTION',
])
export type GiftTransactionType = v.InferOutput<typeof GiftTransactionTypeSchema>

export const GiftBalanceSchema = looseRecord({
  type: v.literal('gift_voucher'),
  object: v.literal('balance'),
  amount: CentsSchema,
  total: CentsSchema,
  balance: CentsSchema,
  related_object: looseRecord({ id: IdSchema, type: v.literal('voucher') }),
})
export type GiftBalance = v.InferOutput<typeof GiftBalanceSchema>

export const GiftTransactionSchema = looseRecord({
  id: IdSchema,
  type: GiftTransactionTypeSchema,
  created_at: TimestampSchema,
  voucher_id: v.optional(IdSchema),
  campaign_id: ReferenceSchema,
  source_id: OptionalTextSchema,
  source: OptionalTextSchema,
  reason: OptionalTextSchema,
  related_transaction_id: OptionalTextSchema,
  details: v.nullish(
    looseRecord({
      balance: v.optional(looseRecord({ amount: CentsSchema, balance: CentsSchema })),
    }),
  ),
})
export type GiftTransaction = v.InferOutput<typeof GiftTransactionSchema>

export const GiftVoucherSchema = looseRecord({
  id: v.optional(IdSchema),
  code: IdSchema,
  type: v.literal('GIFT_VOUCHER'),
  campaign: OptionalTextSchema,
  campaign_id: ReferenceSchema,
  holder_id: OptionalTextSchema,
})
export type GiftVoucher = v.InferOutput<typeof GiftVoucherSchema>

export const CampaignSchema = looseRecord({
  id: v.optional(IdSchema),
  name: OptionalTextSchema,
})
export type Campaign = v.InferOutput<typeof CampaignSchema>

/** Customer fields are personal data: only the id is read; the rest is kept as sent. */
export const CustomerSchema = looseRecord({ id: IdSchema })
export type Customer = v.InferOutput<typeof CustomerSchema>

/** What every supported gift event's data has in common; each event type narrows it. */
export const giftEventEntries = {
  transaction: v.nullish(GiftTransactionSchema),
  voucher: v.nullish(GiftVoucherSchema),
  campaign: v.nullish(CampaignSchema),
  holder: v.nullish(CustomerSchema),
  customer: v.nullish(CustomerSchema),
  balance: GiftBalanceSchema,
}
export const GiftEventSchema = looseRecord(giftEventEntries)
export type GiftEvent = v.InferOutput<typeof GiftEventSchema>
