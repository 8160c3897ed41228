import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { SweepState, SweepStore, SweepWalk } from '../sweep/sweep-store'
import { batchGetItems } from './batch-get-items'
import { ITEM_STATUS, itemKeys } from './transactions-table'

export function realSweepStore(client: DynamoDBClient, config: { tableName: string }): SweepStore {
  const documents = DynamoDBDocumentClient.from(client)
  const { tableName } = config

  return {
    async readState(campaignId, signal) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: itemKeys.sweep(campaignId),
          ConsistentRead: true,
        }),
        { abortSignal: signal },
      )
      const state: SweepState = {}
      if (typeof Item?.covered_until === 'string') state.coveredUntil = Item.covered_until
      if (typeof Item?.walk_started_at === 'string') {
        const walk: SweepWalk = { startedAt: Item.walk_started_at, full: Item.walk_full === true }
        if (typeof Item.walk_cursor === 'string') walk.cursor = Item.walk_cursor
        if (typeof Item.walk_oldest_unsettled_at === 'string') {
          walk.oldestUnsettledAt = Item.walk_oldest_unsettled_at
        }
        state.walk = walk
      }
      return state
    },

    async saveWalk(campaignId, walk, signal) {
      // Optional fields absent from the walk are removed, not left from an earlier one.
      const optional = {
        walk_cursor: walk.cursor,
        walk_oldest_unsettled_at: walk.oldestUnsettledAt,
      }
      const sets = ['walk_started_at = :startedAt', 'walk_full = :full']
      const removes: string[] = []
      const values: Record<string, unknown> = { ':startedAt': walk.startedAt, ':full': walk.full }
      for (const [name, value] of Object.entries(optional)) {
        if (value === undefined) removes.push(name)
        else {
          sets.push(`${name} = :${name}`)
          values[`:${name}`] = value
        }
      }
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: itemKeys.sweep(campaignId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeValues: values,
        }),
        { abortSignal: signal },
      )
    },

    async completeWalk(campaignId, coveredUntil, signal) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: itemKeys.sweep(campaignId),
          UpdateExpression:
            'SET covered_until = :coveredUntil ' +
            'REMOVE walk_started_at, walk_full, walk_cursor, walk_oldest_unsettled_at',
          ExpressionAttributeValues: { ':coveredUntil': coveredUntil },
        }),
        { abortSignal: signal },
      )
    },

    async publishedAmong(transactionIds, eventType, signal) {
      // BatchGetItem refuses a request that names one key twice.
      const keys = [...new Set(transactionIds)].map((id) => ({
        transaction_id: id,
        event_type: eventType,
      }))
      const items = await batchGetItems(documents, tableName, keys, ['status'], { signal })
      return new Set(
        items
          .filter((item) => item.status === ITEM_STATUS.published)
          .map((item) => item.transaction_id),
      )
    },
  }
}
