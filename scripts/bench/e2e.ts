import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { LocalAws } from '../local/local-aws'
import { stageSetting } from '../local/serverless-resources'
import { buildScript, projectRoot } from './bundles'
import {
  type CountingProxy,
  countsSince,
  startCountingProxy,
  unitsBilledAs,
} from './counting-proxy'
import type { ChildMessage, PhasePlan, PhaseReport } from './e2e-child'
import { mean, type Summary, sum, summarise } from './stats'

export interface PhaseResult {
  plan: PhasePlan
  report: PhaseReport
  latency: Summary & { mean: number }
  throughputPerSecond: number
  cpuMsPerEvent: number
  /** AWS requests per event in this phase, by operation, counted on the wire. */
  callsPerEvent: Record<string, number>
  totalCallsPerEvent: number
  /** Write units DynamoDB Local reported per event, the table's and its indexes'. */
  writeUnitsPerEvent: number
  /** Read units DynamoDB Local reported per event (the erasure check). */
  readUnitsPerEvent: number
  /** Units DynamoDB Local reported per event, by operation. */
  unitsPerEvent: Record<string, number>
}

export interface EndToEndResult {
  phases: PhaseResult[]
  /** The child's peak RSS at the end, and right after it loaded the bundle. */
  memory: { maxRssBytes: number; rssAfterLoadBytes: number }
}

interface Counters {
  calls: Record<string, number>
  capacity: Record<string, number>
}

function readCounters(dynamodb: CountingProxy, sns: CountingProxy): Counters {
  return { calls: { ...dynamodb.counts(), ...sns.counts() }, capacity: dynamodb.capacity() }
}

function phaseResult(plan: PhasePlan, report: PhaseReport, before: Counters, after: Counters) {
  const perEvent = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, n / report.count]))
  const callsPerEvent = perEvent(countsSince(after.calls, before.calls))
  const unitsPerEvent = perEvent(countsSince(after.capacity, before.capacity))
  const { latenciesMs } = report
  return {
    plan,
    report,
    latency: { ...summarise(latenciesMs), mean: mean(latenciesMs) },
    throughputPerSecond: report.count / (report.wallMs / 1_000),
    cpuMsPerEvent: report.cpuMs / report.count,
    callsPerEvent,
    totalCallsPerEvent: sum(Object.values(callsPerEvent)),
    writeUnitsPerEvent: unitsBilledAs('write', unitsPerEvent),
    readUnitsPerEvent: unitsBilledAs('read', unitsPerEvent),
    unitsPerEvent,
  }
}

export interface EndToEndOptions {
  /** The local stack, started (and stopped) by the caller. */
  aws: LocalAws
  workDir: string
  handlerBundle: string
  plans: PhasePlan[]
  onProgress: (line: string) => void
}

/**
 * Against DynamoDB Local and fauxqs (provisioned from serverless.yml), puts a counting proxy in
 * front of each and runs the phases in a child process with the local stage's environment,
 * reading the proxies at every phase boundary the child reports; stops its proxies, whatever
 * happened.
 */
export async function measureEndToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const { aws, plans } = options
  const dynamodb = await startCountingProxy(aws.endpoints.dynamodb, { askForCapacity: true })
  const sns = await startCountingProxy(aws.endpoints.fauxqs)
  try {
    const childScript = await buildScript(
      'scripts/bench/e2e-child.ts',
      join(options.workDir, 'e2e-child.js'),
    )
    const child = spawn(
      process.execPath,
      // Lambda runs with serverless.yml's NODE_OPTIONS=--enable-source-maps.
      ['--enable-source-maps', childScript, options.handlerBundle, JSON.stringify(plans)],
      {
        cwd: projectRoot,
        // Its stdout is the function's EMF metric lines: work measured, not output to show.
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: {
          PATH: process.env.PATH,
          TABLE_NAME: stageSetting(aws.resources, 'TABLE_NAME'),
          TOPIC_ARN_PREFIX: stageSetting(aws.resources, 'TOPIC_ARN_PREFIX'),
          VOUCHERIFY_WEBHOOK_SECRET: stageSetting(aws.resources, 'VOUCHERIFY_WEBHOOK_SECRET'),
          CLAIM_LEASE_SECONDS: stageSetting(aws.resources, 'CLAIM_LEASE_SECONDS'),
          AWS_REGION: aws.resources.region,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
          AWS_ENDPOINT_URL_SNS: sns.url,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
      },
    )
    const phases: PhaseResult[] = []
    let before = readCounters(dynamodb, sns)
    return await new Promise<EndToEndResult>((resolve, reject) => {
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'phase-start') {
          before = readCounters(dynamodb, sns)
        } else if (message.type === 'phase-end') {
          const plan = plans.find((candidate) => candidate.name === message.report.name)
          if (plan) {
            const result = phaseResult(plan, message.report, before, readCounters(dynamodb, sns))
            phases.push(result)
            options.onProgress(
              `  ${plan.name}: ${result.report.count} events, ` +
                `${result.throughputPerSecond.toFixed(0)}/s, p50 ${result.latency.median.toFixed(1)} ms, ` +
                `${result.totalCallsPerEvent.toFixed(2)} AWS calls/event`,
            )
          }
        } else {
          const { type: _, ...memory } = message
          resolve({ phases, memory })
        }
        child.send('ack')
      })
      child.once('error', reject)
      child.once('exit', (code) => {
        reject(new Error(`end-to-end child exited with ${code} before it reported its memory`))
      })
    })
  } finally {
    await dynamodb.close()
    await sns.close()
  }
}
