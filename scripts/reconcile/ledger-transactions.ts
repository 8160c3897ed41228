import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { LEDGER_INDEX } from '../ledger/card-ledger'

/**
 * The transaction ids the ledger holds for one voucher under `eventType`, read through the
 * voucher-ledger index. Only the table's keys are asked for, which every index projects.
 */
export async function storedTransactionIds(
  client: DynamoDBClient,
  { tableName, voucherId, eventType }: { tableName: string; voucherId: string; eventType: string },
  signal?: AbortSignal,
): Promise<Set<string>> {
  const documents = DynamoDBDocumentClient.from(client)
  const ids = new Set<string>()
  let ExclusiveStartKey: Record<string, unknown> | undefined
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: LEDGER_INDEX,
        KeyConditionExpression: '#voucher = :voucher',
        ProjectionExpression: '#id, #type',
        ExpressionAttributeNames: {
          '#voucher': 'voucher_id',
          '#id': 'transaction_id',
          '#type': 'event_type',
        },
        ExpressionAttributeValues: { ':voucher': voucherId },
        ExclusiveStartKey,
      }),
      { abortSignal: signal },
    )
    for (const item of page.Items ?? []) {
      if (item.event_type === eventType) ids.add(String(item.transaction_id))
    }
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  return ids
}
