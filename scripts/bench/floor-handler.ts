// The cold-start floor: the same AWS SDK clients the function creates (lib/deps.ts), built the
// same way, and Valibot, with no domain code. What any handler using these clients must load.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { SSMClient } from '@aws-sdk/client-ssm'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import * as v from 'valibot'

const awsClientSettings = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
}

export const clients = {
  documents: DynamoDBDocumentClient.from(new DynamoDBClient(awsClientSettings)),
  sns: new SNSClient(awsClientSettings),
  ssm: new SSMClient(awsClientSettings),
}

// One schema, so that Valibot's core is bundled and evaluated as it is in the function.
const BodySchema = v.looseObject({ id: v.pipe(v.string(), v.nonEmpty()) })

export async function handler(event: { body?: string }) {
  v.is(BodySchema, event.body === undefined ? {} : { id: 'floor' })
  return { statusCode: 200, body: '{"status":"floor"}' }
}
