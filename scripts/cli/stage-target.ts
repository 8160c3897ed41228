import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { localEndpoints } from '../local/ports'
import {
  loadServerlessResources,
  localParams,
  type ServerlessResources,
  stageSetting,
} from '../local/serverless-resources'

/** serverless.yml's `service`: every deployed resource's name starts with it. */
export const SERVICE = 'voucherify-gift-webhooks'
/** serverless.yml's region when none is given. */
export const DEFAULT_REGION = 'eu-central-1'
export const LOCAL_STAGE = 'local'

/** Where every operator command reads and writes: one stage's table and event topics. */
export interface StageTarget {
  stage: string
  region: string
  tableName: string
  /** `arn:<partition>:sns:<region>:<account>:<service>-<stage>-`; the event's part follows. */
  topicArnPrefix: string
  /** '.fifo' for a stage deployed with `--param fifoTopics=true`. */
  topicNameSuffix: '' | '.fifo'
  /** The local stage's emulators; undefined for a deployed stage (AWS itself). */
  endpoints?: { dynamodb: string; sns: string; sqs: string }
}

/** The global options that say which stage a command works on. */
export interface TargetOptions {
  stage: string
  region?: string
  table?: string
  topicArnPrefix?: string
}

/** What resolving a target asks of the outside world; tests answer from constants. */
export interface TargetLookups {
  /** `serverless print` of the local stage, as `npm start` reads it. */
  serverlessResources(stage: string, env: NodeJS.ProcessEnv): Promise<ServerlessResources>
  /** The region the SDK's standard chain finds (AWS_REGION, the profile); undefined if none. */
  defaultRegion(): Promise<string | undefined>
  /** A deployed stack's outputs, name to value; undefined when there is no such stack. */
  stackOutputs(stackName: string, region: string): Promise<Record<string, string> | undefined>
}

export class TargetError extends Error {
  override name = 'TargetError'
}

/** The output serverless.yml gives the table, and the one topic whose ARN shows the prefix. */
const TABLE_OUTPUT = 'TransactionsTableName'
const PREFIX_TOPIC_OUTPUT = 'VoucherGiftTransactionCreatedTopicArn'
const PREFIX_TOPIC_EVENT = 'voucher.gift.transaction.created'

/**
 * The local stage: the emulators of `npm start` (AWS_ENDPOINT_URL_*, else DYNAMODB_PORT and
 * FAUXQS_PORT) and what `serverless print` declares (FIFO_TOPICS=true as for `npm start`).
 * A deployed stage: the region from --region, else the SDK's chain, else eu-central-1; the table,
 * topics and FIFO from the stack's outputs. --table and --topic-arn-prefix override either.
 */
export async function resolveStageTarget(
  options: TargetOptions,
  env: NodeJS.ProcessEnv,
  lookups: TargetLookups,
): Promise<StageTarget> {
  if (options.stage !== LOCAL_STAGE) return deployedTarget(options, lookups)
  const resources = await lookups.serverlessResources(options.stage, env)
  const topicArnPrefix = options.topicArnPrefix ?? stageSetting(resources, 'TOPIC_ARN_PREFIX')
  return {
    stage: options.stage,
    // fauxqs puts the region a client signs with into its ARNs: sign with the prefix's region.
    region: options.region ?? regionOfTopicArnPrefix(topicArnPrefix) ?? resources.region,
    tableName: options.table ?? stageSetting(resources, 'TABLE_NAME'),
    topicArnPrefix,
    topicNameSuffix: resources.environment.TOPIC_NAME_SUFFIX === '.fifo' ? '.fifo' : '',
    endpoints: localEndpoints(env),
  }
}

async function deployedTarget(
  options: TargetOptions,
  lookups: TargetLookups,
): Promise<StageTarget> {
  const region = options.region ?? (await lookups.defaultRegion()) ?? DEFAULT_REGION
  const stackName = `${SERVICE}-${options.stage}`
  const outputs = await lookups.stackOutputs(stackName, region)
  if (outputs === undefined) {
    throw new TargetError(
      `No stack ${stackName} in ${region}: is stage ${options.stage} deployed there (--region)?`,
    )
  }
  const tableName = options.table ?? outputs[TABLE_OUTPUT]
  const topicArn = outputs[PREFIX_TOPIC_OUTPUT]
  if (tableName === undefined || topicArn === undefined) {
    throw new TargetError(`Stack ${stackName} has no ${TABLE_OUTPUT} or ${PREFIX_TOPIC_OUTPUT}`)
  }
  const topicNameSuffix = topicArn.endsWith('.fifo') ? '.fifo' : ''
  const ownPart = topicNameFor(PREFIX_TOPIC_EVENT) + topicNameSuffix
  return {
    stage: options.stage,
    region,
    tableName,
    topicArnPrefix: options.topicArnPrefix ?? topicArn.slice(0, -ownPart.length),
    topicNameSuffix,
  }
}

/** `arn:aws:sns:eu-central-1:…` gives `eu-central-1`. */
export function regionOfTopicArnPrefix(prefix: string): string | undefined {
  const [arn, , service, region] = prefix.split(':')
  return arn === 'arn' && service === 'sns' && region ? region : undefined
}

export const realTargetLookups: TargetLookups = {
  serverlessResources: (stage, env) => loadServerlessResources(stage, env, localParams(env)),
  async defaultRegion() {
    const client = new DynamoDBClient({})
    try {
      return await client.config.region()
    } catch {
      return undefined
    } finally {
      client.destroy()
    }
  },
  async stackOutputs(stackName, region) {
    const client = new CloudFormationClient({ region })
    try {
      const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }))
      const outputs = Stacks?.[0]?.Outputs ?? []
      return Object.fromEntries(
        outputs.map(({ OutputKey, OutputValue }) => [OutputKey, OutputValue]),
      )
    } catch (error) {
      // CloudFormation answers a missing stack with a ValidationError that names it.
      if ((error as Error).name === 'ValidationError') return undefined
      throw error
    } finally {
      client.destroy()
    }
  },
}
