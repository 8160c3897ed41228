import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb'
import type {
  CampaignSweepState,
  SweepFailure,
  SweepStop,
  SweepStore,
  SweepWalk,
  WalkKind,
} from '../sweep/sweep-store'
import { batchGetItems } from './batch-get-items'
import { ITEM_STATUS, itemKeys, SWEEP_FAILURE_SORT_KEY_PREFIX } from './transactions-table'

type Item = Record<string, unknown>

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)

/** The item's attributes without the absent ones: DynamoDB takes no undefined. */
const defined = (item: Item): Item =>
  Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined))

const WALK_ATTRIBUTES = {
  startedAt: 'started_at',
  from: 'from',
  cursor: 'cursor',
  settledThrough: 'settled_through',
  held: 'held',
  incrementalCursor: 'incremental_cursor',
  pastIncrementalCursor: 'past_incremental_cursor',
} as const satisfies Record<keyof SweepWalk, string>

const walkItem = (walk: SweepWalk): Item =>
  defined(
    Object.fromEntries(
      Object.entries(WALK_ATTRIBUTES).map(([field, attribute]) => [
        attribute,
        walk[field as keyof SweepWalk],
      ]),
    ),
  )

function walkOf(item: Item): SweepWalk {
  const walk = { startedAt: String(item.started_at) } as SweepWalk & Item
  for (const [field, attribute] of Object.entries(WALK_ATTRIBUTES)) {
    if (item[attribute] !== undefined) walk[field] = item[attribute]
  }
  return walk
}

function stateOf(item: Item | undefined): CampaignSweepState {
  const state: CampaignSweepState = { walks: {} }
  if (!item) return state
  const walks = (item.walks ?? {}) as Partial<Record<WalkKind, Item>>
  for (const kind of ['incremental', 'full'] as const) {
    const walk = walks[kind]
    if (walk) state.walks[kind] = walkOf(walk)
  }
  const coveredCursor = text(item.covered_cursor)
  if (coveredCursor !== undefined) state.coveredCursor = coveredCursor
  const fullWalkCompletedAt = text(item.full_walk_completed_at)
  if (fullWalkCompletedAt !== undefined) state.fullWalkCompletedAt = fullWalkCompletedAt
  const visitedAt = text(item.visited_at)
  if (visitedAt !== undefined) state.visitedAt = visitedAt
  if (item.last_stop) state.lastStop = item.last_stop as SweepStop
  return state
}

const failureItem = (failure: SweepFailure): Item =>
  defined({
    ...itemKeys.sweepFailure(failure.campaignId, failure.transactionId),
    campaign_id: failure.campaignId,
    failed_transaction_id: failure.transactionId,
    attempts: failure.attempts,
    reason: failure.reason,
    first_failed_at: failure.firstFailedAt,
    last_failed_at: failure.lastFailedAt,
    parked_at: failure.parkedAt,
  })

const failureOf = (item: Item): SweepFailure => ({
  campaignId: String(item.campaign_id),
  transactionId: String(item.failed_transaction_id),
  attempts: Number(item.attempts),
  reason: String(item.reason),
  firstFailedAt: String(item.first_failed_at),
  lastFailedAt: String(item.last_failed_at),
  ...(typeof item.parked_at === 'string' ? { parkedAt: item.parked_at } : {}),
})

const FAILURE_ATTRIBUTES = [
  'campaign_id',
  'failed_transaction_id',
  'attempts',
  'reason',
  'first_failed_at',
  'last_failed_at',
  'parked_at',
]

export function realSweepStore(client: DynamoDBClient, config: { tableName: string }): SweepStore {
  const documents = DynamoDBDocumentClient.from(client)
  const { tableName } = config

  return {
    async readStates(campaignIds, signal) {
      const keys = [...new Set(campaignIds)].map(itemKeys.sweep)
      const attributes = [
        'covered_cursor',
        'full_walk_completed_at',
        'walks',
        'visited_at',
        'last_stop',
      ]
      const items = await batchGetItems(documents, tableName, keys, attributes, {
        signal,
        consistent: true,
      })
      const byPartition = new Map(items.map((item) => [item.transaction_id, item]))
      return new Map(
        campaignIds.map((id) => [id, stateOf(byPartition.get(itemKeys.sweep(id).transaction_id))]),
      )
    },

    async saveState(campaignId, state, signal) {
      const walks = Object.fromEntries(
        Object.entries(state.walks).map(([kind, walk]) => [kind, walkItem(walk)]),
      )
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: defined({
            ...itemKeys.sweep(campaignId),
            covered_cursor: state.coveredCursor,
            full_walk_completed_at: state.fullWalkCompletedAt,
            walks,
            visited_at: state.visitedAt,
            last_stop: state.lastStop && defined({ ...state.lastStop }),
          }),
        }),
        { abortSignal: signal },
      )
    },

    async lookUp(campaignId, transactionIds, eventType, signal) {
      // BatchGetItem refuses a request that names one key twice.
      const ids = [...new Set(transactionIds)]
      const keys = [
        ...ids.map((id) => ({ transaction_id: id, event_type: eventType })),
        ...ids.map((id) => itemKeys.sweepFailure(campaignId, id)),
      ]
      const items = await batchGetItems(
        documents,
        tableName,
        keys,
        ['status', ...FAILURE_ATTRIBUTES],
        { signal },
      )
      const published = new Set<string>()
      const failures = new Map<string, SweepFailure>()
      for (const item of items) {
        if (item.event_type === eventType && item.status === ITEM_STATUS.published) {
          published.add(item.transaction_id)
        }
        if (item.event_type.startsWith(SWEEP_FAILURE_SORT_KEY_PREFIX)) {
          const failure = failureOf(item)
          failures.set(failure.transactionId, failure)
        }
      }
      return { published, failures }
    },

    async saveFailure(failure, signal) {
      await documents.send(new PutCommand({ TableName: tableName, Item: failureItem(failure) }), {
        abortSignal: signal,
      })
    },

    async clearFailure(campaignId, transactionId, signal) {
      await documents.send(
        new DeleteCommand({
          TableName: tableName,
          Key: itemKeys.sweepFailure(campaignId, transactionId),
        }),
        { abortSignal: signal },
      )
    },

    async listFailures(campaignId, signal) {
      const { transaction_id: partition } = itemKeys.sweep(campaignId)
      const failures: SweepFailure[] = []
      let startKey: Item | undefined
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression:
              'transaction_id = :partition AND begins_with(event_type, :prefix)',
            ExpressionAttributeValues: {
              ':partition': partition,
              ':prefix': SWEEP_FAILURE_SORT_KEY_PREFIX,
            },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
          { abortSignal: signal },
        )
        failures.push(...(page.Items ?? []).map(failureOf))
        startKey = page.LastEvaluatedKey
      } while (startKey)
      return failures
    },
  }
}
