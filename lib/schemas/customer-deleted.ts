import type * as v from 'valibot'
import { IdSchema, looseRecord } from './common'

/** The project webhook Voucherify sends when a customer is deleted: erase that customer here. */
export const CUSTOMER_DELETED_EVENT_TYPE = 'customer.deleted'

/** `EventCustomerDeletedData`: only the customer's id is needed, everything else is tolerated. */
export const CustomerDeletedSchema = looseRecord({
  customer: looseRecord({ id: IdSchema }),
})
export type CustomerDeleted = v.InferOutput<typeof CustomerDeletedSchema>
