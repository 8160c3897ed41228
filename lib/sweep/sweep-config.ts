import * as v from 'valibot'
import type { SweepSettings } from './campaign-sweep'

/**
 * The sweep's settings in whole units, each with its default and the least it may be, and why
 * (docs/operations.md "What the sweep promises").
 */
export const SWEEP_SETTINGS = {
  /** Below 5 minutes the sweep takes in transactions whose webhooks are merely on their way, and `webhooks-stalled` fires for nothing. */
  graceMinutes: { default: 10, min: 5 },
  /** Grace + overlap is the listing delay the incremental walk tolerates; below 15 minutes a delay nothing bounds is left to the weekly full walk. */
  overlapMinutes: { default: 60, min: 15 },
  /** The full walk finds what the incremental walk missed; more than 30 days leaves a broken assumption unseen too long. */
  fullWalkDays: { default: 7, min: 1, max: 30 },
  /** One attempt is no proof: a transaction may fail once for a passing reason. */
  parkAfterAttempts: { default: 3, min: 2, max: 20 },
  requestsPerMinute: { default: 60, min: 1 },
} as const

export type SweepSettingName = keyof typeof SWEEP_SETTINGS

const MINUTE_MS = 60_000

/** Whole numbers in their units, checked against SWEEP_SETTINGS: a value out of bounds is refused. */
export function sweepSettingsOf(values: SweepSettingValues): SweepSettings {
  const problems = settingProblems(values)
  if (problems.length > 0) throw new Error(problems.join('; '))
  return {
    graceMs: values.graceMinutes * MINUTE_MS,
    overlapMs: values.overlapMinutes * MINUTE_MS,
    fullWalkEveryMs: values.fullWalkDays * 24 * 60 * MINUTE_MS,
    parkAfterAttempts: values.parkAfterAttempts,
  }
}

export interface SweepSettingValues {
  graceMinutes: number
  overlapMinutes: number
  fullWalkDays: number
  parkAfterAttempts: number
}

/** What is wrong with each value out of its bounds, in words an operator can act on. */
export function settingProblems(
  values: Partial<Record<SweepSettingName, number>>,
  label: (name: SweepSettingName) => string = (name) => name,
): string[] {
  return (Object.entries(values) as [SweepSettingName, number][]).flatMap(([name, value]) => {
    const bounds: { min: number; max?: number } = SWEEP_SETTINGS[name]
    if (Number.isInteger(value) && value >= bounds.min && value <= (bounds.max ?? Infinity)) {
      return []
    }
    const range =
      bounds.max === undefined ? `at least ${bounds.min}` : `${bounds.min} to ${bounds.max}`
    return [
      `${label(name)} must be a whole number ${range}, got ${value} (docs/operations.md "What the sweep promises" says why)`,
    ]
  })
}

const Whole = v.pipe(v.string(), v.digits(), v.transform(Number))
const Required = v.pipe(v.string(), v.nonEmpty())
const setting = (name: SweepSettingName) => v.optional(Whole, String(SWEEP_SETTINGS[name].default))

/** Where each setting is in the function's environment. */
const ENVIRONMENT_NAMES: Record<SweepSettingName, string> = {
  graceMinutes: 'SWEEP_GRACE_MINUTES',
  overlapMinutes: 'SWEEP_OVERLAP_MINUTES',
  fullWalkDays: 'SWEEP_FULL_WALK_DAYS',
  parkAfterAttempts: 'SWEEP_PARK_AFTER_ATTEMPTS',
  requestsPerMinute: 'VOUCHERIFY_REQUESTS_PER_MINUTE',
}

/** The sweep function's environment, as serverless.yml sets it. */
const SweepEnvironmentSchema = v.object({
  /** Voucherify's API for the project's region, e.g. https://api.voucherify.io. */
  VOUCHERIFY_API_URL: v.pipe(v.string(), v.url()),
  /** Deployed stages: the SSM SecureStrings holding the API keys. */
  VOUCHERIFY_APP_ID_PARAMETER: v.optional(Required),
  VOUCHERIFY_SECRET_KEY_PARAMETER: v.optional(Required),
  /** Comma-separated campaign ids; empty means every gift card campaign of the project. */
  SWEEP_CAMPAIGNS: v.optional(v.string(), ''),
  SWEEP_GRACE_MINUTES: setting('graceMinutes'),
  SWEEP_OVERLAP_MINUTES: setting('overlapMinutes'),
  SWEEP_FULL_WALK_DAYS: setting('fullWalkDays'),
  SWEEP_PARK_AFTER_ATTEMPTS: setting('parkAfterAttempts'),
  VOUCHERIFY_REQUESTS_PER_MINUTE: setting('requestsPerMinute'),
})

export interface SweepConfig {
  apiUrl: string
  /** Undefined on the local stage, which takes the keys from VOUCHERIFY_APP_ID/SECRET_KEY. */
  keyParameters: { appIdParameter: string; secretKeyParameter: string } | undefined
  campaignIds: string[] | undefined
  settings: SweepSettings
  requestsPerMinute: number
}

/** Throws on a missing, malformed or out-of-bounds setting: the sweep cannot run without them. */
export function readSweepConfig(env: Record<string, string | undefined>): SweepConfig {
  const result = v.safeParse(SweepEnvironmentSchema, env)
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`)
    throw new Error(`Invalid sweep environment: ${problems.join('; ')}`)
  }
  const settings = result.output
  const values: SweepSettingValues = {
    graceMinutes: settings.SWEEP_GRACE_MINUTES,
    overlapMinutes: settings.SWEEP_OVERLAP_MINUTES,
    fullWalkDays: settings.SWEEP_FULL_WALK_DAYS,
    parkAfterAttempts: settings.SWEEP_PARK_AFTER_ATTEMPTS,
  }
  const requestsPerMinute = settings.VOUCHERIFY_REQUESTS_PER_MINUTE
  const problems = settingProblems({ ...values, requestsPerMinute }, (n) => ENVIRONMENT_NAMES[n])
  if (problems.length > 0) throw new Error(`Invalid sweep environment: ${problems.join('; ')}`)
  const campaignIds = settings.SWEEP_CAMPAIGNS.split(/[\s,]+/).filter(Boolean)
  const appIdParameter = settings.VOUCHERIFY_APP_ID_PARAMETER
  const secretKeyParameter = settings.VOUCHERIFY_SECRET_KEY_PARAMETER
  return {
    apiUrl: settings.VOUCHERIFY_API_URL,
    keyParameters:
      appIdParameter && secretKeyParameter ? { appIdParameter, secretKeyParameter } : undefined,
    campaignIds: campaignIds.length > 0 ? campaignIds : undefined,
    settings: sweepSettingsOf(values),
    requestsPerMinute,
  }
}
