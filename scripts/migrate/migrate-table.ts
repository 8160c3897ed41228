import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { conditionHeld } from '../../lib/aws/conditional-write'
import { realErasureStore } from '../../lib/aws/dynamodb-erasure-store'
import { realTransactionStore } from '../../lib/aws/dynamodb-transaction-store'
import {
  EXPIRES_AT,
  Expression,
  type ItemKey,
  isQuarantineKey,
  itemKeys,
  keyOf,
  QUARANTINE_KEY_PREFIX,
  RESERVED_SORT_KEY_PREFIX,
} from '../../lib/aws/transactions-table'
import { customerIdOf, eventDataOf } from '../../lib/privacy/personal-data'
import { expiresAt, type Retention } from '../../lib/privacy/retention'
import type { Counts, Progress } from '../cli/progress'
import { itemName, type Page, type StoredItem } from '../replay/replay-table'
import { type CheckpointStore, increment, type RunResult, runPages } from '../replay/run-pages'

// Moves a table written before the personal-data layout into it: a transaction item's payload
// goes to a payload item of its own that expires, the personal attributes leave the transaction
// item, and quarantine items get their customer and their expiry. Every write is conditional on
// the item still being in the old layout, so a run again, or two at once, changes nothing twice.

/** What the old layout kept on a transaction item and the new one does not. */
const PERSONAL_ATTRIBUTES = ['payload', 'holder_id', 'voucher_code', 'reason'] as const

/** What an item ends as, in the summary's order. */
export const MIGRATE_OUTCOMES = [
  /** A transaction's payload moved to its payload item (and its personal attributes removed). */
  'migrated',
  /** A payload past its retention: not written again; the transaction item is cleaned. */
  'expired',
  /** A payload of an erased customer: not written again (nor kept in a quarantine item). */
  'erased',
  /** A quarantine item that got its expiry and customer. */
  'quarantine_updated',
  /** Moved by another run meanwhile. */
  'unchanged',
] as const

export interface MigrateDeps {
  client: DynamoDBClient
  tableName: string
  /** Written after every page and where the run stops; read when resuming. */
  checkpoint: CheckpointStore | undefined
  progress: Progress
  /** Aborting stops the run before its next item; the checkpoint then says where. */
  signal?: AbortSignal
  clock: () => Date
}

export interface MigrateRequest {
  retention: Retention
  /** Reads and counts only: writes nothing, not even the checkpoint. */
  dryRun: boolean
  /** Carry on from the checkpoint (or start, when there is none yet). */
  resume: boolean
  /** Items read per page and per checkpoint. */
  pageSize: number
}

/** The customer a stored body names, read as the receiver reads it; undefined if none. */
function customerOf(payload: string): string | undefined {
  try {
    return customerIdOf(eventDataOf(JSON.parse(payload)))
  } catch {
    return undefined
  }
}

/** `received_at` as `expiresAt` takes it; a stored item without one is not ours to guess. */
function receivedAt(item: StoredItem): string {
  const at = item.received_at
  if (typeof at !== 'string' || !Number.isFinite(Date.parse(at))) {
    throw new Error(`${itemName(item)} has no received_at: left in the old layout`)
  }
  return at
}

/** Transaction items holding any personal attribute, and quarantine items without an expiry. */
function oldLayoutFilter(expression: Expression, retention: Retention): string {
  const id = expression.name('transaction_id')
  const eventType = expression.name('event_type')
  const quarantine = `begins_with(${id}, ${expression.value(QUARANTINE_KEY_PREFIX)})`
  const reserved = `begins_with(${eventType}, ${expression.value(RESERVED_SORT_KEY_PREFIX)})`
  const personal = PERSONAL_ATTRIBUTES.map(
    (attribute) => `attribute_exists(${expression.name(attribute)})`,
  ).join(' OR ')
  const transactions = `(NOT ${quarantine} AND NOT ${reserved} AND (${personal}))`
  if (retention.quarantineDays === 0) return transactions
  return `${transactions} OR (${quarantine} AND attribute_not_exists(${expression.name(EXPIRES_AT)}))`
}

/**
 * Scans the table for items in the old layout and moves each into the new one; resumable from
 * its checkpoint, and idempotent: a run after a finished one finds nothing to do.
 */
export async function migrateTable(deps: MigrateDeps, request: MigrateRequest): Promise<RunResult> {
  const { client, tableName, signal } = deps
  const { retention, dryRun } = request
  const documents = DynamoDBDocumentClient.from(client)
  const store = realTransactionStore(client, { tableName })
  const isErased = await erasureLookup(client, tableName, dryRun)
  const now = deps.clock().getTime()

  /** One conditional UpdateItem; false when another run got there first. */
  const updateIf = async (
    key: ItemKey,
    expression: Expression,
    update: string,
    condition: string,
  ) =>
    conditionHeld(
      documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues:
            Object.keys(expression.values).length > 0 ? expression.values : undefined,
        }),
        { abortSignal: signal },
      ),
    )

  const migrateTransaction = async (item: StoredItem): Promise<string> => {
    let outcome = 'migrated'
    if (typeof item.payload === 'string') {
      const { payload } = item
      const expires = expiresAt(receivedAt(item), retention.payloadDays)
      const customerId = customerOf(payload)
      if (expires !== undefined && expires * 1000 <= now) outcome = 'expired'
      else if (customerId !== undefined && (await isErased(customerId, signal))) outcome = 'erased'
      else if (!dryRun) {
        // Write-once: a run that stopped between this and the update below finds it there.
        await store.storePayload(
          {
            ...keyOf(item),
            payload,
            ...(customerId === undefined ? {} : { customer_id: customerId }),
            ...(expires === undefined ? {} : { expires_at: expires }),
          },
          signal,
        )
      }
    }
    if (dryRun) return outcome
    const expression = new Expression()
    const names = PERSONAL_ATTRIBUTES.map((attribute) => expression.name(attribute))
    const removed = await updateIf(
      item,
      expression,
      `REMOVE ${names.join(', ')}`,
      names.map((name) => `attribute_exists(${name})`).join(' OR '),
    )
    return removed ? outcome : 'unchanged'
  }

  const migrateQuarantine = async (item: StoredItem): Promise<string> => {
    const expires = expiresAt(receivedAt(item), retention.quarantineDays)
    if (expires === undefined) return 'unchanged'
    const customerId = typeof item.payload === 'string' ? customerOf(item.payload) : undefined
    const erased = customerId !== undefined && (await isErased(customerId, signal))
    if (dryRun) return erased ? 'erased' : 'quarantine_updated'
    const expression = new Expression()
    const expiry = expression.name(EXPIRES_AT)
    const sets = [`${expiry} = ${expression.value(expires)}`]
    if (customerId !== undefined && !erased) {
      const customer = expression.name('customer_id')
      sets.push(`${customer} = if_not_exists(${customer}, ${expression.value(customerId)})`)
    }
    // As the receiver quarantines an erased customer's payload: the issues alone.
    const remove = erased ? ` REMOVE ${expression.name('payload')}` : ''
    const updated = await updateIf(
      item,
      expression,
      `SET ${sets.join(', ')}${remove}`,
      `attribute_not_exists(${expiry})`,
    )
    if (!updated) return 'unchanged'
    return erased ? 'erased' : 'quarantine_updated'
  }

  const fetch = async (
    startKey: Record<string, unknown> | undefined,
  ): Promise<Page<StoredItem>> => {
    const expression = new Expression()
    const filter = oldLayoutFilter(expression, retention)
    const result = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: filter,
        ProjectionExpression: expression.projection([
          'transaction_id',
          'event_type',
          'payload',
          'received_at',
        ]),
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
        ExclusiveStartKey: startKey,
        Limit: request.pageSize,
      }),
      { abortSignal: signal },
    )
    const items = (result.Items ?? []) as StoredItem[]
    return {
      entries: items.map((item) => ({ value: item, position: keyOf(item) })),
      next: result.LastEvaluatedKey,
      evaluated: result.ScannedCount ?? items.length,
    }
  }

  const handle = async (item: StoredItem, counts: Counts) => {
    const outcome = isQuarantineKey(item)
      ? await migrateQuarantine(item)
      : await migrateTransaction(item)
    increment(counts, outcome)
  }

  return runPages(
    { ...deps, table: { tableName } },
    {
      mode: 'migrate',
      settings: { retention },
      dryRun,
      resume: request.resume,
    },
    MIGRATE_OUTCOMES,
    fetch,
    handle,
  )
}

/**
 * Whether a customer has been erased. A dry run writes nothing, not even the salt a first lookup
 * makes: a table without one has no erasures.
 */
async function erasureLookup(
  client: DynamoDBClient,
  tableName: string,
  dryRun: boolean,
): Promise<(customerId: string, signal?: AbortSignal) => Promise<boolean>> {
  const erasures = realErasureStore(client, { tableName })
  const lookup = (customerId: string, signal?: AbortSignal) => erasures.isErased(customerId, signal)
  if (!dryRun) return lookup
  const { Item } = await DynamoDBDocumentClient.from(client).send(
    new GetCommand({ TableName: tableName, Key: itemKeys.erasureSalt, ConsistentRead: true }),
  )
  return Item === undefined ? async () => false : lookup
}
