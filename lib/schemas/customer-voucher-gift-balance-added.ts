import type * as v from 'valibot'
import { looseRecord } from './common'
import {
  CustomerSchema,
  GiftTransactionSchema,
  GiftVoucherSchema,
  giftEventEntries,
} from './gift-event-parts'

/** `customer.voucher.gift.balance_added`: a distribution event about the card's holder. */
export const CustomerVoucherGiftBalanceAddedSchema = looseRecord({
  ...giftEventEntries,
  customer: CustomerSchema,
  voucher: GiftVoucherSchema,
  transaction: GiftTransactionSchema,
})
export type CustomerVoucherGiftBalanceAdded = v.InferOutput<
  typeof CustomerVoucherGiftBalanceAddedSchema
>
