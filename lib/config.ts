import * as v from 'valibot'
import { DEFAULT_RETENTION, MIN_RETENTION_DAYS, type Retention } from './privacy/retention'
import { MAX_BODY_BYTES } from './receive/limits'
import { parseSourceIpAllowList, type SourceIpAllowList } from './receive/source-ip-allow-list'

const Required = v.pipe(v.string(), v.nonEmpty())
const Seconds = v.pipe(v.string(), v.digits(), v.transform(Number), v.minValue(1))
/** Days to keep what holds personal data: 0 (forever) or at least MIN_RETENTION_DAYS. */
const RetentionDays = v.pipe(
  v.string(),
  v.digits(),
  v.transform(Number),
  v.check(
    (days) => days === 0 || days >= MIN_RETENTION_DAYS,
    `must be 0 (keep forever) or at least ${MIN_RETENTION_DAYS}`,
  ),
)

/** The function's environment, as serverless.yml sets it. */
const EnvironmentSchema = v.object({
  TABLE_NAME: Required,
  TOPIC_ARN_PREFIX: Required,
  /** `.fifo` when the stage was deployed with FIFO event topics (`--param fifoTopics=true`). */
  TOPIC_NAME_SUFFIX: v.optional(v.picklist(['', '.fifo']), ''),
  /** Deployed stages: the SSM SecureString holding the webhook secret(s). */
  WEBHOOK_SECRET_PARAMETER: v.optional(Required),
  /** Local stage only: the secret itself. */
  VOUCHERIFY_WEBHOOK_SECRET: v.optional(v.string()),
  CLAIM_LEASE_SECONDS: v.optional(Seconds, '15'),
  SECRET_REFRESH_SECONDS: v.optional(Seconds, '300'),
  PAYLOAD_RETENTION_DAYS: v.optional(RetentionDays, String(DEFAULT_RETENTION.payloadDays)),
  QUARANTINE_RETENTION_DAYS: v.optional(RetentionDays, String(DEFAULT_RETENTION.quarantineDays)),
  /** `true`: messages carry customers' personal fields; anything else keeps them out. */
  PUBLISH_PERSONAL_DATA: v.optional(v.picklist(['true', 'false']), 'false'),
  /** Optional: addresses and CIDR ranges webhooks may come from. */
  ALLOWED_SOURCE_IPS: v.optional(v.string(), ''),
})

export interface Config {
  tableName: string
  topicArnPrefix: string
  /** '' for standard event topics, '.fifo' for FIFO ones. */
  topicNameSuffix: '' | '.fifo'
  secret: { parameterName: string; refreshMs: number } | { value: string | undefined }
  claimLeaseMs: number
  maxBodyBytes: number
  allowedSourceIps: SourceIpAllowList | undefined
  retention: Retention
  publishPersonalData: boolean
}

/** Throws on a missing table or topic setting: the function cannot work without them. */
export function readConfig(env: Record<string, string | undefined>): Config {
  const result = v.safeParse(EnvironmentSchema, env)
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`)
    throw new Error(`Invalid environment: ${problems.join('; ')}`)
  }
  const settings = result.output
  return {
    tableName: settings.TABLE_NAME,
    topicArnPrefix: settings.TOPIC_ARN_PREFIX,
    topicNameSuffix: settings.TOPIC_NAME_SUFFIX,
    secret: settings.WEBHOOK_SECRET_PARAMETER
      ? {
          parameterName: settings.WEBHOOK_SECRET_PARAMETER,
          refreshMs: settings.SECRET_REFRESH_SECONDS * 1000,
        }
      : { value: settings.VOUCHERIFY_WEBHOOK_SECRET },
    claimLeaseMs: settings.CLAIM_LEASE_SECONDS * 1000,
    maxBodyBytes: MAX_BODY_BYTES,
    allowedSourceIps: parseSourceIpAllowList(settings.ALLOWED_SOURCE_IPS),
    retention: {
      payloadDays: settings.PAYLOAD_RETENTION_DAYS,
      quarantineDays: settings.QUARANTINE_RETENTION_DAYS,
    },
    publishPersonalData: settings.PUBLISH_PERSONAL_DATA === 'true',
  }
}
