import type { TargetLookups } from '../../../scripts/cli/stage-target'

export const PROD_TOPIC =
  'arn:aws:sns:eu-west-1:123456789012:voucherify-gift-webhooks-prod-voucher-gift-transaction-created'

/**
 * Target lookups that answer from constants and remember what they were asked: a `prod` stack
 * with its outputs, the local stage's `serverless print`, and the SDK chain's region.
 */
export function fakeLookups({
  region = 'eu-west-1' as string | null,
  topicArn = PROD_TOPIC,
  localSuffix = '',
} = {}) {
  const asked: string[] = []
  const lookups: TargetLookups = {
    serverlessResources: async (stage) => {
      asked.push(`print ${stage}`)
      return {
        service: 'voucherify-gift-webhooks',
        stage,
        region: 'eu-central-1',
        tableName: 'voucherify-gift-webhooks-local-transactions',
        table: { TableName: 'voucherify-gift-webhooks-local-transactions' } as never,
        topics: [],
        environment: {
          TABLE_NAME: 'voucherify-gift-webhooks-local-transactions',
          TOPIC_ARN_PREFIX: 'arn:aws:sns:eu-central-1:000000000000:voucherify-gift-webhooks-local-',
          TOPIC_NAME_SUFFIX: localSuffix,
        },
      }
    },
    defaultRegion: async () => region ?? undefined,
    stackOutputs: async (stackName, at) => {
      asked.push(`outputs ${stackName} ${at}`)
      if (stackName !== 'voucherify-gift-webhooks-prod') return undefined
      return {
        TransactionsTableName: 'voucherify-gift-webhooks-prod-transactions',
        VoucherGiftTransactionCreatedTopicArn: topicArn,
      }
    },
  }
  return { lookups, asked }
}
