import { readSweepConfig } from '../../../../lib/sweep/sweep-config'

const DEPLOYED = {
  VOUCHERIFY_API_URL: 'https://api.voucherify.io',
  VOUCHERIFY_APP_ID_PARAMETER: '/svc/prod/voucherify-app-id',
  VOUCHERIFY_SECRET_KEY_PARAMETER: '/svc/prod/voucherify-secret-key',
}

describe('readSweepConfig', () => {
  it('defaults to every gift campaign, 10 minutes of grace, an hour of overlap, 60 requests a minute', () => {
    expect(readSweepConfig(DEPLOYED)).toEqual({
      apiUrl: 'https://api.voucherify.io',
      keyParameters: {
        appIdParameter: '/svc/prod/voucherify-app-id',
        secretKeyParameter: '/svc/prod/voucherify-secret-key',
      },
      campaignIds: undefined,
      graceMs: 600_000,
      overlapMs: 3_600_000,
      requestsPerMinute: 60,
    })
  })

  it('reads the campaigns to sweep from a comma-separated list', () => {
    const config = readSweepConfig({ ...DEPLOYED, SWEEP_CAMPAIGNS: 'camp_a, camp_b' })

    expect(config.campaignIds).toEqual(['camp_a', 'camp_b'])
  })

  it('has no key parameters on the local stage, which takes the keys themselves', () => {
    expect(readSweepConfig({ VOUCHERIFY_API_URL: 'http://127.0.0.1:4010' }).keyParameters).toBe(
      undefined,
    )
  })

  it.each([
    [{ VOUCHERIFY_API_URL: 'not a url' }, /VOUCHERIFY_API_URL/],
    [{ ...DEPLOYED, VOUCHERIFY_REQUESTS_PER_MINUTE: '0' }, /VOUCHERIFY_REQUESTS_PER_MINUTE/],
    [{ ...DEPLOYED, SWEEP_GRACE_MINUTES: 'ten' }, /SWEEP_GRACE_MINUTES/],
  ])('refuses to start on %j', (env, problem) => {
    expect(() => readSweepConfig(env)).toThrow(problem)
  })
})
