import type * as v from 'valibot'
import { GiftEventSchema } from './gift-event-parts'

/**
 * `customer.voucher.gift.balance_added`: a distribution event about the card's holder. Its
 * customer, voucher and transaction are all optional in Voucherify's OpenAPI.
 */
export const CustomerVoucherGiftBalanceAddedSchema = GiftEventSchema
export type CustomerVoucherGiftBalanceAdded = v.InferOutput<
  typeof CustomerVoucherGiftBalanceAddedSchema
>
