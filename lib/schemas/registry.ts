import type * as v from 'valibot'
import { CustomerVoucherGiftBalanceAddedSchema } from './customer-voucher-gift-balance-added'
import type { GiftEvent } from './gift-event-parts'
import { VoucherGiftBalanceAddedSchema } from './voucher-gift-balance-added'
import { VoucherGiftTransactionCreatedSchema } from './voucher-gift-transaction-created'

/** Every event type this service handles. Adding one is a schema module plus a line here. */
export const eventSchemas = {
  'voucher.gift.transaction.created': VoucherGiftTransactionCreatedSchema,
  'customer.voucher.gift.balance_added': CustomerVoucherGiftBalanceAddedSchema,
  'voucher.gift.balance_added': VoucherGiftBalanceAddedSchema,
} satisfies Record<string, v.GenericSchema<unknown, GiftEvent>>

export type SupportedEventType = keyof typeof eventSchemas

export const supportedEventTypes = Object.keys(eventSchemas) as SupportedEventType[]

export function isSupportedEventType(eventType: string): eventType is SupportedEventType {
  return Object.hasOwn(eventSchemas, eventType)
}
