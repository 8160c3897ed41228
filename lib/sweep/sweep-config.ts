import * as v from 'valibot'

const Minutes = v.pipe(v.string(), v.digits(), v.transform(Number))
const PerMinute = v.pipe(v.string(), v.digits(), v.transform(Number), v.minValue(1))
const Required = v.pipe(v.string(), v.nonEmpty())

/** The sweep function's environment, as serverless.yml sets it. */
const SweepEnvironmentSchema = v.object({
  /** Voucherify's API for the project's region, e.g. https://api.voucherify.io. */
  VOUCHERIFY_API_URL: v.pipe(v.string(), v.url()),
  /** Deployed stages: the SSM SecureStrings holding the API keys. */
  VOUCHERIFY_APP_ID_PARAMETER: v.optional(Required),
  VOUCHERIFY_SECRET_KEY_PARAMETER: v.optional(Required),
  /** Comma-separated campaign ids; empty means every gift card campaign of the project. */
  SWEEP_CAMPAIGNS: v.optional(v.string(), ''),
  SWEEP_GRACE_MINUTES: v.optional(Minutes, '10'),
  SWEEP_OVERLAP_MINUTES: v.optional(Minutes, '60'),
  VOUCHERIFY_REQUESTS_PER_MINUTE: v.optional(PerMinute, '60'),
})

export interface SweepConfig {
  apiUrl: string
  /** Undefined on the local stage, which takes the keys from VOUCHERIFY_APP_ID/SECRET_KEY. */
  keyParameters: { appIdParameter: string; secretKeyParameter: string } | undefined
  campaignIds: string[] | undefined
  graceMs: number
  overlapMs: number
  requestsPerMinute: number
}

/** Throws on a missing or malformed setting: the sweep cannot run without them. */
export function readSweepConfig(env: Record<string, string | undefined>): SweepConfig {
  const result = v.safeParse(SweepEnvironmentSchema, env)
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`)
    throw new Error(`Invalid sweep environment: ${problems.join('; ')}`)
  }
  const settings = result.output
  const campaignIds = settings.SWEEP_CAMPAIGNS.split(/[\s,]+/).filter(Boolean)
  const appIdParameter = settings.VOUCHERIFY_APP_ID_PARAMETER
  const secretKeyParameter = settings.VOUCHERIFY_SECRET_KEY_PARAMETER
  return {
    apiUrl: settings.VOUCHERIFY_API_URL,
    keyParameters:
      appIdParameter && secretKeyParameter ? { appIdParameter, secretKeyParameter } : undefined,
    campaignIds: campaignIds.length > 0 ? campaignIds : undefined,
    graceMs: settings.SWEEP_GRACE_MINUTES * 60_000,
    overlapMs: settings.SWEEP_OVERLAP_MINUTES * 60_000,
    requestsPerMinute: settings.VOUCHERIFY_REQUESTS_PER_MINUTE,
  }
}
