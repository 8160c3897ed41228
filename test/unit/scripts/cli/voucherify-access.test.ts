import type { AwsClients } from '../../../../scripts/cli/aws-clients'
import type { StageTarget } from '../../../../scripts/cli/stage-target'
import { connectVoucherify, readVoucherifyAccess } from '../../../../scripts/cli/voucherify-access'

const LOCAL: StageTarget = {
  stage: 'local',
  region: 'eu-central-1',
  tableName: 't',
  topicArnPrefix: 'arn:aws:sns:eu-central-1:000000000000:p-',
  topicNameSuffix: '',
  endpoints: {
    dynamodb: 'http://127.0.0.1:1',
    sns: 'http://127.0.0.1:2',
    sqs: 'http://127.0.0.1:2',
  },
}
/** The local stage's clients: no SSM, and nothing here is called on them. */
const NO_CLIENTS = { ssm: undefined } as unknown as AwsClients

describe('readVoucherifyAccess', () => {
  it("takes the region's host unless told another address", () => {
    expect(readVoucherifyAccess({ 'voucherify-region': 'us1' }, {})).toMatchObject({
      apiUrl: 'https://us1.api.voucherify.io',
      apiUrlGiven: false,
    })
  })

  it('prefers VOUCHERIFY_API_URL to the region, and --api-url to both', () => {
    const env = { VOUCHERIFY_API_URL: 'http://127.0.0.1:4999' }

    expect(readVoucherifyAccess({}, env).apiUrl).toBe('http://127.0.0.1:4999')
    expect(readVoucherifyAccess({ 'api-url': 'http://127.0.0.1:5000' }, env).apiUrl).toBe(
      'http://127.0.0.1:5000',
    )
  })
})

describe('connectVoucherify', () => {
  it("reads the local stack's stand-in, with its keys, on the local stage", async () => {
    const access = readVoucherifyAccess({}, {})

    const connection = await connectVoucherify(access, LOCAL, NO_CLIENTS, {
      VOUCHERIFY_PORT: '4321',
    })

    expect(connection).toEqual({
      baseUrl: 'http://127.0.0.1:4321',
      appId: 'local-app-id',
      secretKey: 'local-secret-key',
      from: 'environment',
    })
  })

  it('asks for the keys when the local stage is pointed at another address', async () => {
    const access = readVoucherifyAccess({ 'api-url': 'https://api.voucherify.io' }, {})

    await expect(connectVoucherify(access, LOCAL, NO_CLIENTS, {})).rejects.toThrow(
      'Set VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY',
    )
  })
})
