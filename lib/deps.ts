import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SNSClient } from '@aws-sdk/client-sns'
import { SSMClient } from '@aws-sdk/client-ssm'
import { realErasureStore } from './aws/dynamodb-erasure-store'
import { realLedgerStore } from './aws/dynamodb-ledger-store'
import { realTransactionStore } from './aws/dynamodb-transaction-store'
import { realEventPublisher } from './aws/sns-event-publisher'
import { realWebhookSecrets } from './aws/ssm-webhook-secrets'
import type { Config } from './config'
import type { LedgerStore } from './ledger/ledger-store'
import type { ErasureStore } from './privacy/erasure-store'
import type { Retention } from './privacy/retention'
import type { EventPublisher } from './receive/event-publisher'
import type { TransactionStore } from './receive/transaction-store'
import { staticWebhookSecrets, type WebhookSecrets } from './receive/webhook-secrets'

/** Everything the domain needs from the outside world; functions take the part they use. */
export interface Deps {
  secrets: WebhookSecrets
  store: TransactionStore
  ledger: LedgerStore
  erasures: ErasureStore
  publisher: EventPublisher
  clock: () => Date
  settings: Settings
}

export interface Settings {
  claimLeaseMs: number
  maxBodyBytes: number
  /** How long payloads and quarantined payloads are kept. */
  retention: Retention
  /** Whether messages carry the customer's and holder's personal fields (ids always). */
  publishPersonalData: boolean
}

/**
 * Per attempt: a dead endpoint fails fast and a stalled one is retried (without
 * `throwOnRequestTimeout` the SDK only warns). The delivery's deadline bounds the whole.
 */
const awsClientSettings = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
}

/** The SDK clients a function uses, made once per container with the settings above. */
export function awsClients() {
  return {
    dynamodb: new DynamoDBClient(awsClientSettings),
    sns: new SNSClient(awsClientSettings),
    ssm: new SSMClient(awsClientSettings),
  }
}

/**
 * Builds the real dependencies; call once per container, outside the handler. An operator tool
 * running the same pipeline from elsewhere passes SDK clients configured for its target.
 */
export function buildDeps(
  config: Config,
  clients: { dynamodb?: DynamoDBClient; sns?: SNSClient; ssm?: SSMClient } = {},
): Deps {
  const clock = () => new Date()
  const secrets =
    'parameterName' in config.secret
      ? realWebhookSecrets(clients.ssm ?? new SSMClient(awsClientSettings), {
          ...config.secret,
          clock,
        })
      : staticWebhookSecrets(config.secret.value)
  const dynamodb = clients.dynamodb ?? new DynamoDBClient(awsClientSettings)
  return {
    secrets,
    store: realTransactionStore(dynamodb, { tableName: config.tableName }),
    ledger: realLedgerStore(dynamodb, { tableName: config.tableName }),
    erasures: realErasureStore(dynamodb, { tableName: config.tableName }),
    publisher: realEventPublisher(clients.sns ?? new SNSClient(awsClientSettings), {
      topicArnPrefix: config.topicArnPrefix,
      topicNameSuffix: config.topicNameSuffix,
    }),
    clock,
    settings: {
      claimLeaseMs: config.claimLeaseMs,
      maxBodyBytes: config.maxBodyBytes,
      retention: config.retention,
      publishPersonalData: config.publishPersonalData,
    },
  }
}
