import {
  DEFAULT_REGION as DEPLOY_DEFAULT_REGION,
  LOCAL_STAGE,
  SERVICE,
  tableNameFor,
} from '../deployed-stage'
import { localEndpoints } from '../local/local-ports'
import { type ServerlessResources, stageSetting } from '../local/serverless-resources'
import type { ReplayOptions } from './options'

export interface ReplayTarget {
  stage: string
  region: string
  tableName: string
  topicArnPrefix: string
  /** '.fifo' for FIFO event topics: appended to the prefix and the event type's part. */
  topicNameSuffix: '' | '.fifo'
  /** The local stage's emulators; undefined for a deployed stage (AWS itself). */
  endpoints?: { dynamodb: string; sns: string }
}

export interface CallerIdentity {
  account: string
  /** `aws`, `aws-cn`, `aws-us-gov`: from the caller's ARN. */
  partition: string
}

/** What resolving a target asks of the outside world. */
export interface TargetLookups {
  /** `serverless print` of the stage, as `npm start` reads it. */
  serverlessResources(stage: string, env: NodeJS.ProcessEnv): Promise<ServerlessResources>
  /** The region the SDK's default chain finds (AWS_REGION, the profile); undefined if none. */
  defaultRegion(): Promise<string | undefined>
  /** STS GetCallerIdentity with the default credential chain. */
  callerIdentity(region: string): Promise<CallerIdentity>
}

/** The names a deployed stage's resources get from serverless.yml. */
export function deployedNames(
  stage: string,
  region: string,
  identity: CallerIdentity,
): { tableName: string; topicArnPrefix: string } {
  return {
    tableName: tableNameFor(stage),
    topicArnPrefix: `arn:${identity.partition}:sns:${region}:${identity.account}:${SERVICE}-${stage}-`,
  }
}

/** `arn:aws:sns:eu-central-1:…` gives `eu-central-1`. */
export function regionOfTopicArnPrefix(prefix: string): string | undefined {
  const [arn, , service, region] = prefix.split(':')
  return arn === 'arn' && service === 'sns' && region ? region : undefined
}

/** `partition` of an IAM or STS ARN such as `arn:aws:sts::123456789012:assumed-role/…`. */
export function partitionOfArn(arn: string | undefined): string {
  return arn?.split(':')[1] || 'aws'
}

/**
 * Where a replay reads and publishes. The local stage: the table and topic prefix the local
 * stack takes from serverless.yml (unless both are given), on the emulators (AWS_ENDPOINT_URL_*,
 * else DYNAMODB_PORT and FAUXQS_PORT). A deployed stage: `<service>-<stage>-transactions` and the stage's topics in
 * the caller's account.
 */
export async function resolveTarget(
  options: Pick<ReplayOptions, 'stage' | 'region' | 'table' | 'topicArnPrefix'> & {
    fifo?: boolean
  },
  env: NodeJS.ProcessEnv,
  lookups: TargetLookups,
): Promise<ReplayTarget> {
  const { stage } = options
  if (stage === LOCAL_STAGE) {
    const { dynamodb, sns } = localEndpoints(env)
    const endpoints = { dynamodb, sns }
    let { table: tableName, topicArnPrefix } = options
    let region = options.region
    let topicNameSuffix: ReplayTarget['topicNameSuffix'] = options.fifo ? '.fifo' : ''
    if (tableName === undefined || topicArnPrefix === undefined) {
      const resources = await lookups.serverlessResources(stage, env)
      tableName ??= stageSetting(resources, 'TABLE_NAME')
      topicArnPrefix ??= stageSetting(resources, 'TOPIC_ARN_PREFIX')
      region ??= regionOfTopicArnPrefix(topicArnPrefix) ?? resources.region
      if (resources.environment.TOPIC_NAME_SUFFIX === '.fifo') topicNameSuffix = '.fifo'
    }
    // fauxqs puts the region a client signs with into the ARNs: sign with the prefix's region.
    region ??= regionOfTopicArnPrefix(topicArnPrefix) ?? DEPLOY_DEFAULT_REGION
    return { stage, region, tableName, topicArnPrefix, topicNameSuffix, endpoints }
  }

  const region = options.region ?? (await lookups.defaultRegion()) ?? DEPLOY_DEFAULT_REGION
  const tableName = options.table ?? tableNameFor(stage)
  const topicArnPrefix =
    options.topicArnPrefix ??
    deployedNames(stage, region, await lookups.callerIdentity(region)).topicArnPrefix
  return { stage, region, tableName, topicArnPrefix, topicNameSuffix: options.fifo ? '.fifo' : '' }
}
