import type { TransactionRecord } from '../receive/transaction-store'

// The balance chain of one gift card, as pure decisions: no I/O. A card's head is the latest
// transaction applied to it (by created_at, equal times in id order, the order Voucherify
// created them in) and the balance after it; every transaction is checked against the head
// once, whichever event type delivers it first.

/** `gap`: a transaction this service never received lies before it; `out_of_order`: older than the head. */
export type LedgerStatus = 'ok' | 'gap' | 'out_of_order'

export const LEDGER_STATUSES: readonly LedgerStatus[] = ['ok', 'gap', 'out_of_order']

/** The verdict recorded on the transaction's items. */
export interface LedgerVerdict {
  status: LedgerStatus
  /** The balance the head said the card had before this transaction; null for out_of_order. */
  expectedBalance: number | null
  /** The head's transaction it was checked against; null when not known (a card's first, or the one-call path). */
  previousTransactionId: string | null
}

/** The last transaction applied to a card. */
export interface LedgerHead {
  transactionId: string
  createdAt: string
  /** created_at as epoch ms: ISO strings with different offsets do not compare as text. */
  createdMs: number
  balance: number
}

/** What the chain needs of a transaction. */
export interface ChainEntry {
  transactionId: string
  voucherId: string
  amount: number
  balanceAfter: number
  createdAt: string
  createdMs: number
}

/**
 * What a step assumes of the head when it is written; the store applies it only if that holds.
 * `continues`: no head yet, or one at `balance` before the entry in chain order (one call, no read).
 */
export type HeadExpectation =
  | { kind: 'continues'; balance: number; createdMs: number; transactionId: string }
  | { kind: 'absent' }
  | { kind: 'is'; transactionId: string }

/** One write: the verdict for the transaction and where the head goes (undefined: it stays). */
export interface LedgerStep {
  entry: ChainEntry
  expects: HeadExpectation
  verdict: LedgerVerdict
  next: LedgerHead | undefined
}

/**
 * The chain entry of a stored record; undefined when it has no gift transaction id (its key is
 * an event id or a digest) or when the balance before it is beyond exact arithmetic.
 */
export function chainEntryOf(record: TransactionRecord): ChainEntry | undefined {
  if (record.key_source !== 'transaction') return undefined
  // No real card holds 90 trillion; such numbers cannot be compared exactly, so they are not chained.
  if (!Number.isSafeInteger(record.balance_after - record.amount)) return undefined
  return {
    transactionId: record.transaction_id,
    voucherId: record.voucher_id,
    amount: record.amount,
    balanceAfter: record.balance_after,
    createdAt: record.created_at,
    createdMs: Date.parse(record.created_at),
  }
}

const balanceBefore = (entry: ChainEntry) => entry.balanceAfter - entry.amount

const headAt = (entry: ChainEntry): LedgerHead => ({
  transactionId: entry.transactionId,
  createdAt: entry.createdAt,
  createdMs: entry.createdMs,
  balance: entry.balanceAfter,
})

/** Whether `a` comes before `b` in a card's chain: by created_at, equal times in id order. */
export const isBefore = (
  a: { createdMs: number; transactionId: string },
  b: { createdMs: number; transactionId: string },
) => a.createdMs < b.createdMs || (a.createdMs === b.createdMs && a.transactionId < b.transactionId)

/** The first attempt, before the head is known: the chain holds and the head moves on. */
export function assumeChainHolds(entry: ChainEntry): LedgerStep {
  const { createdMs, transactionId } = entry
  return {
    entry,
    expects: { kind: 'continues', balance: balanceBefore(entry), createdMs, transactionId },
    verdict: { status: 'ok', expectedBalance: balanceBefore(entry), previousTransactionId: null },
    next: headAt(entry),
  }
}

/** The step for a known head (or none): the verdict, and the head after it. */
export function decideStep(head: LedgerHead | undefined, entry: ChainEntry): LedgerStep {
  if (head === undefined) {
    // A card's first transaction here opens its chain: there is nothing to contradict it.
    return {
      entry,
      expects: { kind: 'absent' },
      verdict: { status: 'ok', expectedBalance: balanceBefore(entry), previousTransactionId: null },
      next: headAt(entry),
    }
  }
  const expects: HeadExpectation = { kind: 'is', transactionId: head.transactionId }
  const previousTransactionId = head.transactionId
  if (isBefore(entry, head)) {
    // Older than the head: the head keeps the latest balance.
    return {
      entry,
      expects,
      verdict: { status: 'out_of_order', expectedBalance: null, previousTransactionId },
      next: undefined,
    }
  }
  const status = head.balance === balanceBefore(entry) ? 'ok' : 'gap'
  return {
    entry,
    expects,
    verdict: { status, expectedBalance: head.balance, previousTransactionId },
    next: headAt(entry),
  }
}

/** Whether `head` is what `expects` assumes: the condition the store writes under. */
export function headMeets(head: LedgerHead | undefined, expects: HeadExpectation): boolean {
  switch (expects.kind) {
    case 'absent':
      return head === undefined
    case 'is':
      return head?.transactionId === expects.transactionId
    case 'continues':
      return head === undefined || (head.balance === expects.balance && isBefore(head, expects))
  }
}

/** The SNS message attribute that carries the verdict, for subscription filter policies. */
export const LEDGER_ATTRIBUTE = 'ledger'
/** What the attribute adds to a message at most (name, type, longest value), as SNS counts it. */
export const LEDGER_ATTRIBUTE_MAX_BYTES =
  LEDGER_ATTRIBUTE.length + 'String'.length + Math.max(...LEDGER_STATUSES.map((s) => s.length))
