import type { GiftTransactionType } from '../lib/schemas/gift-event-parts'
import type { SupportedEventType } from '../lib/schemas/registry'
import { giftEventData, randomId } from './sample-events'

export interface CardTransaction {
  /** 1-based, as the tests name them: #1 … #10. */
  number: number
  id: string
  type: GiftTransactionType
  amount: number
  balanceAfter: number
  createdAt: string
  relatedTransactionId: string | null
  /** The data object Voucherify sends for this transaction as `eventType`. */
  dataFor(eventType: SupportedEventType): Record<string, unknown>
}

export interface CardStep {
  type: GiftTransactionType
  /** Signed, in cents: negative for removals and redemptions. */
  amount: number
  /** A refund's redemption, by its number. */
  refundOf?: number
}

/**
 * A realistic life of one gift card, opened with 50.00 (no transaction: the card's initial
 * amount): top-up, spend, refund of that spend, spend, removal, top-up, two spends, a refund, and
 * the rest removed. Balances follow from the amounts; each is a minute after the last.
 */
export const TEN_TRANSACTIONS: readonly CardStep[] = [
  { type: 'CREDITS_ADDITION', amount: 2_000 },
  { type: 'CREDITS_REDEMPTION', amount: -1_500 },
  { type: 'CREDITS_REFUND', amount: 1_500, refundOf: 2 },
  { type: 'CREDITS_REDEMPTION', amount: -3_000 },
  { type: 'CREDITS_REMOVAL', amount: -500 },
  { type: 'CREDITS_ADDITION', amount: 1_000 },
  { type: 'CREDITS_REDEMPTION', amount: -2_500 },
  { type: 'CREDITS_REDEMPTION', amount: -800 },
  { type: 'CREDITS_REFUND', amount: 800, refundOf: 8 },
  { type: 'CREDITS_REMOVAL', amount: -2_000 },
]

export function cardHistory(
  steps: readonly CardStep[] = TEN_TRANSACTIONS,
  { opening = 5_000, start = new Date('2026-03-01T09:00:00.000Z') } = {},
) {
  const voucherId = randomId('v')
  const transactions: CardTransaction[] = []
  let balance = opening
  for (const [index, step] of steps.entries()) {
    balance += step.amount
    const transaction = {
      number: index + 1,
      id: randomId('vtx'),
      type: step.type,
      amount: step.amount,
      balanceAfter: balance,
      createdAt: new Date(start.getTime() + index * 60_000).toISOString(),
      relatedTransactionId:
        step.refundOf === undefined ? null : (transactions[step.refundOf - 1]?.id ?? null),
    }
    transactions.push({
      ...transaction,
      dataFor: (eventType) =>
        giftEventData(eventType, {
          voucherId,
          transactionId: transaction.id,
          transactionType: transaction.type,
          amount: transaction.amount,
          balanceAfter: transaction.balanceAfter,
          createdAt: transaction.createdAt,
          relatedTransactionId: transaction.relatedTransactionId,
        }),
    })
  }
  /** Transaction #`number`. */
  const at = (number: number) => transactions[number - 1] as CardTransaction
  /** The history as delivered: by numbers, in arrival order. */
  const arriving = (numbers: readonly number[]) => numbers.map(at)
  return { voucherId, opening, transactions, at, arriving }
}
