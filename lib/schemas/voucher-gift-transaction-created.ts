import * as v from 'valibot'
import { looseRecord } from './common'
import { GiftTransactionSchema, giftEventEntries } from './gift-event-parts'

/** `voucher.gift.transaction.created`: any credit addition, removal, refund or redemption. */
export const VoucherGiftTransactionCreatedSchema = looseRecord({
  ...giftEventEntries,
  transaction: v.nullable(GiftTransactionSchema),
})
export type VoucherGiftTransactionCreated = v.InferOutput<
  typeof VoucherGiftTransactionCreatedSchema
>
