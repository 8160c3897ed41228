import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type {
  AttributeDefinition,
  BillingMode,
  KeySchemaElement,
  Projection,
} from '@aws-sdk/client-dynamodb'

/** The repository root, where serverless.yml lives. */
export const projectRoot = join(__dirname, '..', '..')

/**
 * `npx serverless <args>` without npx: the project's own osls binary run by this Node, so
 * signals reach it directly and npm's warnings stay out of its output.
 */
export function serverlessCommand(args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [require.resolve('osls/bin/serverless.js'), ...args] }
}

/**
 * The deploy parameters the local stack takes from the environment, for `serverless print` and
 * `serverless offline` alike: FIFO_TOPICS=true is `--param fifoTopics=true`.
 */
export function localParams(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const fifoTopics = env.FIFO_TOPICS
  if (fifoTopics === undefined || fifoTopics === '' || fifoTopics === 'false') return {}
  if (fifoTopics === 'true') return { fifoTopics: 'true' }
  throw new Error(`FIFO_TOPICS must be true or false, got "${fifoTopics}"`)
}

/** Deploy parameters as serverless's `--param name=value` arguments. */
export function paramArguments(params: Readonly<Record<string, string>> = {}): string[] {
  return Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`])
}

/** The CloudFormation `Properties` of an AWS::DynamoDB::Table, as serverless.yml declares them. */
export interface CloudFormationTable {
  TableName: string
  AttributeDefinitions: AttributeDefinition[]
  KeySchema: KeySchemaElement[]
  BillingMode?: BillingMode
  GlobalSecondaryIndexes?: Array<{
    IndexName: string
    KeySchema: KeySchemaElement[]
    Projection: Projection
    [property: string]: unknown
  }>
  [property: string]: unknown
}

export interface ServerlessResources {
  service: string
  stage: string
  region: string
  tableName: string
  table: CloudFormationTable
  /**
   * The event topics (see `eventTypeOfTopic`); other topics, such as the alarm topic, are left out.
   * `fifo`: SNS FIFO (`--param fifoTopics=true`), which SNS ties to a name ending in `.fifo`.
   */
  topics: Array<{ logicalId: string; topicName: string; eventType: string; fifo: boolean }>
  environment: Record<string, unknown>
  /** serverless.yml's `custom.esbuild`, the settings serverless-esbuild bundles with. */
  esbuild?: Record<string, unknown>
  /** The function's memory (MB), timeout (s) and architecture, from `provider`. */
  lambda?: { memorySize?: number; timeout?: number; architecture?: string }
}

interface CloudFormationResource {
  Type?: string
  Properties?: Record<string, unknown>
}

interface PrintedConfiguration {
  service?: string | { name?: string }
  provider?: {
    region?: string
    environment?: Record<string, unknown>
    memorySize?: number
    timeout?: number
    architecture?: string
  }
  resources?: { Resources?: Record<string, CloudFormationResource> }
  custom?: { esbuild?: Record<string, unknown> }
}

const PRINT_TIMEOUT_MS = 120_000

type Tag = { Key?: unknown; Value?: unknown }

/**
 * The event type an AWS::SNS::Topic carries, from its `event_type` tag; undefined for a topic
 * that is not an event topic (the alarm topic).
 */
export function eventTypeOfTopic(properties: Record<string, unknown>): string | undefined {
  const tags = Array.isArray(properties.Tags) ? (properties.Tags as Array<Tag | null>) : []
  const value = tags.find((tag) => tag?.Key === 'event_type')?.Value
  return typeof value === 'string' ? value : undefined
}

function resourcesOfType(
  resources: Record<string, CloudFormationResource>,
  type: string,
): Array<[string, Record<string, unknown>]> {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}])
}

/**
 * The table, event topics and Lambda environment serverless.yml declares for `stage`, read from
 * `serverless print` so that serverless.yml stays the only definition of them.
 * `env` is what serverless.yml's `${env:...}` variables see (ports, the local secret); `params`
 * are deploy parameters (`{ fifoTopics: 'true' }`), as `--param` would pass them.
 */
export async function loadServerlessResources(
  stage: string,
  env: NodeJS.ProcessEnv = process.env,
  params: Readonly<Record<string, string>> = {},
): Promise<ServerlessResources> {
  const { command, args } = serverlessCommand([
    'print',
    '--stage',
    stage,
    '--format',
    'json',
    ...paramArguments(params),
  ])
  const options = { cwd: projectRoot, env, maxBuffer: 16 * 1024 * 1024, timeout: PRINT_TIMEOUT_MS }
  const { stdout } = await promisify(execFile)(command, args, options).catch(
    (error: Error & { stderr: string }) => {
      throw new Error(`serverless print --stage ${stage} failed: ${error.message}\n${error.stderr}`)
    },
  )
  let printed: PrintedConfiguration
  try {
    printed = JSON.parse(stdout) as PrintedConfiguration
  } catch {
    throw new Error(`serverless print did not output JSON:\n${stdout.slice(0, 2_000)}`)
  }
  const service = typeof printed.service === 'string' ? printed.service : printed.service?.name
  const { region, environment = {}, memorySize, timeout, architecture } = printed.provider ?? {}
  const resources = printed.resources?.Resources ?? {}
  if (!service || !region) throw new Error('serverless print gave no service name or region')

  const tables = resourcesOfType(resources, 'AWS::DynamoDB::Table')
  const [table] = tables
  if (tables.length !== 1 || !table) {
    throw new Error(
      `Expected exactly one AWS::DynamoDB::Table in serverless.yml, found ${tables.length}`,
    )
  }
  const tableProperties = table[1] as CloudFormationTable
  if (typeof tableProperties.TableName !== 'string') {
    throw new Error(`Table ${table[0]} needs an explicit TableName to be created locally`)
  }

  const topics = resourcesOfType(resources, 'AWS::SNS::Topic').flatMap(
    ([logicalId, properties]) => {
      const eventType = eventTypeOfTopic(properties)
      if (eventType === undefined) return []
      if (typeof properties.TopicName !== 'string') {
        throw new Error(`Topic ${logicalId} needs an explicit TopicName to be created locally`)
      }
      const { TopicName: topicName } = properties
      return [{ logicalId, topicName, eventType, fifo: topicName.endsWith('.fifo') }]
    },
  )

  return {
    service,
    stage,
    region,
    tableName: tableProperties.TableName,
    table: tableProperties,
    topics,
    environment,
    esbuild: printed.custom?.esbuild,
    lambda: { memorySize, timeout, architecture },
  }
}

/** A string the stage's Lambda environment sets, as serverless.yml resolves it. */
export function stageSetting(resources: ServerlessResources, name: string): string {
  const value = resources.environment[name]
  if (typeof value !== 'string') {
    throw new Error(`serverless.yml sets no string ${name} for the ${resources.stage} stage`)
  }
  return value
}
