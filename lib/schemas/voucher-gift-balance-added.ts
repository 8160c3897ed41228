import type * as v from 'valibot'
import { GiftEventSchema } from './gift-event-parts'

/** `voucher.gift.balance_added`: the project-settings event; its transaction is a short form. */
export const VoucherGiftBalanceAddedSchema = GiftEventSchema
export type VoucherGiftBalanceAdded = v.InferOutput<typeof VoucherGiftBalanceAddedSchema>
