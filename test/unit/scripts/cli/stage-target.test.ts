import { regionOfTopicArnPrefix, resolveStageTarget } from '../../../../scripts/cli/stage-target'
import { fakeLookups, PROD_TOPIC } from '../../../support/fakes/fake-target-lookups'

describe('resolveStageTarget for a deployed stage', () => {
  it("takes the region from the SDK's chain and the table and topics from the stack's outputs", async () => {
    const { lookups, asked } = fakeLookups()

    const target = await resolveStageTarget({ stage: 'prod' }, {}, lookups)

    expect(asked).toEqual(['outputs voucherify-gift-webhooks-prod eu-west-1'])
    expect(target).toEqual({
      stage: 'prod',
      region: 'eu-west-1',
      tableName: 'voucherify-gift-webhooks-prod-transactions',
      topicArnPrefix: 'arn:aws:sns:eu-west-1:123456789012:voucherify-gift-webhooks-prod-',
      topicNameSuffix: '',
    })
  })

  it('prefers --region to the chain', async () => {
    const { lookups } = fakeLookups()

    const target = await resolveStageTarget({ stage: 'prod', region: 'us-east-1' }, {}, lookups)

    expect(target.region).toBe('us-east-1')
  })

  it('falls back to eu-central-1 when the chain has no region', async () => {
    const { lookups } = fakeLookups({ region: null })

    const target = await resolveStageTarget({ stage: 'prod' }, {}, lookups)

    expect(target.region).toBe('eu-central-1')
  })

  it('knows FIFO topics by the .fifo name in the outputs', async () => {
    const { lookups } = fakeLookups({ topicArn: `${PROD_TOPIC}.fifo` })

    const target = await resolveStageTarget({ stage: 'prod' }, {}, lookups)

    expect(target.topicNameSuffix).toBe('.fifo')
    expect(target.topicArnPrefix).toBe(
      'arn:aws:sns:eu-west-1:123456789012:voucherify-gift-webhooks-prod-',
    )
  })

  it('lets --table and --topic-arn-prefix override the outputs', async () => {
    const { lookups } = fakeLookups()

    const target = await resolveStageTarget(
      { stage: 'prod', table: 't', topicArnPrefix: 'arn:aws:sns:eu-west-1:1:x-' },
      {},
      lookups,
    )

    expect(target).toMatchObject({ tableName: 't', topicArnPrefix: 'arn:aws:sns:eu-west-1:1:x-' })
  })

  it('says which stack it did not find, and where', async () => {
    const { lookups } = fakeLookups()

    await expect(resolveStageTarget({ stage: 'staging' }, {}, lookups)).rejects.toThrow(
      'No stack voucherify-gift-webhooks-staging in eu-west-1',
    )
  })
})

describe('resolveStageTarget for the local stage', () => {
  it("reads the table and topics from serverless.yml, on the emulators' ports", async () => {
    const { lookups } = fakeLookups()

    const target = await resolveStageTarget(
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
      endpoints: {
        dynamodb: 'http://127.0.0.1:18000',
        sns: 'http://127.0.0.1:14566',
        sqs: 'http://127.0.0.1:14566',
      },
    })
  })

  it('signs with the region of a given topic ARN prefix, as fauxqs names ARNs by it', async () => {
    const { lookups } = fakeLookups()

    const target = await resolveStageTarget(
      { stage: 'local', topicArnPrefix: 'arn:aws:sns:us-east-1:000000000000:p-' },
      {},
      lookups,
    )

    expect(target.region).toBe('us-east-1')
  })

  it('takes FIFO topics from serverless.yml, as npm start does', async () => {
    const { lookups } = fakeLookups({ localSuffix: '.fifo' })

    const target = await resolveStageTarget({ stage: 'local' }, {}, lookups)

    expect(target.topicNameSuffix).toBe('.fifo')
  })
})

describe('regionOfTopicArnPrefix', () => {
  it('finds the region in a topic ARN prefix', () => {
    expect(regionOfTopicArnPrefix('arn:aws:sns:eu-north-1:123:svc-prod-')).toBe('eu-north-1')
  })
})
