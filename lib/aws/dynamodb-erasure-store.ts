import { createHmac, randomBytes } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import type { ErasureStore, PersonalDataItem } from '../privacy/erasure-store'
import { conditionHeld } from './conditional-write'
import {
  CUSTOMER_INDEX,
  type ItemKey,
  isQuarantineKey,
  itemKeys,
  keyOf,
  transactionKeyOfPayload,
} from './transactions-table'

export interface DynamoDbErasureConfig {
  tableName: string
}

/** The most requests one BatchWriteItem may carry. */
const BATCH_WRITE_MAX = 25
const BATCH_WRITE_MAX_ATTEMPTS = 8

/** The table item of a personal-data item as the port names it. */
const tableKeyOf = (item: PersonalDataItem): ItemKey =>
  item.kind === 'payload' ? itemKeys.payload(item.key) : keyOf(item.key)

export function realErasureStore(
  client: DynamoDBClient,
  config: DynamoDbErasureConfig,
): ErasureStore {
  const documents = DynamoDBDocumentClient.from(client)
  const { tableName } = config
  let salt: Promise<string> | undefined

  /** The table's salt, made on first use; two makers at once agree on the first one written. */
  const readSalt = async (signal?: AbortSignal): Promise<string> => {
    const read = async () => {
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: itemKeys.erasureSalt, ConsistentRead: true }),
        { abortSignal: signal },
      )
      return typeof Item?.salt === 'string' ? Item.salt : undefined
    }
    const existing = await read()
    if (existing !== undefined) return existing
    const made = randomBytes(32).toString('base64')
    const putItem = new PutCommand({
      TableName: tableName,
      Item: { ...itemKeys.erasureSalt, salt: made },
      ConditionExpression: 'attribute_not_exists(transaction_id)',
    })
    if (await conditionHeld(documents.send(putItem, { abortSignal: signal }))) return made
    const written = await read()
    if (written === undefined) throw new Error('The erasure salt vanished while it was made')
    return written
  }

  const erasureKey = async (customerId: string, signal?: AbortSignal) => {
    salt ??= readSalt(signal).catch((error) => {
      salt = undefined
      throw error
    })
    const hash = createHmac('sha256', await salt)
      .update(customerId)
      .digest('base64url')
    return itemKeys.erasure(hash)
  }

  return {
    async isErased(customerId, signal) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: await erasureKey(customerId, signal),
          // Strongly consistent: an erasure recorded a moment ago counts.
          ConsistentRead: true,
          ProjectionExpression: 'transaction_id',
        }),
        { abortSignal: signal },
      )
      return Item !== undefined
    },

    async recordErasure(customerId, { at, requestedBy }, signal) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: await erasureKey(customerId, signal),
          UpdateExpression:
            'SET erased_at = if_not_exists(erased_at, :at), requested_by = if_not_exists(requested_by, :by), last_requested_at = :at',
          ExpressionAttributeValues: { ':at': at, ':by': requestedBy },
        }),
        { abortSignal: signal },
      )
    },

    async findPersonalData(customerId, signal) {
      const found: PersonalDataItem[] = []
      let startKey: Record<string, unknown> | undefined
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: CUSTOMER_INDEX.name,
            KeyConditionExpression: '#customer = :customer',
            ExpressionAttributeNames: { '#customer': CUSTOMER_INDEX.partitionKey },
            ExpressionAttributeValues: { ':customer': customerId },
            ExclusiveStartKey: startKey,
          }),
          { abortSignal: signal },
        )
        for (const item of page.Items ?? []) {
          const key = keyOf(item as ItemKey)
          const transactionKey = transactionKeyOfPayload(key)
          if (transactionKey) found.push({ key: transactionKey, kind: 'payload' })
          else if (isQuarantineKey(key)) found.push({ key, kind: 'quarantine' })
        }
        startKey = page.LastEvaluatedKey
      } while (startKey)
      return found
    },

    async deleteItems(items, signal) {
      for (let start = 0; start < items.length; start += BATCH_WRITE_MAX) {
        let pending = items
          .slice(start, start + BATCH_WRITE_MAX)
          .map((item) => ({ DeleteRequest: { Key: tableKeyOf(item) } }))
        for (let attempt = 1; pending.length > 0; attempt++) {
          if (attempt > BATCH_WRITE_MAX_ATTEMPTS) {
            throw new Error(`BatchWriteItem left ${pending.length} deletes unprocessed`)
          }
          if (attempt > 1) await new Promise((r) => setTimeout(r, 50 * 2 ** (attempt - 2)))
          const result = await documents.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
            { abortSignal: signal },
          )
          pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending
        }
      }
    },
  }
}
