import { UpdateCommand } from '@aws-sdk/lib-dynamodb'

// The transactions table, the one DynamoDB table of a stage (serverless.yml declares it). Every
// reader and writer, the function's adapters and the operator tools alike, takes its names here.
//
// Nine kinds of item share it, told apart by their keys:
// - a transaction: (idempotency key, event type), one per gift transaction and event type, kept
//   forever and holding nothing personal;
// - a payload: (idempotency key, `#payload:<event type>`), the body as received, gzipped,
//   written once and expiring (`expires_at`) as it holds the customer's personal data;
// - a quarantine item: (`quarantine:sha256:<body digest>`, event type), a payload that failed
//   its schema, expiring too;
// - a card's ledger head: (voucher id, `#ledger-head`);
// - a transaction's ledger step: (transaction id, `#ledger-step`);
// - a gift campaign's sweep state: (`sweep:<campaign id>`, `#sweep`), its cursors and walks;
// - a sweep failure: (`sweep:<campaign id>`, `#failure:<transaction id>`), a listed transaction
//   the sweep could not take in, its attempts and whether it is parked; in its campaign's
//   partition, so one Query lists a campaign's failures;
// - an erasure: (`erasure:<salted hash of the customer id>`, `#erasure`), a customer whose
//   personal data is not kept again;
// - the erasure salt: (`config:erasure-salt`, `#config`), made once per table.
// Event types are dotted names, so the `#` sort keys can never be a transaction's; only
// transactions have `voucher_id` (the voucher-ledger index), only payloads and quarantine
// items `customer_id` (the customer-data index).

/** Every item's key. */
export type ItemKey = {
  transaction_id: string
  event_type: string
}

export const keyOf = ({ transaction_id, event_type }: ItemKey): ItemKey => ({
  transaction_id,
  event_type,
})

/** The `status` of transaction and quarantine items, every value there is. */
export const ITEM_STATUS = {
  /** A delivery holds the right to publish (or held it, and its publish failed). */
  claimed: 'claimed',
  published: 'published',
  quarantined: 'quarantined',
  /** A quarantined payload taken in after a schema fix (`npm run replay -- --quarantined`). */
  resolved: 'resolved',
} as const
export type ItemStatus = (typeof ITEM_STATUS)[keyof typeof ITEM_STATUS]

export const QUARANTINE_KEY_PREFIX = 'quarantine:sha256:'
/** Every sort key that is not an event type (a transaction's or a quarantine item's) starts so. */
export const RESERVED_SORT_KEY_PREFIX = '#'
const LEDGER_HEAD_SORT_KEY = '#ledger-head'
const LEDGER_STEP_SORT_KEY = '#ledger-step'
const SWEEP_SORT_KEY = '#sweep'
const PAYLOAD_SORT_KEY_PREFIX = '#payload:'
/** Sort keys of a campaign's sweep failures: this, then the transaction id. */
export const SWEEP_FAILURE_SORT_KEY_PREFIX = '#failure:'
const sweepPartition = (campaignId: string) => `sweep:${campaignId}`

/** A quarantine item's partition key: one per distinct body. */
export const quarantineId = (bodyDigest: string) => `${QUARANTINE_KEY_PREFIX}${bodyDigest}`

export const itemKeys = {
  ledgerHead: (voucherId: string): ItemKey => ({
    transaction_id: voucherId,
    event_type: LEDGER_HEAD_SORT_KEY,
  }),
  ledgerStep: (transactionId: string): ItemKey => ({
    transaction_id: transactionId,
    event_type: LEDGER_STEP_SORT_KEY,
  }),
  sweep: (campaignId: string): ItemKey => ({
    transaction_id: sweepPartition(campaignId),
    event_type: SWEEP_SORT_KEY,
  }),
  sweepFailure: (campaignId: string, transactionId: string): ItemKey => ({
    transaction_id: sweepPartition(campaignId),
    event_type: `${SWEEP_FAILURE_SORT_KEY_PREFIX}${transactionId}`,
  }),
  /** The payload of the transaction item `key`. */
  payload: (key: ItemKey): ItemKey => ({
    transaction_id: key.transaction_id,
    event_type: `${PAYLOAD_SORT_KEY_PREFIX}${key.event_type}`,
  }),
  erasure: (customerHash: string): ItemKey => ({
    transaction_id: `erasure:${customerHash}`,
    event_type: '#erasure',
  }),
  erasureSalt: { transaction_id: 'config:erasure-salt', event_type: '#config' } as ItemKey,
}

/** The transaction item a payload item belongs to; undefined for any other item. */
export function transactionKeyOfPayload({ transaction_id, event_type }: ItemKey) {
  if (!event_type.startsWith(PAYLOAD_SORT_KEY_PREFIX)) return undefined
  return { transaction_id, event_type: event_type.slice(PAYLOAD_SORT_KEY_PREFIX.length) }
}

export const isQuarantineKey = ({ transaction_id }: ItemKey) =>
  transaction_id.startsWith(QUARANTINE_KEY_PREFIX)

/** The table's TTL attribute (epoch seconds): DynamoDB deletes an item some time after it. */
export const EXPIRES_AT = 'expires_at'

/** The payload item's body attribute: the bytes as received, gzipped. */
export const PAYLOAD_GZIP = 'payload_gzip'

/**
 * The index of every item holding one customer's personal data (payloads and quarantine items),
 * for erasure. Keys only: erasure deletes by key.
 */
export const CUSTOMER_INDEX = {
  name: 'customer-data',
  partitionKey: 'customer_id',
} as const

/**
 * Whether a key is a delivery's own item (a transaction or a quarantine item): its sort key is
 * an event type.
 */
export const isEventItem = ({ event_type }: ItemKey) =>
  !event_type.startsWith(RESERVED_SORT_KEY_PREFIX)

/**
 * The index of one gift card's transactions in time order. `projected` is what it must hold
 * besides the keys: what `npm run ledger` and reconcile read. Ids, types and amounts only:
 * nothing personal, no voucher code, no payload. serverless.yml's projection is checked
 * against it by the template test.
 */
export const LEDGER_INDEX = {
  name: 'voucher-ledger',
  partitionKey: 'voucher_id',
  sortKey: 'created_at',
  projected: [
    'transaction_type',
    'amount',
    'balance_after',
    'related_transaction_id',
    'ledger_status',
    'expected_balance',
    'previous_transaction_id',
    'origin',
    // Not shown by the ledger: reconcile reads it to tell stored from published.
    'status',
  ],
} as const

/** Everything a read of the index may ask for: the table's and the index's keys, then the rest. */
export const LEDGER_ATTRIBUTES = [
  'transaction_id',
  'event_type',
  LEDGER_INDEX.partitionKey,
  LEDGER_INDEX.sortKey,
  ...LEDGER_INDEX.projected,
] as const

/** `#n0`-style references for every attribute name, so reserved words (`status`) need no care. */
export class Expression {
  readonly names: Record<string, string> = {}
  readonly values: Record<string, unknown> = {}
  private byName = new Map<string, string>()

  name(attribute: string): string {
    let ref = this.byName.get(attribute)
    if (ref === undefined) {
      ref = `#n${this.byName.size}`
      this.byName.set(attribute, ref)
      this.names[ref] = attribute
    }
    return ref
  }

  value(value: unknown): string {
    const ref = `:v${Object.keys(this.values).length}`
    this.values[ref] = value
    return ref
  }

  projection(attributes: readonly string[]): string {
    return [...new Set(attributes)].map((attribute) => this.name(attribute)).join(', ')
  }
}

/**
 * One UpdateItem that writes `firstWrite` only where the item has no such attribute yet, sets
 * `always`, and adds 1 to `received_count`: the first delivery creates the item, every later
 * one just counts, and all of them learn the item's state in the same call.
 */
export function upsertCommand(
  tableName: string,
  key: ItemKey,
  firstWrite: Record<string, unknown>,
  always: Record<string, unknown>,
) {
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = { ':one': 1 }
  const sets: string[] = []
  const add = (prefix: string, entries: Record<string, unknown>, keepExisting: boolean) => {
    for (const [index, [name, value]] of Object.entries(entries).entries()) {
      if (value === undefined || name === 'transaction_id' || name === 'event_type') continue
      const nameRef = `#${prefix}${index}`
      const valueRef = `:${prefix}${index}`
      names[nameRef] = name
      values[valueRef] = value
      sets.push(
        keepExisting
          ? `${nameRef} = if_not_exists(${nameRef}, ${valueRef})`
          : `${nameRef} = ${valueRef}`,
      )
    }
  }
  add('f', firstWrite, true)
  add('a', always, false)
  return new UpdateCommand({
    TableName: tableName,
    Key: keyOf(key),
    UpdateExpression: `SET ${sets.join(', ')} ADD received_count :one`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  })
}
