import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { readCardItems } from '../ledger/card-ledger'

/**
 * The transactions the ledger holds for one voucher under `eventType`, each with its item's
 * status (`published`, or `claimed` while or after its delivery failed to publish), read
 * through the voucher-ledger index as `npm run ledger` reads them.
 */
export async function storedTransactions(
  client: DynamoDBClient,
  { tableName, voucherId, eventType }: { tableName: string; voucherId: string; eventType: string },
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const items = await readCardItems(
    DynamoDBDocumentClient.from(client),
    tableName,
    voucherId,
    signal,
  )
  return new Map(
    items
      .filter((item) => item.event_type === eventType)
      .map((item) => [String(item.transaction_id), String(item.status)]),
  )
}
