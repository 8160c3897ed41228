import type * as v from 'valibot'
import { GiftEventSchema } from './gift-event-parts'

/** `voucher.gift.transaction.created`: any credit addition, removal, refund or redemption. */
export const VoucherGiftTransactionCreatedSchema = GiftEventSchema
export type VoucherGiftTransactionCreated = v.InferOutput<
  typeof VoucherGiftTransactionCreatedSchema
>
