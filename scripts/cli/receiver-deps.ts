import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { SNSClient } from '@aws-sdk/client-sns'
import { readConfig } from '../../lib/config'
import { buildDeps, type Deps } from '../../lib/deps'

interface ReceiverTarget {
  tableName: string
  topicArnPrefix: string
  /** '.fifo' for a stage deployed with FIFO event topics. */
  topicNameSuffix?: '' | '.fifo'
}

/**
 * The receiver's dependencies, built by lib/deps.ts as for the function (the function's own
 * defaults for everything else), on an operator command's clients and without a secret:
 * `ingestPayload` starts after the signature check, which the payload passed when it arrived.
 */
export function receiverDeps(
  clients: { dynamodb: DynamoDBClient; sns: SNSClient },
  target: ReceiverTarget,
): Deps {
  const config = readConfig({
    TABLE_NAME: target.tableName,
    TOPIC_ARN_PREFIX: target.topicArnPrefix,
    TOPIC_NAME_SUFFIX: target.topicNameSuffix ?? '',
  })
  return buildDeps(config, clients)
}
