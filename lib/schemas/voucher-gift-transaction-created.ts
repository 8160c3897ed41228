import * as v from 'valibot'
import { GiftEventSchema, GiftTransactionSchema } from './gift-event-parts'

/** `voucher.gift.transaction.created`: any credit addition, removal, refund or redemption. */
export const VoucherGiftTransactionCreatedSchema = v.looseObject({
  ...GiftEventSchema.entries,
  transaction: v.nullable(GiftTransactionSchema),
})
export type VoucherGiftTransactionCreated = v.InferOutput<
  typeof VoucherGiftTransactionCreatedSchema
>
