import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type {
  DeliveryState,
  QuarantineRecord,
  TransactionKey,
  TransactionStore,
} from '../receive/transaction-store'
import { conditionHeld } from './conditional-write'
import { encodePayload } from './payload-encoding'
import {
  EXPIRES_AT,
  ITEM_STATUS,
  itemKeys,
  keyOf,
  PAYLOAD_GZIP,
  upsertCommand,
} from './transactions-table'

export interface DynamoDbStoreConfig {
  tableName: string
}

function toDeliveryState(item: Record<string, unknown>): DeliveryState {
  const receivedCount = Number(item.received_count)
  if (item.status === ITEM_STATUS.published) {
    return { status: 'published', messageId: String(item.message_id), receivedCount }
  }
  return {
    status: 'claimed',
    claimToken: String(item.claim_token),
    leaseExpiresAt: Number(item.lease_expires_at),
    receivedCount,
  }
}

export function realTransactionStore(
  client: DynamoDBClient,
  config: DynamoDbStoreConfig,
): TransactionStore {
  const documents = DynamoDBDocumentClient.from(client)
  const { tableName } = config

  /** An UpdateItem that applies only when `condition` holds; false when it did not. */
  const updateIf = async (
    key: TransactionKey,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<boolean> =>
    conditionHeld(
      documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
        { abortSignal: signal },
      ),
    )

  return {
    async recordDelivery(record, claim, now, signal) {
      const firstWrite = {
        ...record,
        status: ITEM_STATUS.claimed,
        claim_token: claim.token,
        lease_expires_at: claim.expiresAt,
      }
      const result = await documents.send(
        upsertCommand(tableName, record, firstWrite, { last_received_at: now }),
        { abortSignal: signal },
      )
      return toDeliveryState(result.Attributes ?? {})
    },

    takeOverClaim(key, staleToken, claim, signal) {
      return updateIf(
        key,
        'SET claim_token = :token, lease_expires_at = :expires ADD takeover_count :one',
        // `:token` too: the SDK may resend a take-over whose first answer was lost.
        '#status = :claimed AND claim_token IN (:stale, :token)',
        {
          ':token': claim.token,
          ':expires': claim.expiresAt,
          ':one': 1,
          ':claimed': ITEM_STATUS.claimed,
          ':stale': staleToken,
        },
        signal,
      )
    },

    markPublished(key, claimToken, publication, signal) {
      const sets = ['#status = :published, message_id = :messageId, published_at = :publishedAt']
      const values: Record<string, unknown> = {
        ':published': ITEM_STATUS.published,
        ':messageId': publication.messageId,
        ':publishedAt': publication.publishedAt,
        ':token': claimToken,
      }
      // The chain verdict rides on this write: recording it on the item costs no call of its own.
      const { ledger } = publication
      if (ledger) {
        sets.push('ledger_status = :ledgerStatus')
        values[':ledgerStatus'] = ledger.status
        if (ledger.expectedBalance !== null) {
          sets.push('expected_balance = :expectedBalance')
          values[':expectedBalance'] = ledger.expectedBalance
        }
        if (ledger.previousTransactionId !== null) {
          sets.push('previous_transaction_id = :previousTransactionId')
          values[':previousTransactionId'] = ledger.previousTransactionId
        }
      }
      return updateIf(
        key,
        `SET ${sets.join(', ')} REMOVE lease_expires_at`,
        'claim_token = :token',
        values,
        signal,
      )
    },

    async releaseClaim(key, claimToken, now, signal) {
      await updateIf(
        key,
        'SET lease_expires_at = :now',
        '#status = :claimed AND claim_token = :token',
        { ':now': now, ':claimed': ITEM_STATUS.claimed, ':token': claimToken },
        signal,
      )
    },

    async storePayload({ payload, customer_id, expires_at, ...key }, signal) {
      // Write-once: a delivery that took over a claim finds it there, and leaves it.
      await conditionHeld(
        documents.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...itemKeys.payload(key),
              [PAYLOAD_GZIP]: encodePayload(payload),
              ...(customer_id === undefined ? {} : { customer_id }),
              ...(expires_at === undefined ? {} : { [EXPIRES_AT]: expires_at }),
            },
            ConditionExpression: 'attribute_not_exists(transaction_id)',
          }),
          { abortSignal: signal },
        ),
      )
    },

    async quarantine(record: QuarantineRecord, signal?: AbortSignal) {
      const { received_at, ...rest } = record
      await documents.send(
        upsertCommand(
          tableName,
          record,
          { ...rest, status: ITEM_STATUS.quarantined, received_at },
          { last_received_at: received_at },
        ),
        { abortSignal: signal },
      )
    },
  }
}
