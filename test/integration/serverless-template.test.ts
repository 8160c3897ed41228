// The prod CloudFormation template that `serverless package` builds without any AWS account:
// the routes, limits, data protection, least-privilege IAM, alarms and dashboard that
// serverless.yml promises.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { CUSTOMER_INDEX, EXPIRES_AT } from '../../lib/aws/transactions-table'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { VOUCHERIFY_SENDER_ADDRESSES } from '../../lib/receive/source-ip-allow-list'
import { supportedEventTypes } from '../../lib/schemas/registry'
import { eventTypeOfTopic } from '../../scripts/local/serverless-resources'
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
} from '../../scripts/sample-events'
import { captureOutput } from '../support/capture-output'
import { EXPECTED_TABLE_INDEXES } from '../support/expected-table-indexes'
import { type Handler, loadHandler } from '../support/load-handler'
import {
  type CloudFormationTemplate,
  type PackagedService,
  packageService,
} from '../support/package-service'
import { readZip } from '../support/read-zip'

const SERVICE = 'voucherify-gift-webhooks-prod'
const TOPIC_NAMES = [
  `${SERVICE}-voucher-gift-transaction-created`,
  `${SERVICE}-customer-voucher-gift-balance_added`,
  `${SERVICE}-voucher-gift-balance_added`,
]
const SECRET_PARAMETER_ARN =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
  'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/voucherify-gift-webhooks/prod/webhook-secret'
const DATA_PLANE_SERVICES = ['dynamodb', 'sns', 'ssm']
const REGION = 'eu-central-1'

interface Statement {
  Effect: string
  Action: string | string[]
  Resource: unknown
}

let packaged: PackagedService

beforeAll(async () => {
  packaged = await packageService('prod')
}, 180_000)

afterAll(() => packaged?.remove())

function resourcesOfType(type: string, template: CloudFormationTemplate = packaged.template) {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({
      logicalId,
      condition: resource.Condition,
      properties: resource.Properties ?? {},
    }))
}

function onlyResourceOfType(type: string) {
  const [resource, ...others] = resourcesOfType(type)
  if (!resource || others.length > 0) throw new Error(`Expected exactly one ${type}`)
  return resource
}

/** The topics tagged with the event type they carry; not the alarm topic. */
const eventTopics = () =>
  resourcesOfType('AWS::SNS::Topic').filter(
    ({ properties }) => eventTypeOfTopic(properties) !== undefined,
  )

/** The one topic that is not an event topic. */
function alarmTopic() {
  const [topic, ...others] = resourcesOfType('AWS::SNS::Topic').filter(
    ({ properties }) => eventTypeOfTopic(properties) === undefined,
  )
  if (!topic || others.length > 0)
    throw new Error('Expected exactly one topic besides the event topics')
  return topic
}

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action]

/** Every IAM statement anywhere in the template: role policies, managed policies, bucket policies. */
function allStatements(node: unknown): Statement[] {
  if (Array.isArray(node)) return node.flatMap(allStatements)
  if (typeof node !== 'object' || node === null) return []
  const record = node as Record<string, unknown>
  const own = 'Effect' in record && 'Action' in record ? [record as unknown as Statement] : []
  return [...own, ...Object.values(record).flatMap(allStatements)]
}

/** A function of the stack by its serverless.yml name: `webhook` or `sweep`. */
function lambdaFunction(name: 'webhook' | 'sweep', template = packaged.template) {
  const logicalId = `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`
  const [lambda] = resourcesOfType('AWS::Lambda::Function', template).filter(
    (resource) => resource.logicalId === logicalId,
  )
  if (!lambda) throw new Error(`The template has no ${logicalId}`)
  return lambda
}

/** The statements of the role a function runs as. */
function functionRoleStatements(name: 'webhook' | 'sweep' = 'webhook'): Statement[] {
  const lambda = lambdaFunction(name)
  const [roleId] = (lambda.properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt']
  const role = packaged.template.Resources[roleId]
  return allStatements(role?.Properties?.Policies)
}

/** IAM service prefix per SDK package the code imports commands from. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-sns': 'sns',
  'client-ssm': 'ssm',
}
/** The document client's commands are named after items, the API's after the operation. */
const DOCUMENT_OPERATIONS: Record<string, string> = {
  BatchGet: 'BatchGetItem',
  Update: 'UpdateItem',
  Put: 'PutItem',
  Get: 'GetItem',
  Delete: 'DeleteItem',
  BatchWrite: 'BatchWriteItem',
  Query: 'Query',
}

/**
 * The IAM actions a function's code can call: every `XxxCommand` imported from the SDK by a
 * module its entry point reaches through value imports (what its bundle holds).
 */
function actionsTheCodeCalls(name: 'webhook' | 'sweep' = 'webhook'): string[] {
  const actions = new Set<string>()
  const modules = new Set<string>()
  const visit = (file: string) => {
    if (modules.has(file)) return
    modules.add(file)
    const source = readFileSync(file, 'utf8')
    for (const [, spec = ''] of source.matchAll(
      /^import\s+(?!type\s)[^']*?from\s*'(\.{1,2}\/[^']+)'/gm,
    )) {
      visit(join(dirname(file), `${spec}.ts`))
    }
    for (const [, names = '', pkg = ''] of source.matchAll(
      /import\s*{([^}]*)}\s*from\s*'@aws-sdk\/([\w-]+)'/g,
    )) {
      const service = SERVICE_OF_PACKAGE[pkg]
      for (const [, command = ''] of names.matchAll(/\b(\w+)Command\b/g)) {
        const operation = pkg === 'lib-dynamodb' ? DOCUMENT_OPERATIONS[command] : command
        if (service && operation) actions.add(`${service}:${operation}`)
      }
    }
  }
  visit(join(__dirname, '..', '..', 'handlers', `${name}.ts`))
  return [...actions].sort()
}

const statementsFor = (service: string) =>
  functionRoleStatements().filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith(`${service}:`)),
  )

describe('the prod template', () => {
  it('routes both webhook paths through the HTTP API', () => {
    const routeKeys = resourcesOfType('AWS::ApiGatewayV2::Route').map(
      (route) => route.properties.RouteKey,
    )

    expect(routeKeys.sort()).toEqual([
      'POST /webhooks/voucherify',
      'POST /webhooks/voucherify/{eventType}',
    ])
  })

  it("runs the function on nodejs24.x arm64, timing out before Voucherify's 10 s", () => {
    const { properties } = lambdaFunction('webhook')

    expect(properties.Runtime).toBe('nodejs24.x')
    expect(properties.Architectures).toEqual(['arm64'])
    expect(properties.Timeout).toBeLessThanOrEqual(9)
  })

  it("keeps each function's logs for a limited number of days", () => {
    const logGroups = resourcesOfType('AWS::Logs::LogGroup')

    expect(logGroups).toHaveLength(2)
    for (const { properties } of logGroups) {
      expect(properties.RetentionInDays).toEqual(expect.any(Number))
      expect(properties.RetentionInDays).toBeGreaterThan(0)
    }
  })

  it('bills the table on demand, keyed by transaction and event type', () => {
    const { properties } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(properties.BillingMode).toBe('PAY_PER_REQUEST')
    expect(properties.KeySchema).toEqual([
      { AttributeName: 'transaction_id', KeyType: 'HASH' },
      { AttributeName: 'event_type', KeyType: 'RANGE' },
    ])
  })

  it('indexes the table by voucher and creation time, and by customer', () => {
    const { properties } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(properties.GlobalSecondaryIndexes).toEqual(EXPECTED_TABLE_INDEXES)
  })

  it('lets DynamoDB expire items by their expires_at', () => {
    const { properties } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(properties.TimeToLiveSpecification).toEqual({ AttributeName: EXPIRES_AT, Enabled: true })
  })

  it('protects the table with point-in-time recovery, encryption and deletion protection', () => {
    const { properties } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    })
    expect(properties.SSESpecification).toEqual({ SSEEnabled: true })
    expect(properties.DeletionProtectionEnabled).toBe(true)
  })

  it('creates one KMS-encrypted event topic per supported event type', () => {
    const topics = eventTopics().map(({ properties }) => properties)

    expect(topics.map((topic) => topic.TopicName).sort()).toEqual([...TOPIC_NAMES].sort())
    for (const topic of topics) expect(topic.KmsMasterKeyId).toEqual(expect.any(String))
  })

  it('tags each event topic with the event type its name is derived from', () => {
    const tagged = eventTopics().map(({ properties }) => ({
      eventType: eventTypeOfTopic(properties),
      topicName: properties.TopicName,
    }))

    expect(tagged.map(({ eventType }) => eventType).sort()).toEqual([...supportedEventTypes].sort())
    for (const { eventType, topicName } of tagged) {
      expect(topicName).toBe(`${SERVICE}-${topicNameFor(String(eventType))}`)
    }
  })

  it('outputs the ARN of every topic', () => {
    const outputValues = Object.values(packaged.template.Outputs ?? {}).map(
      (output) => output.Value,
    )

    for (const { logicalId } of resourcesOfType('AWS::SNS::Topic')) {
      expect(outputValues).toContainEqual({ Ref: logicalId })
    }
  })

  it('lets the function write and read single items of its table, and query only the customer index', () => {
    const { logicalId } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(statementsFor('dynamodb')).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:UpdateItem',
          'dynamodb:PutItem',
          'dynamodb:GetItem',
          'dynamodb:BatchWriteItem',
        ],
        Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:Query'],
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, `/index/${CUSTOMER_INDEX.name}`]],
        },
      },
    ])
  })

  it('lets the function publish to its three event topics and nothing else in SNS', () => {
    const topicRefs = eventTopics().map(({ logicalId }) => ({ Ref: logicalId }))

    expect(statementsFor('sns')).toEqual([
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: topicRefs },
    ])
  })

  it('lets the function read its webhook secret parameter and nothing else in SSM', () => {
    expect(statementsFor('ssm')).toEqual([
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: { 'Fn::Sub': SECRET_PARAMETER_ARN },
      },
    ])
  })

  it('grants exactly the DynamoDB, SNS and SSM actions the code calls, none unused', () => {
    const granted = functionRoleStatements()
      .flatMap(actionsOf)
      .filter((action) => DATA_PLANE_SERVICES.some((service) => action.startsWith(`${service}:`)))

    expect(granted.sort()).toEqual(actionsTheCodeCalls())
    expect(actionsTheCodeCalls()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sns:Publish',
      'ssm:GetParameter',
    ])
  })

  it('grants no DynamoDB, SNS or SSM action on every resource ("*")', () => {
    const wildcardDataPlane = allStatements(packaged.template.Resources).filter(
      (statement) =>
        [statement.Resource].flat().includes('*') &&
        actionsOf(statement).some((action) =>
          DATA_PLANE_SERVICES.some((service) => action.startsWith(`${service}:`)),
        ),
    )

    expect(wildcardDataPlane).toEqual([])
  })
})

/** What CloudWatch tells one metric from another by: namespace, name and every dimension. */
interface MetricIdentity {
  namespace: string
  name: string
  dimensions: Record<string, unknown>
}

interface EmfRecord {
  _aws?: {
    CloudWatchMetrics: Array<{
      Namespace: string
      Dimensions: string[][]
      Metrics: Array<{ Name: string }>
    }>
  }
  [field: string]: unknown
}

/** Every metric the EMF lines in `lines` define, one per dimension set, as CloudWatch reads them. */
function emittedMetrics(lines: string[]): MetricIdentity[] {
  return lines
    .map((line) => JSON.parse(line) as EmfRecord)
    .flatMap((record) =>
      (record._aws?.CloudWatchMetrics ?? []).flatMap(({ Namespace, Dimensions, Metrics }) =>
        Dimensions.flatMap((dimensionSet) =>
          Metrics.map(({ Name }) => ({
            namespace: Namespace,
            name: Name,
            dimensions: Object.fromEntries(dimensionSet.map((name) => [name, record[name]])),
          })),
        ),
      ),
    )
}

/** The metrics the webhook handler emits for one delivery, with metrics turned on. */
async function metricsEmittedBy(
  event: Parameters<ReturnType<typeof loadHandler>>[0],
  env: Record<string, string> = {},
): Promise<MetricIdentity[]> {
  const { properties } = lambdaFunction('webhook')
  const deployed = (properties.Environment as { Variables: Record<string, unknown> }).Variables
  const handler = loadHandler({
    POWERTOOLS_METRICS_DISABLED: 'false',
    // The service dimension as the deployed stage names it.
    POWERTOOLS_SERVICE_NAME: String(deployed.POWERTOOLS_SERVICE_NAME),
    ...env,
  })
  return emittedMetrics(await captureOutput(() => handler(event)))
}

const alarms = () => resourcesOfType('AWS::CloudWatch::Alarm')

function metricOfAlarm(properties: Record<string, unknown>): MetricIdentity {
  const dimensions = (properties.Dimensions ?? []) as Array<{ Name: string; Value: unknown }>
  return {
    namespace: String(properties.Namespace),
    name: String(properties.MetricName),
    dimensions: Object.fromEntries(dimensions.map(({ Name, Value }) => [Name, Value])),
  }
}

/** The alarm on exactly `metric` (same namespace, name and dimension set), if there is one. */
function alarmOn(metric: MetricIdentity) {
  return alarms().find(({ properties }) => {
    const watched = metricOfAlarm(properties)
    return (
      watched.namespace === metric.namespace &&
      watched.name === metric.name &&
      JSON.stringify(Object.entries(watched.dimensions).sort()) ===
        JSON.stringify(Object.entries(metric.dimensions).sort())
    )
  })?.properties
}

/** Fires on a single occurrence within five minutes. */
const ON_ANY_WITHIN_FIVE_MINUTES = {
  Statistic: 'Sum',
  Period: 300,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
}

/** Evaluates a CloudFormation condition whose operands are literals, as CloudFormation would. */
function conditionHolds(template: CloudFormationTemplate, name: string): boolean {
  const evaluate = (node: unknown): unknown => {
    if (typeof node === 'string') return node
    const [[fn, args] = []] = Object.entries(node as Record<string, unknown>)
    const values = (Array.isArray(args) ? args : [args]).map(evaluate)
    switch (fn) {
      case 'Fn::Equals':
        return values[0] === values[1]
      case 'Fn::Not':
        return !values[0]
      case 'Fn::And':
        return values.every(Boolean)
      case 'Fn::Or':
        return values.some(Boolean)
      case 'Condition':
        return conditionHolds(template, String(values[0]))
      default:
        throw new Error(`Cannot evaluate ${fn} in condition ${name}`)
    }
  }
  const condition = template.Conditions?.[name]
  if (condition === undefined) throw new Error(`No condition ${name}`)
  return evaluate(condition) === true
}

/** The e-mail subscriptions to the alarm topic that CloudFormation would create. */
function alarmEmailSubscriptions(template: CloudFormationTemplate) {
  return resourcesOfType('AWS::SNS::Subscription', template)
    .filter(({ properties }) => properties.Protocol === 'email')
    .filter(({ condition }) => condition === undefined || conditionHolds(template, condition))
    .map(({ properties }) => properties)
}

/**
 * The dashboard body as CloudFormation's Fn::Sub would make it: pseudo parameters and the
 * variable map substituted, a resource reference as `{{Ref:LogicalId}}`; any other name throws,
 * as CloudFormation would refuse it.
 */
function substitutedDashboardBody(): string {
  const { properties } = onlyResourceOfType('AWS::CloudWatch::Dashboard')
  const sub = (properties.DashboardBody as { 'Fn::Sub': unknown })['Fn::Sub']
  const [text, variables = {}] = (Array.isArray(sub) ? sub : [sub]) as [
    string,
    Record<string, unknown>?,
  ]
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': '000000000000',
    'AWS::Partition': 'aws',
  }
  return text.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
    const variable = variables[name]
    if (typeof variable === 'string') return variable
    if (pseudo[name] !== undefined) return pseudo[name]
    if (packaged.template.Resources[name]) return `{{Ref:${name}}}`
    throw new Error(`The dashboard body refers to \${${name}}, which is not in the stack`)
  })
}

interface DashboardBody {
  widgets: Array<{ type: string; properties: { metrics?: unknown[][] } }>
}

/** Each metric row of the dashboard, its strings joined by spaces, with its `stat` if set. */
function dashboardRows(): Array<{ key: string; stat?: string }> {
  const body = JSON.parse(substitutedDashboardBody()) as DashboardBody
  return body.widgets.flatMap(({ properties }) =>
    (properties.metrics ?? []).map((row) => {
      const options = row.find((item) => typeof item === 'object') as { stat?: string } | undefined
      const key = row.filter((item) => typeof item === 'string').join(' ')
      return { key, stat: options?.stat }
    }),
  )
}

describe('the prod alarms', () => {
  it('fire on any broken balance chain: the gap and out-of-order totals together', () => {
    const alarm = alarms().find(({ logicalId }) => logicalId === 'LedgerBrokenAlarm')
    const metrics = (alarm?.properties.Metrics ?? []) as Array<{
      MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string }> } }
    }>

    const watched = metrics.flatMap(({ MetricStat }) =>
      MetricStat
        ? [[MetricStat.Metric.MetricName, MetricStat.Metric.Dimensions.map((d) => d.Name)]]
        : [],
    )

    expect(watched).toEqual([
      ['LedgerUnattested', ['service']],
      ['LedgerGap', ['service']],
      ['LedgerOutOfOrder', ['service']],
    ])
    expect(alarm?.properties).toMatchObject({ Threshold: 1, AlarmActions: [expect.anything()] })
  })

  const eventType = 'voucher.gift.balance_added'

  it('fire on any failed publish, on the metric and dimensions the handler emits for one', async () => {
    const body = JSON.stringify(envelopeFor(eventType, giftEventData(eventType)))
    const emitted = await metricsEmittedBy(
      apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }),
      { TOPIC_ARN_PREFIX: `${process.env.TOPIC_ARN_PREFIX}no-such-topic-` },
    )
    const publishFailure = emitted.find(
      ({ name, dimensions }) => name === 'Unavailable' && dimensions.stage === 'publish',
    )

    expect(publishFailure).toBeDefined()
    expect(alarmOn(publishFailure as MetricIdentity)).toMatchObject(ON_ANY_WITHIN_FIVE_MINUTES)
  })

  it('fire on any quarantined payload, on the total the handler emits for one', async () => {
    const data = { ...giftEventData(eventType), balance: null }
    const emitted = await metricsEmittedBy(
      apiGatewayEventFor({
        body: JSON.stringify(data),
        secret: LOCAL_WEBHOOK_SECRET,
        pathEventType: eventType,
      }),
    )
    const quarantinedTotal = emitted.find(
      ({ name, dimensions }) => name === 'Quarantined' && dimensions.event_type === undefined,
    )

    expect(quarantinedTotal).toBeDefined()
    expect(alarmOn(quarantinedTotal as MetricIdentity)).toMatchObject(ON_ANY_WITHIN_FIVE_MINUTES)
  })

  it("fire on any 5xx answer of the HTTP API's stage", () => {
    const api = onlyResourceOfType('AWS::ApiGatewayV2::Api')
    const stage = onlyResourceOfType('AWS::ApiGatewayV2::Stage')

    expect(stage.properties.StageName).toBe('$default')
    expect(
      alarmOn({
        namespace: 'AWS/ApiGateway',
        name: '5xx',
        dimensions: { ApiId: { Ref: api.logicalId }, Stage: stage.properties.StageName },
      }),
    ).toMatchObject(ON_ANY_WITHIN_FIVE_MINUTES)
  })

  it.each(['Errors', 'Throttles'])('fire on any %s of the webhook function', (metricName) => {
    const lambda = lambdaFunction('webhook')

    expect(
      alarmOn({
        namespace: 'AWS/Lambda',
        name: metricName,
        dimensions: { FunctionName: { Ref: lambda.logicalId } },
      }),
    ).toMatchObject(ON_ANY_WITHIN_FIVE_MINUTES)
  })

  it('notify the alarm topic when they fire and when they recover', () => {
    const notified = { Ref: alarmTopic().logicalId }

    expect(alarms()).toHaveLength(11)
    for (const { properties } of alarms()) {
      expect(properties.AlarmActions).toEqual([notified])
      expect(properties.OKActions).toEqual([notified])
    }
  })

  it('treat missing data, a stage without traffic, as no fault', () => {
    for (const { properties } of alarms()) {
      expect(properties.TreatMissingData).toBe('notBreaching')
    }
  })
})

describe('the prod alarm topic', () => {
  it('is not one the function may publish to', () => {
    const publishable = statementsFor('sns').flatMap((statement) => [statement.Resource].flat())

    expect(publishable).not.toContainEqual({ Ref: alarmTopic().logicalId })
  })

  it('is not encrypted with the AWS managed SNS key, which CloudWatch alarms cannot use', () => {
    expect(alarmTopic().properties.KmsMasterKeyId).toBeUndefined()
  })

  it('has no e-mail subscription without --param alarmEmail', () => {
    expect(alarmEmailSubscriptions(packaged.template)).toEqual([])
  })

  describe('packaged with --param alarmEmail', () => {
    let withEmail: PackagedService

    beforeAll(async () => {
      withEmail = await packageService('prod', { params: { alarmEmail: 'oncall@example.com' } })
    }, 180_000)

    afterAll(() => withEmail?.remove())

    it('subscribes that address to the alarm topic', () => {
      expect(alarmEmailSubscriptions(withEmail.template)).toEqual([
        {
          TopicArn: { Ref: alarmTopic().logicalId },
          Protocol: 'email',
          Endpoint: 'oncall@example.com',
        },
      ])
    })
  })

  it('is an output of the stack, as is the dashboard name', () => {
    const outputValues = Object.values(packaged.template.Outputs ?? {}).map(({ Value }) => Value)
    const dashboard = onlyResourceOfType('AWS::CloudWatch::Dashboard')

    expect(outputValues).toContainEqual({ Ref: alarmTopic().logicalId })
    expect(outputValues).toContainEqual({ Ref: dashboard.logicalId })
  })
})

describe('the prod dashboard', () => {
  it('has a body that is valid JSON once CloudFormation substitutes the stack into it', () => {
    const body = JSON.parse(substitutedDashboardBody()) as DashboardBody

    expect(body.widgets.length).toBeGreaterThan(0)
    expect(body.widgets.every((widget) => widget.type === 'metric')).toBe(true)
  })

  it("charts the webhook function's errors, throttles and duration", () => {
    const lambda = `{{Ref:${lambdaFunction('webhook').logicalId}}}`
    const keys = dashboardRows().map(({ key }) => key)

    for (const metric of ['Errors', 'Throttles', 'Duration']) {
      expect(keys).toContain(`AWS/Lambda ${metric} FunctionName ${lambda}`)
    }
  })

  it("charts the HTTP API stage's 4xx and 5xx answers", () => {
    const api = `{{Ref:${onlyResourceOfType('AWS::ApiGatewayV2::Api').logicalId}}}`
    const keys = dashboardRows().map(({ key }) => key)

    for (const metric of ['4xx', '5xx']) {
      expect(keys).toContain(`AWS/ApiGateway ${metric} ApiId ${api} Stage $default`)
    }
  })

  it('charts each outcome total and the handler latency on the dimensions the handler emits', async () => {
    const eventType = 'voucher.gift.balance_added'
    const body = JSON.stringify(envelopeFor(eventType, giftEventData(eventType)))
    const emitted = await metricsEmittedBy(
      apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }),
    )
    const latency = emitted.find(({ name }) => name === 'HandlerLatency') as MetricIdentity
    const prefix = `${latency.namespace} %s service ${latency.dimensions.service}`
    const rows = dashboardRows()

    expect(Object.keys(latency.dimensions)).toEqual(['service'])
    for (const outcome of ['Accepted', 'Duplicate', 'Quarantined', 'Rejected', 'Unavailable']) {
      expect(rows.map(({ key }) => key)).toContain(prefix.replace('%s', outcome))
    }
    expect(
      rows
        .filter(({ key }) => key === prefix.replace('%s', 'HandlerLatency'))
        .map(({ stat }) => stat),
    ).toEqual(['p50', 'p99'])
  })
})

/** A property as CloudFormation applies it: Fn::If decided, AWS::NoValue as absent (undefined). */
function effective(template: CloudFormationTemplate, value: unknown): unknown {
  const node = value as Record<string, unknown> | undefined
  if (node?.Ref === 'AWS::NoValue') return undefined
  if (Array.isArray(node?.['Fn::If'])) {
    const [condition, whenTrue, whenFalse] = node['Fn::If'] as [string, unknown, unknown]
    return effective(template, conditionHolds(template, condition) ? whenTrue : whenFalse)
  }
  return value
}

/** The event topics' names and FIFO settings, and the suffix the function is told. */
function topicKind(template: CloudFormationTemplate) {
  const topics = resourcesOfType('AWS::SNS::Topic', template)
    .filter(({ properties }) => eventTypeOfTopic(properties) !== undefined)
    .map(({ properties }) => ({
      name: String(properties.TopicName),
      fifoTopic: effective(template, properties.FifoTopic),
      contentBasedDeduplication: effective(template, properties.ContentBasedDeduplication),
    }))
  const lambda = lambdaFunction('webhook', template)
  const environment = lambda.properties.Environment as { Variables?: Record<string, unknown> }
  return { topics, suffix: environment?.Variables?.TOPIC_NAME_SUFFIX }
}

describe('the prod event topics', () => {
  it('are standard topics by default: no FIFO setting, no .fifo name, no suffix for the function', () => {
    const { topics, suffix } = topicKind(packaged.template)

    expect(topics.map(({ name }) => name).sort()).toEqual([...TOPIC_NAMES].sort())
    for (const topic of topics) {
      expect(topic).toMatchObject({ fifoTopic: undefined, contentBasedDeduplication: undefined })
    }
    expect(suffix).toBe('')
  })

  describe('packaged with --param fifoTopics=true', () => {
    let withFifo: PackagedService

    beforeAll(async () => {
      withFifo = await packageService('prod', { params: { fifoTopics: 'true' } })
    }, 180_000)

    afterAll(() => withFifo?.remove())

    it('are FIFO topics named .fifo, deduplicating by the id the function sets', () => {
      const { topics } = topicKind(withFifo.template)

      expect(topics.map(({ name }) => name).sort()).toEqual(
        TOPIC_NAMES.map((name) => `${name}.fifo`).sort(),
      )
      for (const topic of topics) {
        expect(topic).toMatchObject({ fifoTopic: true, contentBasedDeduplication: false })
      }
    })

    it('tell the function to append .fifo to the topic names', () => {
      expect(topicKind(withFifo.template).suffix).toBe('.fifo')
    })

    it('are the topics the function may publish to, and the only ones', () => {
      const snsStatements = allStatements(
        Object.values(withFifo.template.Resources)
          .filter(({ Type }) => Type === 'AWS::IAM::Role')
          .map(({ Properties }) => Properties?.Policies),
      ).filter((statement) => actionsOf(statement).some((action) => action.startsWith('sns:')))
      const topicRefs = resourcesOfType('AWS::SNS::Topic', withFifo.template)
        .filter(({ properties }) => eventTypeOfTopic(properties) !== undefined)
        .map(({ logicalId }) => ({ Ref: logicalId }))

      // The webhook's role and the sweep's: the same topics each.
      expect(snsStatements).toEqual([
        { Effect: 'Allow', Action: ['sns:Publish'], Resource: topicRefs },
        { Effect: 'Allow', Action: ['sns:Publish'], Resource: topicRefs },
      ])
    })

    it('are outputs of the stack, as the standard ones are', () => {
      const outputValues = Object.values(withFifo.template.Outputs ?? {}).map(({ Value }) => Value)

      for (const { logicalId } of resourcesOfType('AWS::SNS::Topic', withFifo.template)) {
        expect(outputValues).toContainEqual({ Ref: logicalId })
      }
    })

    it('leave the alarm topic a standard topic, which CloudWatch alarms can notify', () => {
      const [alarms] = resourcesOfType('AWS::SNS::Topic', withFifo.template).filter(
        ({ properties }) => eventTypeOfTopic(properties) === undefined,
      )

      expect(alarms?.properties.TopicName).toBe(`${SERVICE}-alarms`)
      expect(alarms?.properties.FifoTopic).toBeUndefined()
    })
  })
})

describe('the prod package', () => {
  it('bundles the handler as minified JavaScript with its source map', () => {
    const zips = readdirSync(packaged.directory).filter((name) => name.endsWith('.zip'))
    expect(zips.sort()).toEqual(['sweep.zip', 'webhook.zip'])
    const files = readZip(join(packaged.directory, 'webhook.zip'))
    expect([...files.keys()].sort()).toEqual(['handlers/webhook.js', 'handlers/webhook.js.map'])
    const code = files.get('handlers/webhook.js')?.toString('utf8') ?? ''
    const map = JSON.parse(files.get('handlers/webhook.js.map')?.toString('utf8') ?? '{}')

    expect(code.length).toBeGreaterThan(0)
    // Minified: a handful of very long lines rather than one statement per line.
    expect(code.length / code.split('\n').length).toBeGreaterThan(500)
    expect(code).toMatch(/\/\/# sourceMappingURL=webhook\.js\.map\s*$/)
    expect(map.version).toBe(3)
    expect(map.sources).toContainEqual(expect.stringMatching(/handlers\/webhook\.ts$/))
  })
})

describe('the prod package with --param allowedSourceIps=voucherify-eu1', () => {
  let withPreset: PackagedService
  let unpacked: string
  let handler: Handler

  beforeAll(async () => {
    withPreset = await packageService('prod', { params: { allowedSourceIps: 'voucherify-eu1' } })
    unpacked = mkdtempSync(join(tmpdir(), 'packaged-webhook-'))
    for (const [name, content] of readZip(join(withPreset.directory, 'webhook.zip'))) {
      mkdirSync(dirname(join(unpacked, name)), { recursive: true })
      writeFileSync(join(unpacked, name), content)
    }
    // The template's allow-list, run by the bundled code against the emulators' table and topics.
    const lambda = lambdaFunction('webhook', withPreset.template)
    const { Variables } = lambda.properties.Environment as { Variables: Record<string, string> }
    handler = loadHandler(
      { ALLOWED_SOURCE_IPS: String(Variables.ALLOWED_SOURCE_IPS) },
      join(unpacked, 'handlers', 'webhook.js'),
    )
  }, 180_000)

  afterAll(() => {
    withPreset?.remove()
    if (unpacked) rmSync(unpacked, { recursive: true, force: true })
  })

  const signedWebhookFrom = (sourceIp: string) => {
    const body = JSON.stringify(
      envelopeFor(
        'voucher.gift.transaction.created',
        giftEventData('voucher.gift.transaction.created'),
      ),
    )
    const event = apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET })
    event.requestContext.http.sourceIp = sourceIp
    return event
  }

  it('refuses a signed webhook from an address outside the preset with 403', async () => {
    const answer = await handler(
      signedWebhookFrom(VOUCHERIFY_SENDER_ADDRESSES['voucherify-us1'][0]),
    )

    expect(answer.statusCode).toBe(403)
    expect(JSON.parse(String(answer.body)).code).toBe('source_ip_not_allowed')
  })

  it.each(VOUCHERIFY_SENDER_ADDRESSES['voucherify-eu1'])(
    "accepts a signed webhook from Voucherify's eu1 address %s",
    async (address) => {
      const answer = await handler(signedWebhookFrom(address))

      expect(answer.statusCode).toBe(200)
      expect(JSON.parse(String(answer.body)).status).toBe('accepted')
    },
  )
})

describe('the prod sweep', () => {
  const SWEEP_PERIOD_SECONDS = 900

  it('runs every 15 minutes on nodejs24.x arm64, one at a time, within 5 minutes', () => {
    const { properties, logicalId } = lambdaFunction('sweep')
    const [rule] = resourcesOfType('AWS::Events::Rule').filter(({ properties: rule }) =>
      JSON.stringify(rule.Targets).includes(logicalId),
    )

    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
    })
    expect(rule?.properties.ScheduleExpression).toBe('rate(15 minutes)')
  })

  it('grants exactly the DynamoDB, SNS and SSM actions the sweep code calls, none unused', () => {
    const granted = functionRoleStatements('sweep')
      .flatMap(actionsOf)
      .filter((action) => DATA_PLANE_SERVICES.some((service) => action.startsWith(`${service}:`)))

    expect(granted.sort()).toEqual(actionsTheCodeCalls('sweep'))
    expect(actionsTheCodeCalls('sweep')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sns:Publish',
      'ssm:GetParameter',
    ])
  })

  it('lets the sweep read the two Voucherify key parameters and nothing else in SSM', () => {
    const resources = functionRoleStatements('sweep')
      .filter((statement) => actionsOf(statement).includes('ssm:GetParameter'))
      .flatMap((statement) => [statement.Resource].flat())

    expect(resources).toEqual([
      {
        'Fn::Sub': expect.stringMatching(
          /parameter\/voucherify-gift-webhooks\/prod\/voucherify-app-id$/,
        ),
      },
      {
        'Fn::Sub': expect.stringMatching(
          /parameter\/voucherify-gift-webhooks\/prod\/voucherify-secret-key$/,
        ),
      },
    ])
  })

  it('grants the webhook function no batch read of the table, which only the sweep needs', () => {
    const webhookActions = functionRoleStatements('webhook').flatMap(actionsOf)

    expect(webhookActions).not.toContain('dynamodb:BatchGetItem')
  })

  it('raises webhooks-stalled when two sweeps running took in what webhooks never brought', () => {
    const alarm = alarms().find(({ logicalId }) => logicalId === 'WebhooksStalledAlarm')

    expect(alarm?.properties).toMatchObject({
      Namespace: 'VoucherifyGiftWebhooks',
      MetricName: 'SweepTakenIn',
      Dimensions: [{ Name: 'service', Value: SERVICE }],
      Statistic: 'Sum',
      Period: SWEEP_PERIOD_SECONDS,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
    })
  })

  it('raises sweep-failing on a failed sweep, a stopped one or an error of the sweep function', () => {
    const alarm = alarms().find(({ logicalId }) => logicalId === 'SweepFailingAlarm')
    const metrics = (alarm?.properties.Metrics ?? []) as Array<{
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Period: number }
    }>

    expect(
      metrics.flatMap(({ MetricStat }) =>
        MetricStat
          ? [[MetricStat.Metric.MetricName, MetricStat.Metric.Dimensions, MetricStat.Period]]
          : [],
      ),
    ).toEqual([
      ['SweepFailed', [{ Name: 'service', Value: SERVICE }], SWEEP_PERIOD_SECONDS],
      ['SweepStopped', [{ Name: 'service', Value: SERVICE }], SWEEP_PERIOD_SECONDS],
      [
        'Errors',
        [{ Name: 'FunctionName', Value: { Ref: lambdaFunction('sweep').logicalId } }],
        SWEEP_PERIOD_SECONDS,
      ],
    ])
  })

  it("sums every one of sweep-failing's metrics, a period without one counting as none", () => {
    const alarm = alarms().find(({ logicalId }) => logicalId === 'SweepFailingAlarm')
    const metrics = (alarm?.properties.Metrics ?? []) as Array<{ Id: string; Expression?: string }>
    const summed = metrics.filter(({ Expression }) => Expression === undefined).map(({ Id }) => Id)

    expect(metrics.find(({ Expression }) => Expression)?.Expression).toBe(
      summed.map((id) => `FILL(${id}, 0)`).join(' + '),
    )
    expect(alarm?.properties).toMatchObject({ EvaluationPeriods: 1, Threshold: 1 })
  })

  it.each([
    ['sweep-parked', 'SweepParked', 'SweepParkedAlarm'],
    ['sweep-assumption-broken', 'SweepMissedByIncremental', 'SweepAssumptionBrokenAlarm'],
  ])('raises %s on one %s in a sweep period', (name, metricName, logicalId) => {
    const alarm = alarms().find((found) => found.logicalId === logicalId)

    expect(alarm?.properties).toMatchObject({
      AlarmName: `${SERVICE}-${name}`,
      Namespace: 'VoucherifyGiftWebhooks',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: SERVICE }],
      Statistic: 'Sum',
      Period: SWEEP_PERIOD_SECONDS,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    })
  })

  it('counts a card the sweep found unattested in ledger-broken', () => {
    const alarm = alarms().find(({ logicalId }) => logicalId === 'LedgerBrokenAlarm')

    expect(JSON.stringify(alarm?.properties.Metrics)).toContain('"MetricName":"LedgerUnattested"')
  })

  it("tells the sweep Voucherify's eu1 API and where its keys are", () => {
    const { Variables } = lambdaFunction('sweep').properties.Environment as {
      Variables: Record<string, unknown>
    }

    expect(Variables).toMatchObject({
      VOUCHERIFY_API_URL: 'https://api.voucherify.io',
      VOUCHERIFY_APP_ID_PARAMETER: '/voucherify-gift-webhooks/prod/voucherify-app-id',
      VOUCHERIFY_SECRET_KEY_PARAMETER: '/voucherify-gift-webhooks/prod/voucherify-secret-key',
      SWEEP_GRACE_MINUTES: '10',
      VOUCHERIFY_REQUESTS_PER_MINUTE: '60',
    })
  })

  it('walks each campaign from the start weekly and parks after 3 attempts by default', () => {
    const { Variables } = lambdaFunction('sweep').properties.Environment as {
      Variables: Record<string, unknown>
    }

    expect(Variables).toMatchObject({ SWEEP_FULL_WALK_DAYS: '7', SWEEP_PARK_AFTER_ATTEMPTS: '3' })
  })

  describe('packaged with --param sweepFullWalkDays and sweepParkAfterAttempts', () => {
    let withSettings: PackagedService

    beforeAll(async () => {
      withSettings = await packageService('prod', {
        params: { sweepFullWalkDays: '14', sweepParkAfterAttempts: '5' },
      })
    }, 180_000)

    afterAll(() => withSettings?.remove())

    it('passes them to the sweep function', () => {
      const { Variables } = lambdaFunction('sweep', withSettings.template).properties
        .Environment as { Variables: Record<string, unknown> }

      expect(Variables).toMatchObject({
        SWEEP_FULL_WALK_DAYS: '14',
        SWEEP_PARK_AFTER_ATTEMPTS: '5',
      })
    })
  })
})

describe('the prod flood caps', () => {
  const httpApiStage = (template = packaged.template) =>
    resourcesOfType('AWS::ApiGatewayV2::Stage', template)[0]?.properties

  it("throttle the HTTP API stage's default route at 100 requests a second, bursts of 200", () => {
    expect(httpApiStage()?.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    })
  })

  it("reserve 50 of the account's concurrent executions for the webhook function, and no more", () => {
    expect(lambdaFunction('webhook').properties.ReservedConcurrentExecutions).toBe(50)
  })

  it("fire on 300 or more 4xx answers (429 included) of the HTTP API's stage in five minutes", () => {
    const api = onlyResourceOfType('AWS::ApiGatewayV2::Api')

    expect(
      alarmOn({
        namespace: 'AWS/ApiGateway',
        name: '4xx',
        dimensions: { ApiId: { Ref: api.logicalId }, Stage: '$default' },
      }),
    ).toMatchObject({ ...ON_ANY_WITHIN_FIVE_MINUTES, Threshold: 300 })
  })

  describe('packaged with --param apiThrottleRate, apiThrottleBurst and webhookReservedConcurrency', () => {
    let withCaps: PackagedService

    beforeAll(async () => {
      withCaps = await packageService('prod', {
        params: { apiThrottleRate: '20', apiThrottleBurst: '40', webhookReservedConcurrency: '10' },
      })
    }, 180_000)

    afterAll(() => withCaps?.remove())

    it('takes the rate, the burst and the reserved concurrency from them', () => {
      const settings = httpApiStage(withCaps.template)?.DefaultRouteSettings as Record<
        string,
        unknown
      >
      const reserved = lambdaFunction('webhook', withCaps.template).properties
        .ReservedConcurrentExecutions

      expect(
        [settings.ThrottlingRateLimit, settings.ThrottlingBurstLimit, reserved].map(Number),
      ).toEqual([20, 40, 10])
    })
  })
})
