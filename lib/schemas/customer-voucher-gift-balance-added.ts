import * as v from 'valibot'
import {
  CustomerSchema,
  GiftEventSchema,
  GiftTransactionSchema,
  GiftVoucherSchema,
} from './gift-event-parts'

/** `customer.voucher.gift.balance_added`: a distribution event about the card's holder. */
export const CustomerVoucherGiftBalanceAddedSchema = v.looseObject({
  ...GiftEventSchema.entries,
  customer: CustomerSchema,
  voucher: GiftVoucherSchema,
  transaction: GiftTransactionSchema,
})
export type CustomerVoucherGiftBalanceAdded = v.InferOutput<
  typeof CustomerVoucherGiftBalanceAddedSchema
>
