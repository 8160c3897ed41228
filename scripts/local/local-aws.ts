import { existsSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { awsClientsFor } from '../cli/aws-clients'
import { startDynamoDbLocal } from './dynamodb-local'
import { findFreePorts } from './ports'
import { type ProvisionedResources, provisionLocalResources } from './provision'
import { loadServerlessResources, type ServerlessResources } from './serverless-resources'

type Stop = () => Promise<void>

export interface LocalAws {
  resources: ServerlessResources
  provisioned: ProvisionedResources
  endpoints: { dynamodb: string; fauxqs: string }
  /** Stops fauxqs and DynamoDB Local. */
  stop: Stop
}

export interface LocalAwsOptions {
  dynamodbPort: number
  fauxqsPort: number
  /** What serverless.yml's `${env:...}` variables see. */
  env: NodeJS.ProcessEnv
  /** Deploy parameters, as `--param` passes them (`{ fifoTopics: 'true' }`). */
  params?: Record<string, string>
}

/**
 * fauxqs is ESM-only with an `import`-only exports map, which CommonJS (tsx, @swc/jest) cannot
 * resolve by name; requiring its entry file by path works on Node >= 20.19 (require(esm)).
 */
function loadFauxqs(): typeof import('fauxqs') {
  for (const directory of require.resolve.paths('fauxqs') ?? []) {
    const manifestPath = join(directory, 'fauxqs', 'package.json')
    if (!existsSync(manifestPath)) continue
    const { main } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { main: string }
    return require(join(directory, 'fauxqs', main))
  }
  throw new Error('fauxqs is not installed; run `npm install`')
}

/**
 * Serves SNS and SQS in this process on 127.0.0.1 (`port: 0` picks a free port).
 * Uses fauxqs' `buildApp` rather than `startFauxqs`, which always listens on 0.0.0.0.
 * ARNs carry the region the client signs with; `region` is only the fallback.
 */
async function startFauxqs(port: number, region: string) {
  const app = loadFauxqs().buildApp({ logger: false, defaultRegion: region })
  try {
    await app.listen({ port, host: '127.0.0.1' })
  } catch (error) {
    await app.close()
    throw new Error(`fauxqs could not listen on 127.0.0.1:${port}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const { port: boundPort } = app.server.address() as AddressInfo
  let stopping: Promise<void> | undefined
  return {
    endpoint: `http://127.0.0.1:${boundPort}`,
    stop: async () => {
      stopping ??= app.close().then(() => undefined)
      await stopping
    },
  }
}

/** Stops everything, latest first, even when one of them fails; then reports the failures. */
export async function stopAll(stops: readonly Stop[]): Promise<void> {
  const failures: unknown[] = []
  for (const stop of [...stops].reverse()) {
    await stop().catch((error: unknown) => failures.push(error))
  }
  if (failures.length > 0) throw new AggregateError(failures, 'Could not stop everything')
}

/**
 * Starts DynamoDB Local and fauxqs and creates in them what serverless.yml declares for the local
 * stage; if any step fails, stops what had started before throwing.
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const stops: Stop[] = []
  const stop = () => stopAll(stops)
  try {
    // Java's start-up and `serverless print` each take seconds: run them side by side.
    const [dynamodbStart, resourcesLoad] = await Promise.allSettled([
      startDynamoDbLocal({ port: options.dynamodbPort }),
      loadServerlessResources('local', options.env, options.params),
    ])
    if (dynamodbStart.status === 'fulfilled') stops.push(dynamodbStart.value.stop)
    if (dynamodbStart.status === 'rejected') throw dynamodbStart.reason
    if (resourcesLoad.status === 'rejected') throw resourcesLoad.reason
    const dynamodb = dynamodbStart.value
    const resources = resourcesLoad.value

    const fauxqs = await startFauxqs(options.fauxqsPort, resources.region)
    stops.push(fauxqs.stop)

    const clients = awsClientsFor({
      region: resources.region,
      endpoints: { dynamodb: dynamodb.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint },
    })
    const provisioned = await provisionLocalResources(resources, clients).finally(() =>
      clients.destroy(),
    )
    return {
      resources,
      provisioned,
      endpoints: { dynamodb: dynamodb.endpoint, fauxqs: fauxqs.endpoint },
      stop,
    }
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  }
}

/**
 * The local stage on free ports (never a developer's `npm start` ones), with serverless.yml's
 * documented local secret whatever the shell says: what tests and the bench run against.
 */
export async function startLocalAwsOnFreePorts(): Promise<LocalAws> {
  const [dynamodbPort = 0, fauxqsPort = 0] = await findFreePorts(2)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DYNAMODB_PORT: String(dynamodbPort),
    FAUXQS_PORT: String(fauxqsPort),
  }
  delete env.VOUCHERIFY_WEBHOOK_SECRET
  return startLocalAws({ dynamodbPort, fauxqsPort, env })
}
