import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { itemKeys, LEDGER_ATTRIBUTES, LEDGER_INDEX } from '../../lib/aws/transactions-table'

type StoredItem = Partial<Record<(typeof LEDGER_ATTRIBUTES)[number], unknown>>

/** One transaction of the card, however many event types delivered it. */
export interface LedgerRow {
  created_at: string
  transaction_id: string
  transaction_type: string
  related_transaction_id: string | null
  /** Cents, signed. */
  amount: number
  /** What Voucherify said the balance was after it. */
  balance_after: number
  /** The first row's balance before it, plus every amount so far. */
  running_balance: number
  /** The verdict recorded when the transaction arrived; null while none is recorded yet. */
  ledger_status: string | null
  expected_balance: number | null
  previous_transaction_id: string | null
  /** How it was taken in: `reconcile` for a backfill, null for a webhook delivery. */
  origin: string | null
  /**
   * What the transactions missing just before this one (in time order) add up to: its balance
   * before, less the previous row's balance after. Null for the first row.
   */
  missing_amount: number | null
  /**
   * `gap`, `gap_filled` (the missing one arrived later), `out_of_order`, `backfilled` (taken in by
   * reconcile, so older than the head by design and not flagged out of order), `missing`,
   * `unverified`.
   */
  flags: string[]
}

export interface CardLedger {
  voucher_id: string
  /** The balance before the first transaction here (an initial amount, or earlier history). */
  opening_balance: number | null
  /** The last transaction's balance after it. */
  closing_balance: number | null
  /** The opening balance plus every amount: differs from the closing balance by what is missing. */
  running_balance: number | null
  transactions: number
  gaps: number
  /** Webhooks that arrived after a later transaction; backfills are not counted here. */
  out_of_order: number
  /** Transactions taken in by reconcile. */
  backfilled: number
  /** No transaction is missing anywhere in the chain. */
  whole: boolean
  /** What the last sweep found of the card's balance against Voucherify's; null before any. */
  attestation: Attestation | null
  rows: LedgerRow[]
}

/** The verdict a sweep recorded on the card's head (see lib/ledger/attestation-store.ts). */
export type Attestation =
  | { status: 'attested'; at: string; balance: number }
  /** Voucherify's balance less the head's, when the sweep found them apart. */
  | { status: 'unattested'; at: string; difference: number }

/** The card's ledger as the table holds it now, with the attestation on its head. */
export async function readCardLedger(
  documents: DynamoDBDocumentClient,
  tableName: string,
  voucherId: string,
  signal?: AbortSignal,
): Promise<CardLedger> {
  const [items, attestation] = await Promise.all([
    readCardItems(documents, tableName, voucherId, signal),
    readAttestation(documents, tableName, voucherId, signal),
  ])
  return buildLedger(voucherId, items, attestation)
}

/** The attestation fields of a card's head item, as the sweep writes them. */
async function readAttestation(
  documents: DynamoDBDocumentClient,
  tableName: string,
  voucherId: string,
  signal?: AbortSignal,
): Promise<Attestation | null> {
  const { Item: head } = await documents.send(
    new GetCommand({ TableName: tableName, Key: itemKeys.ledgerHead(voucherId) }),
    { abortSignal: signal },
  )
  if (typeof head?.unattested_at === 'string' && typeof head.unattested_difference === 'number') {
    return { status: 'unattested', at: head.unattested_at, difference: head.unattested_difference }
  }
  if (typeof head?.attested_at === 'string' && typeof head.attested_balance === 'number') {
    return { status: 'attested', at: head.attested_at, balance: head.attested_balance }
  }
  return null
}

/** Every item of the card in the index, page by page. */
export async function readCardItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  voucherId: string,
  signal?: AbortSignal,
): Promise<StoredItem[]> {
  const names = Object.fromEntries(LEDGER_ATTRIBUTES.map((name) => [`#${name}`, name]))
  const items: StoredItem[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: LEDGER_INDEX.name,
        KeyConditionExpression: `#${LEDGER_INDEX.partitionKey} = :voucher`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':voucher': voucherId },
        // Only what the index is sure to project, whatever else it holds.
        ProjectionExpression: Object.keys(names).join(', '),
        ExclusiveStartKey: startKey,
      }),
      { abortSignal: signal },
    )
    items.push(...((page.Items ?? []) as StoredItem[]))
    startKey = page.LastEvaluatedKey
  } while (startKey)
  return items
}

const textOrNull = (value: unknown) => (typeof value === 'string' ? value : null)
const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null)

/** One item per transaction: the one that carries a verdict if any does. */
function oneItemPerTransaction(items: readonly StoredItem[]): StoredItem[] {
  const chosen = new Map<string, StoredItem>()
  for (const item of items) {
    // An event without a transaction (keyed by event id or digest) has no place in the chain.
    if (typeof item.transaction_type !== 'string') continue
    const id = String(item.transaction_id)
    const current = chosen.get(id)
    if (!current || (current.ledger_status === undefined && item.ledger_status !== undefined)) {
      chosen.set(id, item)
    }
  }
  return [...chosen.values()]
}

function flagsOf(status: string | null, origin: string | null, missing: number | null): string[] {
  const broken = missing !== null && missing !== 0
  const flags = status === 'gap' ? (broken ? ['gap'] : ['gap', 'gap_filled']) : []
  // A backfill is older than the head by design: out of order only for a webhook.
  if (origin === 'reconcile' || origin === 'sweep') flags.push('backfilled')
  else if (status === 'out_of_order') flags.push('out_of_order')
  // A gap already names what is missing before it.
  if (broken && status !== 'gap') flags.push('missing')
  if (status === null) flags.push('unverified')
  return flags
}

/** The card's transactions in time order, with a running balance and the chain's flags. */
export function buildLedger(
  voucherId: string,
  items: readonly StoredItem[],
  attestation: Attestation | null = null,
): CardLedger {
  const ordered = oneItemPerTransaction(items)
    .map((item) => ({ item, at: Date.parse(String(item.created_at)) }))
    // By instant, not text (offsets may differ); ties by id so the order is stable.
    .sort(
      (a, b) =>
        a.at - b.at || String(a.item.transaction_id).localeCompare(String(b.item.transaction_id)),
    )
    .map(({ item }) => item)
  const rows: LedgerRow[] = []
  let running: number | null = null
  let previousBalance: number | null = null
  for (const item of ordered) {
    const amount = Number(item.amount)
    const balanceAfter = Number(item.balance_after)
    const before = balanceAfter - amount
    running = (running ?? before) + amount
    const missing = previousBalance === null ? null : before - previousBalance
    const status = textOrNull(item.ledger_status)
    const origin = textOrNull(item.origin)
    rows.push({
      created_at: String(item.created_at),
      transaction_id: String(item.transaction_id),
      transaction_type: String(item.transaction_type),
      related_transaction_id: textOrNull(item.related_transaction_id),
      amount,
      balance_after: balanceAfter,
      running_balance: running,
      ledger_status: status,
      expected_balance: numberOrNull(item.expected_balance),
      previous_transaction_id: textOrNull(item.previous_transaction_id),
      origin,
      missing_amount: missing,
      flags: flagsOf(status, origin, missing),
    })
    previousBalance = balanceAfter
  }
  const first = rows[0]
  const last = rows.at(-1)
  return {
    voucher_id: voucherId,
    opening_balance: first ? first.balance_after - first.amount : null,
    closing_balance: last ? last.balance_after : null,
    running_balance: last ? last.running_balance : null,
    transactions: rows.length,
    gaps: rows.filter((row) => row.ledger_status === 'gap').length,
    out_of_order: rows.filter((row) => row.flags.includes('out_of_order')).length,
    backfilled: rows.filter((row) => row.flags.includes('backfilled')).length,
    whole: rows.every((row) => (row.missing_amount ?? 0) === 0),
    attestation,
    rows,
  }
}

/** Cents as units with two decimals: 1500 is 15.00. Voucherify's amounts carry no currency. */
export function money(cents: number, signed = false): string {
  const sign = cents < 0 ? '-' : signed && cents > 0 ? '+' : ''
  const absolute = Math.abs(cents)
  return `${sign}${Math.trunc(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`
}

/** `1 gap`, `2 gaps`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

function flagText(row: LedgerRow): string {
  const texts: string[] = []
  const missing = row.missing_amount === null ? '' : money(row.missing_amount, true)
  if (row.flags.includes('gap_filled')) texts.push('gap on arrival, since filled')
  else if (row.flags.includes('gap')) {
    texts.push(`gap: ${missing} missing before (expected ${money(row.expected_balance ?? 0)})`)
  }
  if (row.flags.includes('out_of_order')) {
    texts.push(`out of order (arrived after ${row.previous_transaction_id ?? '?'})`)
  }
  if (row.flags.includes('backfilled')) texts.push(`taken in by ${row.origin ?? 'reconcile'}`)
  if (row.flags.includes('missing')) texts.push(`${missing} missing before`)
  if (row.flags.includes('unverified')) texts.push('no verdict yet')
  return texts.join('; ')
}

function attestationText(attestation: Attestation): string {
  return attestation.status === 'attested'
    ? `Attested ${attestation.at}: the balance equals Voucherify's (${money(attestation.balance)}).`
    : `UNATTESTED ${attestation.at}: Voucherify's balance differs by ${money(attestation.difference, true)}.`
}

/** A table for the terminal: one line per transaction, and a summary. */
export function formatTable(ledger: CardLedger): string {
  if (ledger.rows.length === 0) return `No transactions for gift card ${ledger.voucher_id}.`
  const header = [
    'created_at',
    'transaction',
    'type',
    'amount',
    'balance after',
    'running',
    'flags',
  ]
  const lines = ledger.rows.map((row) => [
    row.created_at,
    row.transaction_id,
    row.transaction_type,
    money(row.amount, true),
    money(row.balance_after),
    money(row.running_balance),
    flagText(row),
  ])
  // Amounts align right, everything else left.
  const right = new Set([3, 4, 5])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  )
  const render = (cells: string[]) =>
    cells
      .map((cell, column) =>
        right.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd()
  // What the rows show missing; the same as closing less running balance.
  const neverReceived = ledger.rows.reduce((sum, row) => sum + (row.missing_amount ?? 0), 0)
  const summary = [
    `Gift card ${ledger.voucher_id}: ${count(ledger.transactions, 'transaction')}; ` +
      `on arrival ${count(ledger.gaps, 'gap')} and ${ledger.out_of_order} out of order` +
      (ledger.backfilled > 0 ? `; ${ledger.backfilled} taken in from Voucherify's API` : '') +
      '.',
    `Opening ${money(ledger.opening_balance ?? 0)}, balance ${money(ledger.closing_balance ?? 0)}, ` +
      `running ${money(ledger.running_balance ?? 0)}` +
      (ledger.whole
        ? ': the chain is whole, every change accounted for.'
        : `: the chain is broken, ${money(neverReceived, true)} in transactions never received.`),
    ...(ledger.attestation ? [attestationText(ledger.attestation)] : []),
  ]
  return [render(header), ...lines.map(render), '', ...summary].join('\n')
}
