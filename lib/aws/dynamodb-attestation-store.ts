import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { AttestationStore } from '../ledger/attestation-store'
import type { LedgerHead } from '../ledger/ledger-chain'
import { itemKeys } from './transactions-table'

/** The head as the document client reads it: plain values. */
function headOfDocument(item: Record<string, unknown> | undefined): LedgerHead | undefined {
  if (typeof item?.head_transaction_id !== 'string') return undefined
  return {
    transactionId: item.head_transaction_id,
    createdAt: String(item.head_created_at ?? ''),
    createdMs: Number(item.head_created_ms ?? 0),
    balance: Number(item.head_balance ?? 0),
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
        new GetCommand({ TableName: tableName, Key: itemKeys.ledgerHead(voucherId) }),
        { abortSignal: signal },
      )
      return headOfDocument(Item)
    },

    async recordAttestation(voucherId, attestation, signal) {
      const difference = attestation.voucherifyBalance - attestation.headBalance
      const update =
        difference === 0
          ? 'SET attested_at = :at, attested_balance = :balance REMOVE unattested_difference, unattested_at'
          : 'SET unattested_difference = :difference, unattested_at = :at, voucherify_balance = :balance'
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: itemKeys.ledgerHead(voucherId),
          UpdateExpression: update,
          // Never creates a head: one is written only by a step.
          ConditionExpression: 'attribute_exists(head_transaction_id)',
          ExpressionAttributeValues: {
            ':at': attestation.at,
            ':balance': attestation.voucherifyBalance,
            ...(difference === 0 ? {} : { ':difference': difference }),
          },
        }),
        { abortSignal: signal },
      )
    },
  }
}
