import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { SQSClient } from '@aws-sdk/client-sqs'
import type { LocalAwsClients } from './provision'

export interface LocalEndpoints {
  region: string
  dynamodb: string
  sns: string
  sqs: string
}

/** The emulators accept any credentials; fixed ones keep a developer's real AWS keys out of it. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' }

export function createLocalClients(endpoints: LocalEndpoints): LocalAwsClients {
  const common = { region: endpoints.region, credentials: LOCAL_CREDENTIALS }
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    sns: new SNSClient({ ...common, endpoint: endpoints.sns }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.sqs }),
  }
}

export function destroyLocalClients(clients: LocalAwsClients): void {
  clients.dynamodb.destroy()
  clients.sns.destroy()
  clients.sqs.destroy()
}
