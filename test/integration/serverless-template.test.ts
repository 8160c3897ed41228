// The prod CloudFormation template that `serverless package` builds without any AWS account:
// the routes, limits, data protection and least-privilege IAM that serverless.yml promises.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type PackagedService, packageService } from '../support/package-service'
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

function resourcesOfType(type: string) {
  return Object.entries(packaged.template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, properties: resource.Properties ?? {} }))
}

function onlyResourceOfType(type: string) {
  const [resource, ...others] = resourcesOfType(type)
  if (!resource || others.length > 0) throw new Error(`Expected exactly one ${type}`)
  return resource
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

/** The statements of the role the webhook function runs as. */
function functionRoleStatements(): Statement[] {
  const lambda = onlyResourceOfType('AWS::Lambda::Function')
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
  Update: 'UpdateItem',
  Put: 'PutItem',
  Get: 'GetItem',
  Delete: 'DeleteItem',
}

/** The IAM actions the function's code can call: every `XxxCommand` lib/ imports from the SDK. */
function actionsTheCodeCalls(): string[] {
  const libDir = join(__dirname, '..', '..', 'lib')
  const actions = new Set<string>()
  for (const file of readdirSync(libDir).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(libDir, file), 'utf8')
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
    const { properties } = onlyResourceOfType('AWS::Lambda::Function')

    expect(properties.Runtime).toBe('nodejs24.x')
    expect(properties.Architectures).toEqual(['arm64'])
    expect(properties.Timeout).toBeLessThanOrEqual(9)
  })

  it('keeps the function logs for a limited number of days', () => {
    const { properties } = onlyResourceOfType('AWS::Logs::LogGroup')

    expect(properties.RetentionInDays).toEqual(expect.any(Number))
    expect(properties.RetentionInDays).toBeGreaterThan(0)
  })

  it('bills the table on demand, keyed by transaction and event type', () => {
    const { properties } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(properties.BillingMode).toBe('PAY_PER_REQUEST')
    expect(properties.KeySchema).toEqual([
      { AttributeName: 'transaction_id', KeyType: 'HASH' },
      { AttributeName: 'event_type', KeyType: 'RANGE' },
    ])
  })

  it('indexes the table by voucher and creation time', () => {
    const { properties } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'voucher-ledger',
        KeySchema: [
          { AttributeName: 'voucher_id', KeyType: 'HASH' },
          { AttributeName: 'created_at', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ])
  })

  it('protects the table with point-in-time recovery, encryption and deletion protection', () => {
    const { properties } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    })
    expect(properties.SSESpecification).toEqual({ SSEEnabled: true })
    expect(properties.DeletionProtectionEnabled).toBe(true)
  })

  it('creates one KMS-encrypted topic per supported event type', () => {
    const topics = resourcesOfType('AWS::SNS::Topic').map(({ properties }) => properties)

    expect(topics.map((topic) => topic.TopicName).sort()).toEqual([...TOPIC_NAMES].sort())
    for (const topic of topics) expect(topic.KmsMasterKeyId).toEqual(expect.any(String))
  })

  it('outputs the ARN of every topic', () => {
    const outputValues = Object.values(packaged.template.Outputs ?? {}).map(
      (output) => output.Value,
    )

    for (const { logicalId } of resourcesOfType('AWS::SNS::Topic')) {
      expect(outputValues).toContainEqual({ Ref: logicalId })
    }
  })

  it('lets the function update items of its table and nothing else in DynamoDB', () => {
    const { logicalId } = onlyResourceOfType('AWS::DynamoDB::Table')

    expect(statementsFor('dynamodb')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      },
    ])
  })

  it('lets the function publish to its three topics and nothing else in SNS', () => {
    const topicRefs = resourcesOfType('AWS::SNS::Topic').map(({ logicalId }) => ({
      Ref: logicalId,
    }))

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

describe('the prod package', () => {
  it('bundles the handler as minified JavaScript with its source map', () => {
    const zips = readdirSync(packaged.directory).filter((name) => name.endsWith('.zip'))
    expect(zips).toHaveLength(1)
    const files = readZip(join(packaged.directory, String(zips[0])))
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
