import * as v from 'valibot'
import { looseRecord } from './common'
import { GiftTransactionSchema, GiftVoucherSchema, giftEventEntries } from './gift-event-parts'

/** `voucher.gift.balance_added`: the project-settings event; its transaction is a short form. */
export const VoucherGiftBalanceAddedSchema = looseRecord({
  ...giftEventEntries,
  voucher: v.nullable(GiftVoucherSchema),
  transaction: v.nullable(GiftTransactionSchema),
})
export type VoucherGiftBalanceAdded = v.InferOutput<typeof VoucherGiftBalanceAddedSchema>
