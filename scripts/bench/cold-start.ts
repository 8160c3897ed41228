import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { LOCAL_WEBHOOK_SECRET } from '../sample-events'
import { startAwsStub } from './aws-stub'
import { type BundleSize, buildLikeServerless, buildScript, runNode } from './bundles'
import { median, percentile } from './stats'

export type Variant = 'service' | 'floor' | 'floor + Logger' | 'service, no source maps'

export interface ColdStartRun {
  variant: Variant
  payload: string
  bootMs: number
  initMs: number
  firstInvokeMs: number
  /** From spawn to exit, as the parent saw it. */
  processMs: number
  rssBytes: number
  /** What the handler wrote to stdout during its first invocation (its log line). */
  logBytes: number
}

export interface ColdStartVariant {
  variant: Variant
  size: BundleSize
  runs: ColdStartRun[]
  initMs: number
  /** Interquartile range of module initialisation: the run-to-run spread. */
  initIqrMs: [number, number]
  firstInvokeMs: number
  processMs: number
  rssBytes: number
  logBytes: number
}

export interface ColdStartResult {
  variants: Record<Variant, ColdStartVariant>
  /** First invocation of the service per payload (the body size matters only here). */
  serviceFirstInvokeByPayload: Array<{ payload: string; firstInvokeMs: number }>
  /** AWS calls the stub answered per first invocation of the service (the floors make none). */
  stubCallsPerFirstInvocation: Record<string, number>
  runsPerVariant: number
}

const ENTRIES: Record<Exclude<Variant, 'service, no source maps'>, string> = {
  service: 'handlers/webhook.ts',
  floor: 'scripts/bench/floor-handler.ts',
  'floor + Logger': 'scripts/bench/floor-handler-logger.ts',
}
const VARIANTS: Variant[] = ['service', 'floor', 'floor + Logger', 'service, no source maps']

/**
 * The deployed stage's environment (the secret read from SSM on the first invocation), with
 * every AWS endpoint pointing at the stub. Lambda sets NODE_OPTIONS=--enable-source-maps from
 * serverless.yml, so the children run with it too.
 */
function childEnvironment(stubUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    TABLE_NAME: 'voucherify-gift-webhooks-bench-transactions',
    TOPIC_ARN_PREFIX: 'arn:aws:sns:eu-central-1:000000000000:voucherify-gift-webhooks-bench-',
    WEBHOOK_SECRET_PARAMETER: '/voucherify-gift-webhooks/bench/webhook-secret',
    CLAIM_LEASE_SECONDS: '15',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: stubUrl,
    AWS_ENDPOINT_URL_SNS: stubUrl,
    AWS_ENDPOINT_URL_SSM: stubUrl,
  }
}

async function runChild(
  childScript: string,
  bundlePath: string,
  eventPath: string,
  env: NodeJS.ProcessEnv,
  sourceMaps: boolean,
): Promise<Omit<ColdStartRun, 'variant' | 'payload'>> {
  const started = process.hrtime.bigint()
  const flags = sourceMaps ? ['--enable-source-maps'] : []
  const stdout = await runNode([...flags, childScript, bundlePath, eventPath], env)
  const processMs = Number(process.hrtime.bigint() - started) / 1e6
  const marker = stdout.lastIndexOf('\nCOLD_START ')
  if (marker < 0) throw new Error(`cold start of ${bundlePath} reported nothing: ${stdout}`)
  const report = JSON.parse(stdout.slice(marker + '\nCOLD_START '.length)) as Omit<
    ColdStartRun,
    'variant' | 'payload' | 'processMs' | 'logBytes'
  > & { statusCode?: number }
  if (report.statusCode !== 200) {
    throw new Error(`${bundlePath} answered ${report.statusCode} on its first invocation`)
  }
  const { statusCode: _, ...timings } = report
  return { ...timings, processMs, logBytes: Buffer.byteLength(stdout.slice(0, marker)) }
}

export interface ColdStartOptions {
  workDir: string
  runsPerVariant: number
  payloads: Array<{ name: string; event: APIGatewayProxyEventV2 }>
  onProgress: (line: string) => void
}

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const { workDir, runsPerVariant, payloads } = options
  const variants = VARIANTS
  const built = {} as Record<keyof typeof ENTRIES, BundleSize>
  for (const [variant, entry] of Object.entries(ENTRIES) as Array<[keyof typeof ENTRIES, string]>) {
    built[variant] = await buildLikeServerless(
      entry,
      join(workDir, `${variant.replace(/\W+/g, '-')}.js`),
    )
  }
  // The same bundle as the service, started without the flag serverless.yml sets.
  const sizes: Record<Variant, BundleSize> = { ...built, 'service, no source maps': built.service }
  const childScript = await buildScript(
    'scripts/bench/cold-start-child.ts',
    join(workDir, 'cold-start-child.js'),
  )
  const eventPaths = payloads.map((payload, index) => {
    const path = join(workDir, `cold-start-event-${index}.json`)
    writeFileSync(path, JSON.stringify(payload.event))
    return { name: payload.name, path }
  })

  const stub = await startAwsStub(LOCAL_WEBHOOK_SECRET)
  const runs: ColdStartRun[] = []
  try {
    const env = childEnvironment(stub.url)
    for (let round = 0; round < runsPerVariant; round++) {
      // Rotate the order every round, so no variant always follows the same one.
      const order = variants.map((_, index) => variants[(index + round) % variants.length])
      const payload = eventPaths[round % eventPaths.length]
      if (!payload) throw new Error('measureColdStart needs at least one payload')
      for (const variant of order as Variant[]) {
        const sourceMaps = variant !== 'service, no source maps'
        const run = await runChild(childScript, sizes[variant].path, payload.path, env, sourceMaps)
        runs.push({ variant, payload: payload.name, ...run })
      }
      if ((round + 1) % 5 === 0) options.onProgress(`  cold starts: ${round + 1}/${runsPerVariant}`)
    }
  } finally {
    await stub.close()
  }

  const result = {} as Record<Variant, ColdStartVariant>
  for (const variant of variants) {
    const own = runs.filter((run) => run.variant === variant)
    const initMs = own.map((run) => run.initMs)
    result[variant] = {
      variant,
      size: sizes[variant],
      runs: own,
      initMs: median(initMs),
      initIqrMs: [percentile(initMs, 25), percentile(initMs, 75)],
      firstInvokeMs: median(own.map((run) => run.firstInvokeMs)),
      processMs: median(own.map((run) => run.processMs)),
      rssBytes: median(own.map((run) => run.rssBytes)),
      logBytes: median(own.map((run) => run.logBytes)),
    }
  }
  const serviceRuns = result.service.runs
  return {
    variants: result,
    serviceFirstInvokeByPayload: payloads.map(({ name }) => ({
      payload: name,
      firstInvokeMs: median(
        serviceRuns.filter((run) => run.payload === name).map((run) => run.firstInvokeMs),
      ),
    })),
    stubCallsPerFirstInvocation: Object.fromEntries(
      [...stub.counts].map(([operation, count]) => [operation, count / (2 * runsPerVariant)]),
    ),
    runsPerVariant,
  }
}
