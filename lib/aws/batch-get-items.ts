import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { Expression, type ItemKey, keyOf } from './transactions-table'

// A module of its own: the webhook function, which never reads the table, does not import it.

/** The most keys one BatchGetItem may name. */
const BATCH_GET_MAX_KEYS = 100
const BATCH_GET_MAX_ATTEMPTS = 8

export interface BatchGetOptions {
  /** Waits between retries of the keys DynamoDB left unprocessed. */
  sleep?: (ms: number) => Promise<void>
  signal?: AbortSignal
  /** Strongly consistent reads: what a write a moment ago left. */
  consistent?: boolean
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * The items of `keys` that exist, with `attributes` (and their keys) only, in no particular
 * order: BatchGetItem by 100 keys, retrying what it leaves unprocessed with a growing pause.
 */
export async function batchGetItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  attributes: readonly string[],
  { sleep = defaultSleep, signal, consistent = false }: BatchGetOptions = {},
): Promise<Array<ItemKey & Record<string, unknown>>> {
  const found: Array<ItemKey & Record<string, unknown>> = []
  const expression = new Expression()
  const projection = expression.projection(['transaction_id', 'event_type', ...attributes])
  for (let start = 0; start < keys.length; start += BATCH_GET_MAX_KEYS) {
    let pending: Array<Record<string, unknown>> = keys
      .slice(start, start + BATCH_GET_MAX_KEYS)
      .map(keyOf)
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > BATCH_GET_MAX_ATTEMPTS) {
        throw new Error(
          `BatchGetItem left ${pending.length} keys unprocessed after ${BATCH_GET_MAX_ATTEMPTS} attempts`,
        )
      }
      if (attempt > 1) await sleep(Math.min(50 * 2 ** (attempt - 2), 2_000))
      const result = await documents.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ProjectionExpression: projection,
              ExpressionAttributeNames: expression.names,
              ConsistentRead: consistent,
            },
          },
        }),
        { abortSignal: signal },
      )
      found.push(...((result.Responses?.[tableName] ?? []) as typeof found))
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? []
    }
  }
  return found
}
