import { readSweepConfig } from '../../../../lib/sweep/sweep-config'

const DEPLOYED = {
  VOUCHERIFY_API_URL: 'https://api.voucherify.io',
  VOUCHERIFY_APP_ID_PARAMETER: '/svc/prod/voucherify-app-id',
  VOUCHERIFY_SECRET_KEY_PARAMETER: '/svc/prod/voucherify-secret-key',
}

describe('readSweepConfig', () => {
  it('defaults to every gift campaign, 10 minutes of grace, an hour of overlap, a weekly full walk, parking after 3 failures, 60 requests a minute', () => {
    expect(readSweepConfig(DEPLOYED)).toEqual({
      apiUrl: 'https://api.voucherify.io',
      keyParameters: {
        appIdParameter: '/svc/prod/voucherify-app-id',
        secretKeyParameter: '/svc/prod/voucherify-secret-key',
      },
      campaignIds: undefined,
      settings: {
        graceMs: 600_000,
        overlapMs: 3_600_000,
        fullWalkEveryMs: 7 * 24 * 3_600_000,
        parkAfterAttempts: 3,
      },
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
    [
      { ...DEPLOYED, SWEEP_GRACE_MINUTES: '4' },
      /SWEEP_GRACE_MINUTES must be a whole number at least 5, got 4/,
    ],
    [{ ...DEPLOYED, SWEEP_OVERLAP_MINUTES: '14' }, /SWEEP_OVERLAP_MINUTES must be .* at least 15/],
    [{ ...DEPLOYED, SWEEP_FULL_WALK_DAYS: '31' }, /SWEEP_FULL_WALK_DAYS must be .* 1 to 30/],
    [
      { ...DEPLOYED, SWEEP_PARK_AFTER_ATTEMPTS: '1' },
      /SWEEP_PARK_AFTER_ATTEMPTS must be .* 2 to 20/,
    ],
  ])('refuses to start on %j', (env, problem) => {
    expect(() => readSweepConfig(env)).toThrow(problem)
  })
})
