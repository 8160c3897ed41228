import { createLocalClients, destroyLocalClients } from '../../scripts/local/create-local-clients'
import { type DynamoDbLocal, startDynamoDbLocal } from '../../scripts/local/dynamodb-local'
import { startFauxqsServer } from '../../scripts/local/fauxqs'
import { findFreePort } from '../../scripts/local/ports'
import { provisionLocalResources } from '../../scripts/local/provision'
import {
  loadServerlessResources,
  type ServerlessResources,
} from '../../scripts/local/serverless-resources'
import { keepForTeardown, stopAll } from './emulator-handles'

const STAGE = 'local'

async function twoFreePorts(): Promise<[number, number]> {
  const first = await findFreePort()
  let second = await findFreePort()
  while (second === first) second = await findFreePort()
  return [first, second]
}

function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason
  return result.value
}

function environmentString(resources: ServerlessResources, name: string): string {
  const value = resources.environment[name]
  if (typeof value !== 'string') {
    throw new Error(`serverless.yml sets no string ${name} for the ${STAGE} stage`)
  }
  return value
}

/**
 * Starts DynamoDB Local and fauxqs on free ports (never a developer's `npm start` ones),
 * creates what serverless.yml declares, and hands the endpoints to test workers via process.env.
 */
export default async function globalSetup(): Promise<void> {
  const started: Array<() => Promise<void>> = []
  try {
    const [dynamodbPort, fauxqsPort] = await twoFreePorts()
    const printEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DYNAMODB_PORT: String(dynamodbPort),
      FAUXQS_PORT: String(fauxqsPort),
    }
    // So that serverless.yml falls back to its documented local secret.
    delete printEnv.VOUCHERIFY_WEBHOOK_SECRET

    const [dynamodbStart, resourcesLoad] = await Promise.allSettled([
      startDynamoDbLocal({ port: dynamodbPort }),
      loadServerlessResources(STAGE, printEnv),
    ])
    if (dynamodbStart.status === 'fulfilled') started.push(dynamodbStart.value.stop)
    const dynamodb: DynamoDbLocal = settled(dynamodbStart)
    const resources = settled(resourcesLoad)

    const fauxqs = await startFauxqsServer({ port: fauxqsPort, region: resources.region })
    started.push(fauxqs.stop)

    const clients = createLocalClients({
      region: resources.region,
      dynamodb: dynamodb.endpoint,
      sns: fauxqs.endpoint,
      sqs: fauxqs.endpoint,
    })
    const provisioned = await provisionLocalResources(resources, clients).finally(() =>
      destroyLocalClients(clients),
    )

    const topicArnPrefix = environmentString(resources, 'TOPIC_ARN_PREFIX')
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
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SNS: fauxqs.endpoint,
      AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
      TABLE_NAME: environmentString(resources, 'TABLE_NAME'),
      TOPIC_ARN_PREFIX: topicArnPrefix,
      VOUCHERIFY_WEBHOOK_SECRET: environmentString(resources, 'VOUCHERIFY_WEBHOOK_SECRET'),
      CLAIM_LEASE_SECONDS: environmentString(resources, 'CLAIM_LEASE_SECONDS'),
      LOCAL_RESOURCES_JSON: JSON.stringify(resources),
    })
    keepForTeardown(started)
  } catch (error) {
    // Jest skips globalTeardown when globalSetup throws, so clean up here.
    await stopAll(started).catch(() => {})
    throw error
  }
}
