import { type LocalAws, startLocalAwsOnFreePorts } from '../../../scripts/local/local-aws'
import { stageSetting } from '../../../scripts/local/serverless-resources'
import { keepForTeardown } from './emulator-handles'

/**
 * Starts DynamoDB Local and fauxqs on free ports (never a developer's `npm start` ones),
 * creates what serverless.yml declares, and hands the endpoints to test workers via process.env.
 */
export default async function globalSetup(): Promise<void> {
  const localAws = await startLocalAwsOnFreePorts()
  try {
    exportToWorkers(localAws)
    keepForTeardown([localAws.stop])
  } catch (error) {
    // Jest skips globalTeardown when globalSetup throws, so clean up here.
    await localAws.stop().catch(() => undefined)
    throw error
  }
}

/** Test workers inherit this process's environment: point their SDK clients at the emulators. */
function exportToWorkers({ resources, provisioned, endpoints }: LocalAws): void {
  const topicArnPrefix = stageSetting(resources, 'TOPIC_ARN_PREFIX')
  const strays = Object.values(provisioned.topicArns).filter(
    (arn) => !arn.startsWith(topicArnPrefix),
  )
  if (strays.length > 0) {
    throw new Error(`fauxqs made topic ARNs outside ${topicArnPrefix}: ${strays.join(', ')}`)
  }

  // Real AWS credentials of the developer's shell must never reach a test.
  delete process.env.AWS_PROFILE
  delete process.env.AWS_SESSION_TOKEN
  Object.assign(process.env, {
    AWS_REGION: resources.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SNS: endpoints.fauxqs,
    AWS_ENDPOINT_URL_SQS: endpoints.fauxqs,
    TABLE_NAME: stageSetting(resources, 'TABLE_NAME'),
    TOPIC_ARN_PREFIX: topicArnPrefix,
    VOUCHERIFY_WEBHOOK_SECRET: stageSetting(resources, 'VOUCHERIFY_WEBHOOK_SECRET'),
    CLAIM_LEASE_SECONDS: stageSetting(resources, 'CLAIM_LEASE_SECONDS'),
    LOCAL_RESOURCES_JSON: JSON.stringify(resources),
    // The handler's JSON logs and metrics are not what most tests read; tests that do turn them on.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  })
}
