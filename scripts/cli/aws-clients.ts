import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { SQSClient } from '@aws-sdk/client-sqs'
import { SSMClient } from '@aws-sdk/client-ssm'
import type { StageTarget } from './stage-target'

/** The SDK clients an operator command uses, made once for its target. */
export interface AwsClients {
  dynamodb: DynamoDBClient
  sns: SNSClient
  sqs: SQSClient
  /** Deployed stages only: the local stage keeps no parameters. */
  ssm: SSMClient | undefined
  destroy(): void
}

/** The emulators accept any credentials; fixed ones keep a developer's real AWS keys out of it. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' }
/** Deployed stages: retried generously, as a long run meets throttling now and then. */
const DEPLOYED_MAX_ATTEMPTS = 6

/** The emulators for the local stage, AWS with the standard credential chain for any other. */
export function awsClientsFor(target: Pick<StageTarget, 'region' | 'endpoints'>): AwsClients {
  const { endpoints, region } = target
  const common = endpoints
    ? { region, credentials: LOCAL_CREDENTIALS }
    : { region, maxAttempts: DEPLOYED_MAX_ATTEMPTS }
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints?.dynamodb })
  const sns = new SNSClient({ ...common, endpoint: endpoints?.sns })
  const sqs = new SQSClient({ ...common, endpoint: endpoints?.sqs })
  const ssm = endpoints ? undefined : new SSMClient(common)
  return {
    dynamodb,
    sns,
    sqs,
    ssm,
    destroy() {
      for (const client of [dynamodb, sns, sqs, ssm]) client?.destroy()
    },
  }
}
