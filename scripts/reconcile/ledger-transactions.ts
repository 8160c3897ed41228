import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { LEDGER_INDEX } from '../ledger/card-ledger'

/**
 * The transactions the ledger holds for one voucher under `eventType`, each with its item's
 * status (`published`, or `claimed` while or after its delivery failed to publish), read
 * through the voucher-ledger index.
 */
export async function storedTransactions(
  client: DynamoDBClient,
  { tableName, voucherId, eventType }: { tableName: string; voucherId: string; eventType: string },
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const documents = DynamoDBDocumentClient.from(client)
  const statuses = new Map<string, string>()
  let ExclusiveStartKey: Record<string, unknown> | undefined
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: LEDGER_INDEX,
        KeyConditionExpression: '#voucher = :voucher',
        ProjectionExpression: '#id, #type, #status',
        ExpressionAttributeNames: {
          '#voucher': 'voucher_id',
          '#id': 'transaction_id',
          '#type': 'event_type',
          '#status': 'status',
        },
        ExpressionAttributeValues: { ':voucher': voucherId },
        ExclusiveStartKey,
      }),
      { abortSignal: signal },
    )
    for (const item of page.Items ?? []) {
      if (item.event_type === eventType) {
        statuses.set(String(item.transaction_id), String(item.status))
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  return statuses
}
