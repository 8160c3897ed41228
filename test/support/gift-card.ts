import type { GiftTransactionType } from '../../lib/schemas/gift-event-parts'
import type { SupportedEventType } from '../../lib/schemas/registry'
import { giftEventData, randomId } from '../../scripts/sample-events'

type Json = Record<string, unknown>

export interface GiftCard {
  voucherId: string
  /** One data object per transaction, oldest first, each balance following from the one before. */
  events: Json[]
}

const objectAt = (parent: Json, key: string): Json => parent[key] as Json

/** The transaction object of a gift event's data, as Voucherify's API also returns it. */
export const transactionOf = (data: Json): Json => objectAt(data, 'transaction')
export const transactionIdOf = (data: Json): string => String(transactionOf(data).id)

/**
 * Events of a gift card of its own (so that tests sharing the table and topics never see each
 * other's cards): one per entry of `types`, a second apart from `startAt`, starting at 0.
 */
export function giftCard(
  types: readonly GiftTransactionType[],
  {
    eventType = 'voucher.gift.transaction.created',
    voucherId = randomId('v'),
    startAt = new Date(Date.now() - 60_000),
  }: { eventType?: SupportedEventType; voucherId?: string; startAt?: Date } = {},
): GiftCard {
  let balance = 0
  const events = types.map((transactionType, index) => {
    const spends = transactionType === 'CREDITS_REMOVAL' || transactionType === 'CREDITS_REDEMPTION'
    const amount = spends ? -700 : 5000
    balance += amount
    const data = giftEventData(eventType, { transactionType, amount, balanceAfter: balance })
    const transaction = transactionOf(data)
    transaction.created_at = new Date(startAt.getTime() + index * 1_000).toISOString()
    transaction.voucher_id = voucherId
    const details = transaction.details as Json | null | undefined
    if (details?.balance) objectAt(objectAt(details, 'balance'), 'related_object').id = voucherId
    objectAt(objectAt(data, 'balance'), 'related_object').id = voucherId
    if (data.voucher) objectAt(data, 'voucher').id = voucherId
    return data
  })
  return { voucherId, events }
}
