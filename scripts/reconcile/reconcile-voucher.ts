import { ITEM_STATUS } from '../../lib/aws/transactions-table'
import type { Deps } from '../../lib/deps'
import { takeInTransaction, voucherIdOf } from '../../lib/voucherify/take-in-transaction'
import { type ApiTransaction, transactionPayload } from '../../lib/voucherify/transaction-payload'

export interface ReconcileDeps {
  /** Voucherify's transactions of the voucher, page by page. */
  listTransactions(voucher: string, signal?: AbortSignal): AsyncIterable<ApiTransaction[]>
  /** The transactions the ledger holds for a voucher id under API_TRANSACTION_EVENT_TYPE: id → status. */
  storedTransactions(voucherId: string, signal?: AbortSignal): Promise<Map<string, string>>
  /** The receiver's own dependencies: a missing transaction is stored and published with them. */
  receiver: Deps
}

export interface ReconcileRequest {
  /** A voucher code or id, as Voucherify's API takes either. */
  voucher: string
  /** ISO instant: only transactions created at or after it are compared. */
  since?: string
  /** Compare and report; take nothing in. */
  dryRun?: boolean
  signal?: AbortSignal
}

export type TransactionOutcome =
  | 'ingested'
  /** Stored by a webhook delivery between the comparison and the ingestion. */
  | 'already_stored'
  | 'would_ingest'
  | 'failed'
  /** Stored, but its delivery never published it: `npm run replay -- --unpublished` does. */
  | 'unpublished'

/** A missing transaction and what became of it: ids and outcome only, never personal data. */
export interface MissingTransaction {
  transactionId: string
  type: string
  createdAt: string
  outcome: TransactionOutcome
  /** Why it failed: a status, a stage or the failing paths; never a value. */
  reason?: string
}

export interface ReconcileSummary {
  /** The gift card's voucher id(s), as Voucherify's transactions name it. */
  voucherIds: string[]
  /** Every transaction Voucherify listed. */
  listed: number
  /** Created before `since`: left alone. */
  beforeSince: number
  /** Not a gift card transaction (a loyalty card's points, say): left alone. */
  skipped: number
  /** Stored and published. */
  found: number
  /** Stored but never published (every delivery's publish failed, or one is under way). */
  unpublished: number
  missing: number
  ingested: number
  alreadyStored: number
  failed: number
  /** The missing ones, oldest first. */
  transactions: MissingTransaction[]
}

type Outcome = Pick<MissingTransaction, 'outcome' | 'reason'>

const text = (value: unknown) => (typeof value === 'string' ? value : '')

function isBefore(createdAt: string, since: string | undefined): boolean {
  if (since === undefined) return false
  const ms = Date.parse(createdAt)
  // A timestamp that is not one is compared anyway: the schema will say what is wrong with it.
  return Number.isFinite(ms) && ms < Date.parse(since)
}

/** Reconcile's words for what became of a transaction it took in. */
async function ingest(
  receiver: Deps,
  body: string,
  signal: AbortSignal | undefined,
): Promise<Outcome> {
  const result = await takeInTransaction(receiver, body, 'reconcile', signal)
  if (result.outcome === 'taken_in') return { outcome: 'ingested' }
  if (result.outcome === 'already_stored') return { outcome: 'already_stored' }
  return { outcome: 'failed', reason: result.reason }
}

/**
 * Lists one voucher's transactions in Voucherify, compares them with the ledger by transaction
 * id, and takes each missing gift card transaction in through the receiver's own pipeline
 * (validated, stored once, published once), oldest first, marked `origin=reconcile`.
 */
export async function reconcileVoucher(
  deps: ReconcileDeps,
  request: ReconcileRequest,
): Promise<ReconcileSummary> {
  const { signal } = request
  const listed: ApiTransaction[] = []
  for await (const page of deps.listTransactions(request.voucher, signal)) listed.push(...page)

  const summary: ReconcileSummary = {
    voucherIds: [],
    listed: listed.length,
    beforeSince: 0,
    skipped: 0,
    found: 0,
    unpublished: 0,
    missing: 0,
    ingested: 0,
    alreadyStored: 0,
    failed: 0,
    transactions: [],
  }
  const compared = listed
    .filter((transaction) => {
      if (!isBefore(text(transaction.created_at), request.since)) return true
      summary.beforeSince++
      return false
    })
    .filter((transaction) => {
      const payload = transactionPayload(transaction)
      if (payload.ok || payload.reason !== 'not_gift') return true
      summary.skipped++
      return false
    })
    .sort(
      (a, b) =>
        Date.parse(text(a.created_at)) - Date.parse(text(b.created_at)) ||
        text(a.id).localeCompare(text(b.id)),
    )

  const stored = new Map<string, Map<string, string>>()
  for (const voucherId of new Set(compared.map(voucherIdOf))) {
    summary.voucherIds.push(voucherId)
    stored.set(voucherId, await deps.storedTransactions(voucherId, signal))
  }

  for (const transaction of compared) {
    signal?.throwIfAborted()
    const transactionId = text(transaction.id)
    const status = stored.get(voucherIdOf(transaction))?.get(transactionId)
    if (status === ITEM_STATUS.published) {
      summary.found++
      continue
    }
    let result: Outcome
    if (status !== undefined) {
      // Its stored payload is what Voucherify sent: publishing that is replay's job, not this one.
      summary.unpublished++
      result = {
        outcome: 'unpublished',
        reason: 'stored, never published: npm run replay -- --unpublished publishes it',
      }
    } else {
      summary.missing++
      const payload = transactionPayload(transaction)
      result = !payload.ok
        ? { outcome: 'failed', reason: payload.reason }
        : request.dryRun
          ? { outcome: 'would_ingest' }
          : await ingest(deps.receiver, payload.body, signal)
      if (result.outcome === 'ingested') summary.ingested++
      if (result.outcome === 'already_stored') summary.alreadyStored++
      if (result.outcome === 'failed') summary.failed++
    }
    summary.transactions.push({
      transactionId,
      type: text(transaction.type),
      createdAt: text(transaction.created_at),
      ...result,
    })
  }
  return summary
}
