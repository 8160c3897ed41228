import * as v from 'valibot'

// Strict where the service relies on a value (ids, amounts, timestamps, types); loose objects
// everywhere so fields Voucherify adds are kept.

const IdSchema = v.pipe(v.string(), v.nonEmpty('must be a non-empty id'))
const TimestampSchema = v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 timestamp'))
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

export const GiftBalanceSchema = v.looseObject({
  type: v.literal('gift_voucher'),
  object: v.literal('balance'),
  amount: CentsSchema,
  total: CentsSchema,
  balance: CentsSchema,
  related_object: v.looseObject({ id: IdSchema, type: v.literal('voucher') }),
})
export type GiftBalance = v.InferOutput<typeof GiftBalanceSchema>

export const GiftTransactionSchema = v.looseObject({
  id: IdSchema,
  type: GiftTransactionTypeSchema,
  created_at: TimestampSchema,
  voucher_id: v.optional(IdSchema),
  campaign_id: OptionalTextSchema,
  source_id: OptionalTextSchema,
  source: OptionalTextSchema,
  reason: OptionalTextSchema,
  related_transaction_id: OptionalTextSchema,
  details: v.nullish(
    v.looseObject({
      balance: v.optional(v.looseObject({ amount: CentsSchema, balance: CentsSchema })),
    }),
  ),
})
export type GiftTransaction = v.InferOutput<typeof GiftTransactionSchema>

export const GiftVoucherSchema = v.looseObject({
  id: v.optional(IdSchema),
  code: IdSchema,
  type: v.literal('GIFT_VOUCHER'),
  campaign: OptionalTextSchema,
  campaign_id: OptionalTextSchema,
  holder_id: OptionalTextSchema,
})
export type GiftVoucher = v.InferOutput<typeof GiftVoucherSchema>

export const CampaignSchema = v.looseObject({
  id: v.optional(IdSchema),
  name: OptionalTextSchema,
})
export type Campaign = v.InferOutput<typeof CampaignSchema>

/** Customer fields are personal data: only the id is read; the rest is kept as sent. */
export const CustomerSchema = v.looseObject({ id: IdSchema })
export type Customer = v.InferOutput<typeof CustomerSchema>

/** What every supported gift event's data has in common; each event type narrows it. */
export const GiftEventSchema = v.looseObject({
  transaction: v.nullish(GiftTransactionSchema),
  voucher: v.nullish(GiftVoucherSchema),
  campaign: v.nullish(CampaignSchema),
  holder: v.nullish(CustomerSchema),
  customer: v.nullish(CustomerSchema),
  balance: GiftBalanceSchema,
})
export type GiftEvent = v.InferOutput<typeof GiftEventSchema>
