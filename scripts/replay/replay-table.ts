import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { batchGetItems } from '../../lib/aws/batch-get-items'
import {
  Expression,
  ITEM_STATUS,
  type ItemKey,
  keyOf,
  LEDGER_INDEX,
} from '../../lib/aws/transactions-table'

export type { ItemKey }

/** An `ExclusiveStartKey`: where a scan or query carries on. Plain JSON, kept in checkpoints. */
export type Position = Record<string, unknown>

/** A stored item with the attributes asked for (every one may be missing). */
export type StoredItem = ItemKey & Record<string, unknown>

/** How an item is named in the output: its event type and key, never its payload. */
export const itemName = (item: StoredItem) => `${item.event_type} ${item.transaction_id}`

export interface PageRequest {
  startKey: Position | undefined
  /** Items DynamoDB evaluates for the page, before any filter. */
  limit: number
}

export interface Page<T> {
  /** Each value with the position just after it, to carry on from there. */
  entries: Array<{ value: T; position: Position }>
  /** Undefined on the last page. */
  next: Position | undefined
  /** Items read for the page, matching or not. */
  evaluated: number
}

export interface ScanFilter {
  status: string
  eventType?: string
  /** Compared as text, both bounds inclusive. */
  range?: { attribute: string; from?: string; to?: string }
}

export interface VoucherQuery {
  voucherId: string
  eventType?: string
  /** Bounds on the index's sort key `created_at`, compared as text, both inclusive. */
  from?: string
  to?: string
}

export interface Resolution {
  resolvedAt: string
  idempotencyKey: string
  outcome: 'accepted' | 'duplicate'
}

/** What replay reads from the transactions table, and the one write it makes of its own. */
export interface ReplayTable {
  readonly tableName: string
  /** A page of items with `status` (and the other filters), with `attributes` only. */
  scan(
    filter: ScanFilter,
    attributes: readonly string[],
    page: PageRequest,
  ): Promise<Page<StoredItem>>
  /** A page of one voucher's keys, in `created_at` order, from the ledger index. */
  queryVoucher(query: VoucherQuery, page: PageRequest): Promise<Page<ItemKey>>
  /** The items of `keys` that exist, with `attributes` only, in no particular order. */
  getItems(keys: readonly ItemKey[], attributes: readonly string[]): Promise<StoredItem[]>
  /** Marks a quarantine item resolved; false when it was no longer quarantined. */
  markResolved(key: ItemKey, resolution: Resolution): Promise<boolean>
  /** DynamoDB's estimate (refreshed about every six hours); undefined when unavailable. */
  approximateItemCount(): Promise<number | undefined>
}

export interface ReplayTableConfig {
  tableName: string
  /** The `voucher_id` + `created_at` index. */
  indexName?: string
  /** Waits between BatchGetItem retries of unprocessed keys. */
  sleep?: (ms: number) => Promise<void>
}

export function realReplayTable(client: DynamoDBClient, config: ReplayTableConfig): ReplayTable {
  const documents = DynamoDBDocumentClient.from(client)
  const { tableName } = config
  const indexName = config.indexName ?? LEDGER_INDEX.name

  return {
    tableName,

    async scan(filter, attributes, page) {
      const expression = new Expression()
      const conditions = [`${expression.name('status')} = ${expression.value(filter.status)}`]
      if (filter.eventType !== undefined) {
        conditions.push(`${expression.name('event_type')} = ${expression.value(filter.eventType)}`)
      }
      const { range } = filter
      if (range?.from !== undefined) {
        conditions.push(`${expression.name(range.attribute)} >= ${expression.value(range.from)}`)
      }
      if (range?.to !== undefined) {
        conditions.push(`${expression.name(range.attribute)} <= ${expression.value(range.to)}`)
      }
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
        entries: items.map((item) => ({ value: item, position: keyOf(item) })),
        next: result.LastEvaluatedKey,
        evaluated: result.ScannedCount ?? items.length,
      }
    },

    async queryVoucher(query, page) {
      const expression = new Expression()
      const createdAt = expression.name(LEDGER_INDEX.sortKey)
      const conditions = [
        `${expression.name(LEDGER_INDEX.partitionKey)} = ${expression.value(query.voucherId)}`,
      ]
      if (query.from !== undefined && query.to !== undefined) {
        conditions.push(
          `${createdAt} BETWEEN ${expression.value(query.from)} AND ${expression.value(query.to)}`,
        )
      } else if (query.from !== undefined) {
        conditions.push(`${createdAt} >= ${expression.value(query.from)}`)
      } else if (query.to !== undefined) {
        conditions.push(`${createdAt} <= ${expression.value(query.to)}`)
      }
      const eventTypeFilter =
        query.eventType === undefined
          ? undefined
          : `${expression.name('event_type')} = ${expression.value(query.eventType)}`
      // Keys only: the index may project nothing else, and the items are read from the table.
      const projection = expression.projection([
        'transaction_id',
        'event_type',
        'voucher_id',
        'created_at',
      ])
      const result = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexName,
          KeyConditionExpression: conditions.join(' AND '),
          FilterExpression: eventTypeFilter,
          ProjectionExpression: projection,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ExclusiveStartKey: page.startKey,
          Limit: page.limit,
        }),
      )
      const items = (result.Items ?? []) as Array<
        ItemKey & { voucher_id: string; created_at: string }
      >
      return {
        entries: items.map((item) => ({
          value: keyOf(item),
          position: {
            voucher_id: item.voucher_id,
            created_at: item.created_at,
            transaction_id: item.transaction_id,
            event_type: item.event_type,
          },
        })),
        next: result.LastEvaluatedKey,
        evaluated: result.ScannedCount ?? items.length,
      }
    },

    getItems(keys, attributes) {
      return batchGetItems(documents, tableName, keys, attributes, { sleep: config.sleep })
    },

    async markResolved(key, resolution) {
      try {
        await documents.send(
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
        )
        return true
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false
        throw error
      }
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
