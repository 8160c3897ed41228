import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { realTransactionStore } from '../../../../lib/aws/dynamodb-transaction-store'
import { decodePayload } from '../../../../lib/aws/payload-encoding'
import { type ItemKey, itemKeys, keyOf, PAYLOAD_GZIP } from '../../../../lib/aws/transactions-table'
import { describeTransactionStoreContract } from '../../../support/contracts/transaction-store-contract'
import { localClients } from '../../../support/emulators/local-aws'

const { dynamodb } = localClients()
const documents = DynamoDBDocumentClient.from(dynamodb)
const tableName = process.env.TABLE_NAME as string

const getItem = async (key: ItemKey) =>
  (await documents.send(new GetCommand({ TableName: tableName, Key: keyOf(key) }))).Item

describeTransactionStoreContract('the DynamoDB adapter on DynamoDB Local', () => ({
  store: realTransactionStore(dynamodb, { tableName }),
  read: getItem,
  readPayload: async (key) => {
    const item = await getItem(itemKeys.payload(key))
    return item && { body: decodePayload(item[PAYLOAD_GZIP] as Uint8Array), item }
  },
}))
