import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { realErasureStore } from '../../../../lib/aws/dynamodb-erasure-store'
import { realTransactionStore } from '../../../../lib/aws/dynamodb-transaction-store'
import { randomId } from '../../../../scripts/sample-events'
import { describeErasureStoreContract } from '../../../support/contracts/erasure-store-contract'
import { isolatedTable, scanTable } from '../../../support/emulators/isolated-stage'
import { localClients } from '../../../support/emulators/local-aws'

const { dynamodb } = localClients()
const documents = DynamoDBDocumentClient.from(dynamodb)

const isErasureRecord = (item: Record<string, unknown>) => item.event_type === '#erasure'

// A table per test: the erasure records a test sees are its own.
describeErasureStoreContract('the DynamoDB adapter on DynamoDB Local', async () => {
  const tableName = await isolatedTable()
  return {
    erasures: realErasureStore(dynamodb, { tableName }),
    transactions: realTransactionStore(dynamodb, { tableName }),
    erasureRecords: async () =>
      (await scanTable(tableName))
        .filter(isErasureRecord)
        .map((item) => ({ at: String(item.erased_at), requestedBy: String(item.requested_by) })),
    read: async (key) =>
      (
        await documents.send(
          new GetCommand({
            TableName: tableName,
            Key: { transaction_id: key.transaction_id, event_type: key.event_type },
            ConsistentRead: true,
          }),
        )
      ).Item,
  }
})

describe('the DynamoDB erasure store on DynamoDB Local', () => {
  it('keeps no trace of the customer id in the table once the customer is erased', async () => {
    const tableName = await isolatedTable()
    const erasures = realErasureStore(dynamodb, { tableName })
    const customerId = randomId('cust')

    await erasures.recordErasure(customerId, {
      at: '2026-01-01T00:00:00.000Z',
      requestedBy: 'operator',
    })

    const items = await scanTable(tableName)
    expect(items.filter(isErasureRecord)).toHaveLength(1)
    expect(JSON.stringify(items)).not.toContain(customerId)
    expect(JSON.stringify(items)).not.toContain(customerId.slice('cust_'.length))
  })

  it('makes the salt once and a second store instance finds the same customer erased', async () => {
    const tableName = await isolatedTable()
    const first = realErasureStore(dynamodb, { tableName })
    const second = realErasureStore(dynamodb, { tableName })
    const customerId = randomId('cust')
    await first.recordErasure(customerId, {
      at: '2026-01-01T00:00:00.000Z',
      requestedBy: 'operator',
    })

    const erasedForSecond = await second.isErased(customerId)
    await second.recordErasure(customerId, {
      at: '2026-02-01T00:00:00.000Z',
      requestedBy: 'operator',
    })

    const items = await scanTable(tableName)
    expect(erasedForSecond).toBe(true)
    expect(items.filter((item) => item.event_type === '#config')).toHaveLength(1)
    expect(items.filter(isErasureRecord)).toHaveLength(1)
  })

  it('agrees on one salt when two new store instances make it at once', async () => {
    const tableName = await isolatedTable()
    const stores = Array.from({ length: 5 }, () => realErasureStore(dynamodb, { tableName }))
    const customerId = randomId('cust')

    await Promise.all(
      stores.map((store) =>
        store.recordErasure(customerId, {
          at: '2026-01-01T00:00:00.000Z',
          requestedBy: 'operator',
        }),
      ),
    )

    const items = await scanTable(tableName)
    expect(items.filter((item) => item.event_type === '#config')).toHaveLength(1)
    expect(items.filter(isErasureRecord)).toHaveLength(1)
  })
})
