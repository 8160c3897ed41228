import { LEDGER_ATTRIBUTE } from '../../lib/ledger/ledger-chain'
import type { OutgoingMessage } from '../../lib/receive/build-message'
import { isSupportedEventType } from '../../lib/schemas/registry'
import type { StoredItem } from './replay-table'

/** The body's `data_source` and the attribute of the same name on a message built from the ledger. */
export const LEDGER_DATA_SOURCE = 'ledger'

/**
 * What a ledger-sourced message's `data` holds, in this order: the transaction item's own
 * fields, nothing personal (`ledger` is the verdict its chain step recorded).
 */
const LEDGER_FIELDS = [
  'transaction_type',
  'amount',
  'balance_after',
  'total',
  'voucher_id',
  'campaign_id',
  'campaign_name',
  'source',
  'related_transaction_id',
  'created_at',
] as const

/** What `ledgerMessageFor` reads of a transaction item. */
export const LEDGER_MESSAGE_ATTRIBUTES = [
  ...LEDGER_FIELDS,
  'key_source',
  'webhook_id',
  'event_id',
  'project_id',
  'origin',
  'ledger_status',
]

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)

/**
 * A message built from the permanent record alone, for a transaction whose payload has expired
 * or was erased: the ids and the transaction item's ledger fields under `data`, marked
 * `"data_source":"ledger"` in the body and `data_source=ledger` in the attributes, with the
 * attributes a normal message has and `replay=true`. Undefined for an item that is not a
 * transaction of a supported event type or lacks its card.
 */
export function ledgerMessageFor(item: StoredItem, run: string): OutgoingMessage | undefined {
  const eventType = item.event_type
  const voucherId = text(item.voucher_id)
  if (!isSupportedEventType(eventType) || voucherId === undefined) return undefined
  // The item's key is the gift transaction's id when it had one (key_source `transaction`).
  const transactionId = item.key_source === 'transaction' ? item.transaction_id : null
  const data: Record<string, unknown> = { transaction_id: transactionId }
  for (const field of LEDGER_FIELDS) {
    if (item[field] !== undefined && item[field] !== null) data[field] = item[field]
  }
  const ledger = text(item.ledger_status)
  const origin = text(item.origin)
  if (ledger !== undefined) data[LEDGER_ATTRIBUTE] = ledger
  if (origin !== undefined) data.origin = origin
  const body = JSON.stringify({
    event_type: eventType,
    data_source: LEDGER_DATA_SOURCE,
    webhook_id: item.webhook_id ?? null,
    event_id: item.event_id ?? null,
    project_id: item.project_id ?? null,
    idempotency_key: item.transaction_id,
    data,
  })
  const optional = {
    transaction_type: text(item.transaction_type),
    transaction_id: transactionId ?? undefined,
    voucher_id: voucherId,
    campaign_id: text(item.campaign_id),
    idempotency_key: item.transaction_id,
    origin,
    [LEDGER_ATTRIBUTE]: ledger,
  }
  const attributes: Record<string, string> = { event_type: eventType }
  for (const [name, value] of Object.entries(optional)) if (value) attributes[name] = value
  attributes.replay = 'true'
  attributes.data_source = LEDGER_DATA_SOURCE
  return {
    eventType,
    body,
    attributes,
    messageGroupId: voucherId,
    deduplicationId: `replay:${run}:${item.transaction_id}`,
  }
}
