import { realSweepStore } from '../../../../lib/aws/dynamodb-sweep-store'
import { realTransactionStore } from '../../../../lib/aws/dynamodb-transaction-store'
import { describeSweepStoreContract } from '../../../support/contracts/sweep-store-contract'
import { localClients } from '../../../support/emulators/local-aws'

const { dynamodb } = localClients()
const tableName = process.env.TABLE_NAME as string

describeSweepStoreContract('the DynamoDB adapter on DynamoDB Local', () => ({
  sweeps: realSweepStore(dynamodb, { tableName }),
  transactions: realTransactionStore(dynamodb, { tableName }),
}))
