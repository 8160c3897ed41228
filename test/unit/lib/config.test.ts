import { readConfig } from '../../../lib/config'

const base = { TABLE_NAME: 'table', TOPIC_ARN_PREFIX: 'arn:aws:sns:eu-central-1:1:svc-prod-' }

describe('readConfig', () => {
  it('reads the secret from SSM when a parameter is named', () => {
    const config = readConfig({ ...base, WEBHOOK_SECRET_PARAMETER: '/svc/prod/secret' })

    expect(config.secret).toEqual({ parameterName: '/svc/prod/secret', refreshMs: 300_000 })
  })

  it('takes the secret from the environment on the local stage', () => {
    const config = readConfig({ ...base, VOUCHERIFY_WEBHOOK_SECRET: 'local' })

    expect(config.secret).toEqual({ value: 'local' })
  })

  it('turns the claim lease from seconds into milliseconds', () => {
    expect(readConfig({ ...base, CLAIM_LEASE_SECONDS: '20' }).claimLeaseMs).toBe(20_000)
  })

  it('throws, naming the setting, when the table is not configured', () => {
    expect(() => readConfig({ TOPIC_ARN_PREFIX: base.TOPIC_ARN_PREFIX })).toThrow(/TABLE_NAME/)
  })

  it('throws on a lease that is not a whole number of seconds', () => {
    expect(() => readConfig({ ...base, CLAIM_LEASE_SECONDS: '1.5' })).toThrow(/CLAIM_LEASE_SECONDS/)
  })
})
