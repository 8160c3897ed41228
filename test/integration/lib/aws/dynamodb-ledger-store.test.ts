import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { realAttestationStore } from '../../../../lib/aws/dynamodb-attestation-store'
import { realLedgerStore } from '../../../../lib/aws/dynamodb-ledger-store'
import { type ItemKey, itemKeys } from '../../../../lib/aws/transactions-table'
import { describeLedgerStoreContract } from '../../../support/contracts/ledger-store-contract'
import { localClients } from '../../../support/emulators/local-aws'

const { dynamodb } = localClients()
const documents = DynamoDBDocumentClient.from(dynamodb)
const tableName = process.env.TABLE_NAME as string

const read = async (key: ItemKey) =>
  (await documents.send(new GetCommand({ TableName: tableName, Key: key }))).Item

describeLedgerStoreContract('the DynamoDB adapter on DynamoDB Local', () => ({
  store: realLedgerStore(dynamodb, { tableName }),
  attestations: realAttestationStore(dynamodb, { tableName }),
  readHead: async (voucherId) => {
    const item = await read(itemKeys.ledgerHead(voucherId))
    return (
      item && {
        transactionId: item.head_transaction_id,
        createdAt: item.head_created_at,
        createdMs: item.head_created_ms,
        balance: item.head_balance,
        updatedAt: item.updated_at,
        appliedCount: item.applied_count ?? 0,
        gapCount: item.gap_count ?? 0,
        outOfOrderCount: item.out_of_order_count ?? 0,
        attestedAt: item.attested_at,
        attestedBalance: item.attested_balance,
        unattestedDifference: item.unattested_difference,
        unattestedAt: item.unattested_at,
      }
    )
  },
  readStep: async (transactionId) => {
    const item = await read(itemKeys.ledgerStep(transactionId))
    return (
      item && {
        status: item.ledger_status,
        expectedBalance: item.expected_balance ?? null,
        previousTransactionId: item.previous_transaction_id ?? null,
        appliedEventType: item.applied_event_type,
        appliedAt: item.applied_at,
      }
    )
  },
}))
