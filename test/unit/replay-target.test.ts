import {
  deployedNames,
  partitionOfArn,
  regionOfTopicArnPrefix,
  resolveTarget,
  type TargetLookups,
} from '../../scripts/replay/target'

/** Lookups that answer from constants and remember what they were asked. */
function fakeLookups(region: string | null = 'eu-west-1') {
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
        },
      }
    },
    defaultRegion: async () => region ?? undefined,
    callerIdentity: async (at) => {
      asked.push(`sts ${at}`)
      return { account: '123456789012', partition: 'aws' }
    },
  }
  return { lookups, asked }
}

describe('deployedNames', () => {
  it('names the table and topic prefix as serverless.yml does for the stage', () => {
    const names = deployedNames('prod', 'eu-central-1', {
      account: '123456789012',
      partition: 'aws',
    })

    expect(names).toEqual({
      tableName: 'voucherify-gift-webhooks-prod-transactions',
      topicArnPrefix: 'arn:aws:sns:eu-central-1:123456789012:voucherify-gift-webhooks-prod-',
    })
  })
})

describe('resolveTarget', () => {
  it('takes a deployed stage’s region from the default chain and its account from STS', async () => {
    const { lookups } = fakeLookups('eu-west-1')

    const target = await resolveTarget({ stage: 'prod' }, {}, lookups)

    expect(target).toEqual({
      stage: 'prod',
      region: 'eu-west-1',
      tableName: 'voucherify-gift-webhooks-prod-transactions',
      topicArnPrefix: 'arn:aws:sns:eu-west-1:123456789012:voucherify-gift-webhooks-prod-',
      topicNameSuffix: '',
    })
  })

  it('falls back to serverless.yml’s region when the default chain has none', async () => {
    const { lookups } = fakeLookups(null)

    const target = await resolveTarget({ stage: 'prod' }, {}, lookups)

    expect(target.region).toBe('eu-central-1')
  })

  it('asks STS nothing when the topic ARN prefix is given', async () => {
    const { lookups, asked } = fakeLookups()

    await resolveTarget(
      { stage: 'prod', topicArnPrefix: 'arn:aws:sns:eu-west-1:1:x-' },
      {},
      lookups,
    )

    expect(asked).toEqual([])
  })

  it('reads the local stage’s table and topics from serverless.yml, on the emulators’ ports', async () => {
    const { lookups } = fakeLookups()

    const target = await resolveTarget(
      { stage: 'local' },
      { DYNAMODB_PORT: '18000', FAUXQS_PORT: '14566' },
      lookups,
    )

    expect(target).toEqual({
      stage: 'local',
      region: 'eu-central-1',
      tableName: 'voucherify-gift-webhooks-local-transactions',
      topicArnPrefix: 'arn:aws:sns:eu-central-1:000000000000:voucherify-gift-webhooks-local-',
      topicNameSuffix: '',
      endpoints: { dynamodb: 'http://127.0.0.1:18000', sns: 'http://127.0.0.1:14566' },
    })
  })

  it('skips serverless print on the local stage when the table and prefix are both given', async () => {
    const { lookups, asked } = fakeLookups()

    const target = await resolveTarget(
      { stage: 'local', table: 't', topicArnPrefix: 'arn:aws:sns:us-east-1:000000000000:p-' },
      {},
      lookups,
    )

    expect(asked).toEqual([])
    expect(target.region).toBe('us-east-1')
  })
})

describe('FIFO event topics', () => {
  it('are named with .fifo on a deployed stage given --fifo', async () => {
    const { lookups } = fakeLookups()

    const target = await resolveTarget({ stage: 'prod', fifo: true }, {}, lookups)

    expect(target.topicNameSuffix).toBe('.fifo')
  })

  it('are read from serverless.yml on the local stage', async () => {
    const { lookups } = fakeLookups()
    const print = lookups.serverlessResources
    lookups.serverlessResources = async (stage, env) => {
      const resources = await print(stage, env)
      return { ...resources, environment: { ...resources.environment, TOPIC_NAME_SUFFIX: '.fifo' } }
    }

    const target = await resolveTarget({ stage: 'local' }, {}, lookups)

    expect(target.topicNameSuffix).toBe('.fifo')
  })
})

describe('ARN parts', () => {
  it('finds the region in a topic ARN prefix', () => {
    expect(regionOfTopicArnPrefix('arn:aws:sns:eu-north-1:123:svc-prod-')).toBe('eu-north-1')
  })

  it('finds the partition in a caller ARN', () => {
    expect(partitionOfArn('arn:aws-cn:sts::123456789012:assumed-role/ops/me')).toBe('aws-cn')
  })
})
