import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { batchGetItems } from '../../lib/aws/batch-get-items'
import { conditionHeld } from '../../lib/aws/conditional-write'
import { decodePayload } from '../../lib/aws/payload-encoding'
import {
  EXPIRES_AT,
  Expression,
  ITEM_STATUS,
  type ItemKey,
  type ItemStatus,
  itemKeys,
  keyOf,
  LEDGER_INDEX,
  PAYLOAD_GZIP,
  transactionKeyOfPayload,
} from '../../lib/aws/transactions-table'
import type { TrustedPayload } from '../../lib/receive/read-payload'
import type { EventOrigin } from '../../lib/receive/received-event'

/** An `ExclusiveStartKey`: where a scan or query carries on. Plain JSON, kept in checkpoints. */
export type Position = Record<string, unknown>

/** A stored item with the attributes asked for (every one may be missing). */
export type StoredItem = ItemKey & Record<string, unknown>

/** How an item is named in the output: its event type and key, never its payload. */
export const itemName = (item: ItemKey) => `${item.event_type} ${item.transaction_id}`

/** Counted, and noted as `payload expired or erased: <item>`, for an item whose payload is gone. */
export const PAYLOAD_GONE = 'payload_expired_or_erased'

/** A transaction's payload item, its body decoded. */
export interface StoredPayload {
  payload: string
  /** TTL, epoch seconds: DynamoDB deletes the item some time after it. */
  expires_at?: number
}

/** The body as it was received (of `item`, or its payload item's), with the route's event type for a raw payload. */
export function trustedPayloadOf(item: StoredItem, payload: string): TrustedPayload {
  return {
    body: Buffer.from(payload),
    pathEventType: item.delivery === 'raw' ? item.event_type : undefined,
    ...(typeof item.origin === 'string' ? { origin: item.origin as EventOrigin } : {}),
  }
}

export interface Page<T> {
  /** Each value with the position just after it, to carry on from there. */
  entries: Array<{ value: T; position: Position }>
  /** Undefined on the last page. */
  next: Position | undefined
  /** Items read for the page, matching or not. */
  evaluated: number
}

/**
 * The payload a transaction item's message can be built from: undefined when its payload item
 * is missing (its customer was erased, or DynamoDB deleted it on expiry) or past `expires_at`
 * (expired; DynamoDB has not deleted it yet).
 */
export function livePayload(stored: StoredPayload | undefined, now: Date): string | undefined {
  if (stored === undefined) return undefined
  if (stored.expires_at !== undefined && stored.expires_at * 1000 <= now.getTime()) return undefined
  return stored.payload
}

/** A transaction item and its payload, when it has a live one. */
export interface WithPayload {
  item: StoredItem
  payload: string | undefined
}

/**
 * A page of transaction items with their payloads, read by one BatchGetItem (per 100) for the
 * page; only the payloads of the items `wanted` selects are read.
 */
export async function withPayloads(
  table: Pick<ReplayTable, 'payloads'>,
  page: Page<StoredItem>,
  wanted: (item: StoredItem) => boolean,
  now: Date,
): Promise<Page<WithPayload>> {
  const keys = page.entries.map((entry) => entry.value).filter(wanted)
  const payloads = keys.length === 0 ? new Map() : await table.payloads(keys)
  return {
    ...page,
    entries: page.entries.map(({ value, position }) => ({
      value: { item: value, payload: livePayload(payloads.get(itemName(value)), now) },
      position,
    })),
  }
}

interface PageRequest {
  startKey: Position | undefined
  /** Items DynamoDB evaluates for the page, before any filter. */
  limit: number
}

/** Which items a run reads: of one event type, and/or timestamped `since <= t < until`. */
export interface Selection {
  eventType?: string
  /** Inclusive, in `toISOString()` form: of `created_at` for a replay, else of `received_at`. */
  since?: string
  /** Exclusive, as `since`. */
  until?: string
}

/** The selected items with `status`; `since` and `until` bound `timeAttribute`. */
export interface ScanFilter extends Selection {
  status: ItemStatus
  timeAttribute: 'created_at' | 'received_at'
}

interface Resolution {
  resolvedAt: string
  idempotencyKey: string
  outcome: 'accepted' | 'duplicate'
}

/** What replay reads from the transactions table, and the one write it makes of its own. */
export interface ReplayTable {
  readonly tableName: string
  /** A page of the items `filter` selects, with `attributes` only. */
  scan(
    filter: ScanFilter,
    attributes: readonly string[],
    page: PageRequest,
  ): Promise<Page<StoredItem>>
  /** A page of one voucher's selected items in `created_at` order, with `attributes` only. */
  voucherItems(
    filter: Selection & { voucherId: string },
    attributes: readonly string[],
    page: PageRequest,
  ): Promise<Page<StoredItem>>
  /** The payload items of these transaction items that exist, by the transaction's `itemName`. */
  payloads(keys: readonly ItemKey[]): Promise<Map<string, StoredPayload>>
  /** Marks a quarantine item resolved; false when it was no longer quarantined. */
  markResolved(key: ItemKey, resolution: Resolution): Promise<boolean>
  /** DynamoDB's estimate (refreshed about every six hours); undefined when unavailable. */
  approximateItemCount(): Promise<number | undefined>
}

/** Whether a stored timestamp lies in `since <= t < until`; false when it is not a timestamp. */
export function inRange(timestamp: unknown, { since, until }: Selection): boolean {
  if (since === undefined && until === undefined) return true
  const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN
  if (!Number.isFinite(ms)) return false
  return (
    (since === undefined || ms >= Date.parse(since)) &&
    (until === undefined || ms < Date.parse(until))
  )
}

/** Voucherify's timestamps may carry an offset of up to ±14 h: a day covers any of them. */
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Bounds for the comparison DynamoDB makes, which is on the text: widened by a day so that a
 * timestamp written with an offset is never left out. `inRange` then decides exactly.
 */
function textBounds({ since, until }: Selection) {
  const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()
  return {
    from: since === undefined ? undefined : shift(since, -DAY_MS),
    to: until === undefined ? undefined : shift(until, DAY_MS),
  }
}

export function realReplayTable(
  client: DynamoDBClient,
  { tableName }: { tableName: string },
): ReplayTable {
  const documents = DynamoDBDocumentClient.from(client)

  return {
    tableName,

    async scan(filter, attributes, page) {
      const expression = new Expression()
      const equals = (attribute: string, value: unknown) =>
        `${expression.name(attribute)} = ${expression.value(value)}`
      const conditions = [equals('status', filter.status)]
      if (filter.eventType !== undefined) conditions.push(equals('event_type', filter.eventType))
      const { from, to } = textBounds(filter)
      const time = filter.timeAttribute
      if (from !== undefined)
        conditions.push(`${expression.name(time)} >= ${expression.value(from)}`)
      if (to !== undefined) conditions.push(`${expression.name(time)} <= ${expression.value(to)}`)
      const projection = expression.projection(['transaction_id', 'event_type', ...attributes])
      const result = await documents.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: conditions.join(' AND '),
          ProjectionExpression: projection,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ExclusiveStartKey: page.startKey,
          Limit: page.limit,
        }),
      )
      const items = (result.Items ?? []) as StoredItem[]
      return {
        entries: items
          .filter((item) => inRange(item[time], filter))
          .map((item) => ({ value: item, position: keyOf(item) })),
        next: result.LastEvaluatedKey,
        evaluated: result.ScannedCount ?? items.length,
      }
    },

    // Keys from the ledger index (which may project nothing else), the items from the table.
    async voucherItems(filter, attributes, page) {
      const expression = new Expression()
      const createdAt = expression.name(LEDGER_INDEX.sortKey)
      const conditions = [
        `${expression.name(LEDGER_INDEX.partitionKey)} = ${expression.value(filter.voucherId)}`,
      ]
      const { from, to } = textBounds(filter)
      if (from !== undefined && to !== undefined) {
        conditions.push(
          `${createdAt} BETWEEN ${expression.value(from)} AND ${expression.value(to)}`,
        )
      } else if (from !== undefined) {
        conditions.push(`${createdAt} >= ${expression.value(from)}`)
      } else if (to !== undefined) {
        conditions.push(`${createdAt} <= ${expression.value(to)}`)
      }
      const eventTypeFilter =
        filter.eventType === undefined
          ? undefined
          : `${expression.name('event_type')} = ${expression.value(filter.eventType)}`
      const result = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: LEDGER_INDEX.name,
          KeyConditionExpression: conditions.join(' AND '),
          FilterExpression: eventTypeFilter,
          ProjectionExpression: expression.projection([
            'transaction_id',
            'event_type',
            LEDGER_INDEX.partitionKey,
            LEDGER_INDEX.sortKey,
          ]),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ExclusiveStartKey: page.startKey,
          Limit: page.limit,
        }),
      )
      // The index's keys and the table's: where the query carries on after each.
      const keys = (result.Items ?? []) as Array<ItemKey & Position>
      const items = await batchGetItems(documents, tableName, keys, attributes)
      const byName = new Map(items.map((item) => [itemName(item), item]))
      return {
        entries: keys.flatMap((key) => {
          const item = byName.get(itemName(key))
          // Gone since the index was read, or created just outside the range (see textBounds).
          return item === undefined || !inRange(item.created_at, filter)
            ? []
            : [{ value: item, position: key }]
        }),
        next: result.LastEvaluatedKey,
        evaluated: result.ScannedCount ?? keys.length,
      }
    },

    async payloads(keys) {
      const items = await batchGetItems(documents, tableName, keys.map(itemKeys.payload), [
        PAYLOAD_GZIP,
        EXPIRES_AT,
      ])
      const found = new Map<string, StoredPayload>()
      for (const item of items) {
        const key = transactionKeyOfPayload(item)
        const gzip = item[PAYLOAD_GZIP]
        if (key === undefined || !(gzip instanceof Uint8Array)) continue
        const expires = item[EXPIRES_AT]
        found.set(itemName(key), {
          payload: decodePayload(gzip),
          ...(typeof expires === 'number' ? { expires_at: expires } : {}),
        })
      }
      return found
    },

    markResolved(key, resolution) {
      return conditionHeld(
        documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression:
              'SET #status = :resolved, resolved_at = :at, resolved_idempotency_key = :key, resolved_outcome = :outcome',
            ConditionExpression: '#status = :quarantined',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':resolved': ITEM_STATUS.resolved,
              ':at': resolution.resolvedAt,
              ':key': resolution.idempotencyKey,
              ':outcome': resolution.outcome,
              ':quarantined': ITEM_STATUS.quarantined,
            },
          }),
        ),
      )
    },

    async approximateItemCount() {
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
        return Table?.ItemCount
      } catch {
        return undefined
      }
    },
  }
}
