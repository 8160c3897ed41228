import * as v from 'valibot'
import { GiftEventSchema, GiftTransactionSchema, GiftVoucherSchema } from './gift-event-parts'

/** `voucher.gift.balance_added`: the project-settings event; its transaction is a short form. */
export const VoucherGiftBalanceAddedSchema = v.looseObject({
  ...GiftEventSchema.entries,
  voucher: v.nullable(GiftVoucherSchema),
  transaction: v.nullable(GiftTransactionSchema),
})
export type VoucherGiftBalanceAdded = v.InferOutput<typeof VoucherGiftBalanceAddedSchema>
