import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { SSMClient } from '@aws-sdk/client-ssm'
import type { Config } from './config'
import { realTransactionStore } from './dynamodb-transaction-store'
import { type EventPublisher, realEventPublisher } from './event-publisher'
import type { TransactionStore } from './transaction-store'
import { realWebhookSecrets, staticWebhookSecrets, type WebhookSecrets } from './webhook-secrets'

/** Everything the domain needs from the outside world; functions take the part they use. */
export interface Deps {
  secrets: WebhookSecrets
  store: TransactionStore
  publisher: EventPublisher
  clock: () => Date
  settings: { claimLeaseMs: number; maxBodyBytes: number }
}

/**
 * Per attempt: a dead endpoint fails fast and a stalled one is retried (without
 * `throwOnRequestTimeout` the SDK only warns). The delivery's deadline bounds the whole.
 */
const awsClientSettings = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
}

/** Builds the real dependencies; call once per container, outside the handler. */
export function buildDeps(config: Config): Deps {
  const clock = () => new Date()
  const secrets =
    'parameterName' in config.secret
      ? realWebhookSecrets(new SSMClient(awsClientSettings), { ...config.secret, clock })
      : staticWebhookSecrets(config.secret.value)
  return {
    secrets,
    store: realTransactionStore(new DynamoDBClient(awsClientSettings), {
      tableName: config.tableName,
    }),
    publisher: realEventPublisher(new SNSClient(awsClientSettings), {
      topicArnPrefix: config.topicArnPrefix,
    }),
    clock,
    settings: { claimLeaseMs: config.claimLeaseMs, maxBodyBytes: config.maxBodyBytes },
  }
}
