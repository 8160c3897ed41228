import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { realTransactionStore } from '../../../../lib/aws/dynamodb-transaction-store'
import { describeTransactionStoreContract } from '../../../support/contracts/transaction-store-contract'
import { localClients } from '../../../support/emulators/local-aws'

const { dynamodb } = localClients()
const documents = DynamoDBDocumentClient.from(dynamodb)
const tableName = process.env.TABLE_NAME as string

describeTransactionStoreContract('the DynamoDB adapter on DynamoDB Local', () => ({
  store: realTransactionStore(dynamodb, { tableName }),
  read: async (key) =>
    (
      await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: { transaction_id: key.transaction_id, event_type: key.event_type },
        }),
      )
    ).Item,
}))
