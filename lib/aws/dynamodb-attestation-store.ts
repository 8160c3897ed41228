import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { AttestationStore, AttestedHead } from '../ledger/attestation-store'
import { conditionHeld } from './conditional-write'
import { itemKeys } from './transactions-table'

/** The head as the document client reads it: plain values. */
function headOfDocument(item: Record<string, unknown> | undefined): AttestedHead | undefined {
  if (typeof item?.head_transaction_id !== 'string') return undefined
  return {
    transactionId: item.head_transaction_id,
    createdAt: String(item.head_created_at ?? ''),
    createdMs: Number(item.head_created_ms ?? 0),
    balance: Number(item.head_balance ?? 0),
    ...(typeof item.updated_at === 'string' ? { updatedAt: item.updated_at } : {}),
  }
}

export function realAttestationStore(
  client: DynamoDBClient,
  config: { tableName: string },
): AttestationStore {
  const documents = DynamoDBDocumentClient.from(client)
  const { tableName } = config

  return {
    async readHead(voucherId, signal) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: itemKeys.ledgerHead(voucherId),
          // A step a moment ago must be seen: an eventual read could compare a stale head.
          ConsistentRead: true,
        }),
        { abortSignal: signal },
      )
      return headOfDocument(Item)
    },

    async recordAttestation(voucherId, attestation, signal) {
      const difference = attestation.voucherifyBalance - attestation.head.balance
      const update =
        difference === 0
          ? 'SET attested_at = :at, attested_balance = :balance REMOVE unattested_difference, unattested_at'
          : 'SET unattested_difference = :difference, unattested_at = :at, voucherify_balance = :balance'
      const recorded = await conditionHeld(
        documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: itemKeys.ledgerHead(voucherId),
            UpdateExpression: update,
            // Only on the head that was compared (a head is written only by a step), and never
            // over a later attestation of another sweep.
            ConditionExpression:
              'head_transaction_id = :head AND ' +
              '(attribute_not_exists(attested_at) OR attested_at <= :at) AND ' +
              '(attribute_not_exists(unattested_at) OR unattested_at <= :at)',
            ExpressionAttributeValues: {
              ':at': attestation.at,
              ':balance': attestation.voucherifyBalance,
              ':head': attestation.head.transactionId,
              ...(difference === 0 ? {} : { ':difference': difference }),
            },
          }),
          { abortSignal: signal },
        ),
      )
      return recorded ? 'recorded' : 'stale'
    },
  }
}
