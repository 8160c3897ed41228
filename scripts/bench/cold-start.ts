import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { LOCAL_WEBHOOK_SECRET } from '../sample-events'
import { startAwsStub } from './aws-stub'
import { type BundleSize, buildLikeServerless, buildScript, runNode } from './bundles'
import { median, percentile } from './stats'

/** What the cold start child reports of one fresh `node`. */
interface ColdStartRun {
  initMs: number
  firstInvokeMs: number
  rssBytes: number
  statusCode?: number
}

export interface ColdStartVariant {
  size: BundleSize
  /** Medians over the runs. */
  initMs: number
  /** Interquartile range of module initialisation: the run-to-run spread. */
  initIqrMs: [number, number]
  firstInvokeMs: number
  rssBytes: number
}

export interface ColdStartResult {
  service: ColdStartVariant
  floor: ColdStartVariant
  /** AWS calls the stub answered per first invocation of the service (the floor makes none). */
  stubCallsPerFirstInvocation: Record<string, number>
  runsPerVariant: number
}

const ENTRIES = { service: 'handlers/webhook.ts', floor: 'scripts/bench/floor-handler.ts' }
type Variant = keyof typeof ENTRIES

/**
 * The deployed stage's environment (the secret read from SSM on the first invocation), with
 * every AWS endpoint pointing at the stub.
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

/** Lambda runs with serverless.yml's NODE_OPTIONS=--enable-source-maps, so the children do. */
async function coldStart(childScript: string, bundle: string, eventPath: string, stubUrl: string) {
  const args = ['--enable-source-maps', childScript, bundle, eventPath]
  const stdout = await runNode(args, childEnvironment(stubUrl))
  const marker = stdout.lastIndexOf('\nCOLD_START ')
  if (marker < 0) throw new Error(`cold start of ${bundle} reported nothing: ${stdout}`)
  const run = JSON.parse(stdout.slice(marker + '\nCOLD_START '.length)) as ColdStartRun
  if (run.statusCode !== 200) {
    throw new Error(`${bundle} answered ${run.statusCode} on its first invocation`)
  }
  return run
}

export interface ColdStartOptions {
  workDir: string
  runsPerVariant: number
  /** Taken in turn, a round each. */
  events: APIGatewayProxyEventV2[]
  onProgress: (line: string) => void
}

/**
 * Builds the service and the floor as serverless.yml builds the function, then starts each
 * `runsPerVariant` times in a fresh `node`, alternating, every AWS endpoint on a stub.
 */
export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const { workDir, runsPerVariant } = options
  const variants = Object.keys(ENTRIES) as Variant[]
  const sizes = {} as Record<Variant, BundleSize>
  for (const variant of variants) {
    sizes[variant] = await buildLikeServerless(ENTRIES[variant], join(workDir, `${variant}.js`))
  }
  const childScript = await buildScript(
    'scripts/bench/cold-start-child.ts',
    join(workDir, 'cold-start-child.js'),
  )
  const eventPaths = options.events.map((event, index) => {
    const path = join(workDir, `cold-start-event-${index}.json`)
    writeFileSync(path, JSON.stringify(event))
    return path
  })

  const stub = await startAwsStub(LOCAL_WEBHOOK_SECRET)
  const runs: Record<Variant, ColdStartRun[]> = { service: [], floor: [] }
  try {
    for (let round = 0; round < runsPerVariant; round++) {
      const eventPath = eventPaths[round % eventPaths.length] as string
      // Every other round the floor goes first, so neither always follows the other.
      const order = round % 2 === 0 ? variants : [...variants].reverse()
      for (const variant of order) {
        runs[variant].push(await coldStart(childScript, sizes[variant].path, eventPath, stub.url))
      }
      if ((round + 1) % 5 === 0) options.onProgress(`  cold starts: ${round + 1}/${runsPerVariant}`)
    }
  } finally {
    await stub.close()
  }

  const summary = (variant: Variant): ColdStartVariant => {
    const initMs = runs[variant].map((run) => run.initMs)
    return {
      size: sizes[variant],
      initMs: median(initMs),
      initIqrMs: [percentile(initMs, 25), percentile(initMs, 75)],
      firstInvokeMs: median(runs[variant].map((run) => run.firstInvokeMs)),
      rssBytes: median(runs[variant].map((run) => run.rssBytes)),
    }
  }
  return {
    service: summary('service'),
    floor: summary('floor'),
    stubCallsPerFirstInvocation: Object.fromEntries(
      [...stub.counts].map(([operation, count]) => [operation, count / runsPerVariant]),
    ),
    runsPerVariant,
  }
}
