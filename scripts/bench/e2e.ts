import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  type Projection,
} from '@aws-sdk/client-dynamodb'
import { LEDGER_INDEX } from '../../lib'
import type { LocalAws } from '../local/local-aws'
import { type ServerlessResources, stageSetting } from '../local/serverless-resources'
import { buildScript, projectRoot } from './bundles'
import { type CountingProxy, startCountingProxy } from './counting-proxy'
import type { ChildMessage, PhasePlan, PhaseReport } from './e2e-child'
import { type WriteUnits, writeUnitsOf } from './item-size'
import { type ProfileSummary, summariseProfileDirectory } from './profile'
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
  /** Write units DynamoDB Local reported per event: table, and the voucher-ledger GSI. */
  reportedWriteUnits: { table: number; indexes: number }
}

export interface MeasuredWriteUnits extends WriteUnits {
  samples: number
}

export interface EndToEndResult {
  phases: PhaseResult[]
  memory: { maxRssBytes: number; rssAfterLoadBytes: number; heapUsedBytes: number }
  /** Computed from the stored items' sizes, averaged over sampled events, per payload. */
  writeUnits: Record<PhasePlan['payload'], MeasuredWriteUnits>
  startSeconds: number
  /** Where the function's own CPU goes end to end (a separate, profiled run). */
  profile: ProfileSummary
  /** What serverless.yml declares, as `serverless print` gave it to the local provisioning. */
  template: {
    /** The voucher-ledger index's projection; undefined when the table has no such index. */
    ledgerIndexProjection: Projection | undefined
    /** serverless.yml's `custom.esbuild`. */
    esbuild: Record<string, unknown> | undefined
    lambda: ServerlessResources['lambda']
  }
}

interface Counters {
  calls: Record<string, number>
  capacity: { table: number; indexes: number }
}

function readCounters(dynamodb: CountingProxy, sns: CountingProxy): Counters {
  return { calls: { ...dynamodb.counts(), ...sns.counts() }, capacity: dynamodb.capacity() }
}

function phaseResult(plan: PhasePlan, report: PhaseReport, before: Counters, after: Counters) {
  const callsPerEvent: Record<string, number> = {}
  for (const [operation, count] of Object.entries(after.calls)) {
    const delta = count - (before.calls[operation] ?? 0)
    if (delta > 0) callsPerEvent[operation] = delta / report.count
  }
  const { latenciesMs } = report
  return {
    plan,
    report,
    latency: { ...summarise(latenciesMs), mean: mean(latenciesMs) },
    throughputPerSecond: report.count / (report.wallMs / 1_000),
    cpuMsPerEvent: report.cpuMs / report.count,
    callsPerEvent,
    totalCallsPerEvent: sum(Object.values(callsPerEvent)),
    reportedWriteUnits: {
      table: (after.capacity.table - before.capacity.table) / report.count,
      indexes: (after.capacity.indexes - before.capacity.indexes) / report.count,
    },
  }
}

function average(units: WriteUnits[]): MeasuredWriteUnits {
  const of = (pick: (unit: WriteUnits) => number) => mean(units.map(pick))
  return {
    samples: units.length,
    itemBytes: {
      claimed: of((unit) => unit.itemBytes.claimed),
      published: of((unit) => unit.itemBytes.published),
      duplicate: of((unit) => unit.itemBytes.duplicate),
    },
    payloadBytes: of((unit) => unit.payloadBytes),
    claim: of((unit) => unit.claim),
    markPublished: of((unit) => unit.markPublished),
    duplicate: of((unit) => unit.duplicate),
  }
}

export interface EndToEndOptions {
  /** The local stack, started (and stopped) by the caller; `startSeconds` is how long it took. */
  aws: LocalAws
  startSeconds: number
  workDir: string
  handlerBundle: string
  /** The same handler built with readable names, for the CPU profile. */
  readableBundle: string
  plans: PhasePlan[]
  /** New seed events replayed one at a time under `--cpu-prof`, after the measured run. */
  profiledEvents: number
  onProgress: (line: string) => void
}

interface ChildRun {
  phases: PhaseResult[]
  memory: EndToEndResult['memory']
}

/**
 * Runs the e2e child on `bundle` with the local stage's environment, reading the counting
 * proxies at every phase boundary the child reports.
 */
function runChild(options: {
  aws: LocalAws
  proxies: { dynamodb: CountingProxy; sns: CountingProxy }
  childScript: string
  bundle: string
  plans: PhasePlan[]
  nodeFlags: string[]
  onPhase: (result: PhaseResult) => void
}): Promise<ChildRun> {
  const { aws, proxies, plans } = options
  const phases: PhaseResult[] = []
  let memory: EndToEndResult['memory'] | undefined
  let before = readCounters(proxies.dynamodb, proxies.sns)
  const child = spawn(
    process.execPath,
    [...options.nodeFlags, options.childScript, options.bundle, JSON.stringify(plans)],
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
        AWS_ENDPOINT_URL_DYNAMODB: proxies.dynamodb.url,
        AWS_ENDPOINT_URL_SNS: proxies.sns.url,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    },
  )
  return new Promise<ChildRun>((resolve, reject) => {
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'phase-start') {
        before = readCounters(proxies.dynamodb, proxies.sns)
      } else if (message.type === 'phase-end') {
        const plan = plans.find((candidate) => candidate.name === message.report.name)
        if (plan) {
          const after = readCounters(proxies.dynamodb, proxies.sns)
          const result = phaseResult(plan, message.report, before, after)
          phases.push(result)
          options.onPhase(result)
        }
      } else {
        memory = message
      }
      child.send('ack')
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`end-to-end child exited with ${code}`))
      else if (!memory) reject(new Error('the end-to-end child reported no memory figures'))
      else resolve({ phases, memory })
    })
  })
}

/**
 * Against DynamoDB Local and fauxqs (provisioned from serverless.yml), puts a counting proxy in
 * front of each, runs the phases in a child process, profiles a short run, reads the stored
 * items back to size them, and stops its proxies, whatever happened.
 */
export async function measureEndToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const { aws, onProgress, startSeconds } = options
  const closers: Array<() => Promise<void>> = []
  try {
    const dynamodb = await startCountingProxy(aws.endpoints.dynamodb, { askForCapacity: true })
    closers.push(dynamodb.close)
    const sns = await startCountingProxy(aws.endpoints.fauxqs)
    closers.push(sns.close)
    const childScript = await buildScript(
      'scripts/bench/e2e-child.ts',
      join(options.workDir, 'e2e-child.js'),
    )
    const common = { aws, proxies: { dynamodb, sns }, childScript }
    // Lambda runs with serverless.yml's NODE_OPTIONS=--enable-source-maps.
    const measured = await runChild({
      ...common,
      bundle: options.handlerBundle,
      plans: options.plans,
      nodeFlags: ['--enable-source-maps'],
      onPhase: (result) =>
        onProgress(
          `  ${result.plan.name}: ${result.report.count} events, ` +
            `${result.throughputPerSecond.toFixed(0)}/s, p50 ${result.latency.median.toFixed(1)} ms, ` +
            `${result.totalCallsPerEvent.toFixed(2)} AWS calls/event`,
        ),
    })
    const writeUnits = await sizeStoredItems(aws, measured.phases)

    onProgress(`  profiling ${options.profiledEvents} new events at C=1 (node --cpu-prof)`)
    const profileDirectory = mkdtempSync(join(options.workDir, 'cpuprof-'))
    const profiled = await runChild({
      ...common,
      bundle: options.readableBundle,
      plans: [
        { name: 'warm-up', payload: 'seed', count: 30, concurrency: 1 },
        { name: 'profiled', payload: 'seed', count: options.profiledEvents, concurrency: 1 },
      ],
      nodeFlags: ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', profileDirectory],
      onPhase: () => undefined,
    })
    const window = profiled.phases.find((result) => result.plan.name === 'profiled')?.report
    if (!window) throw new Error('the profiled run reported no phase')
    const profile = summariseProfileDirectory(
      profileDirectory,
      'new seed events, C=1',
      { fromUs: window.startUs, toUs: window.endUs },
      options.readableBundle,
    )
    const ledgerIndex = aws.resources.table.GlobalSecondaryIndexes?.find(
      (index) => index.IndexName === LEDGER_INDEX.name,
    )
    return {
      phases: measured.phases,
      memory: measured.memory,
      writeUnits,
      startSeconds,
      profile,
      template: {
        ledgerIndexProjection: ledgerIndex?.Projection,
        esbuild: aws.resources.esbuild,
        lambda: aws.resources.lambda,
      },
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }
}

/** Reads back the items of sampled duplicate events (their final state) and sizes them. */
async function sizeStoredItems(
  aws: LocalAws,
  phases: PhaseResult[],
): Promise<Record<PhasePlan['payload'], MeasuredWriteUnits>> {
  const client = new DynamoDBClient({
    endpoint: aws.endpoints.dynamodb,
    region: aws.resources.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  try {
    const byPayload: Record<PhasePlan['payload'], WriteUnits[]> = { seed: [], large: [] }
    for (const phase of phases.filter((candidate) => candidate.plan.replayOf)) {
      for (const key of phase.report.sampleKeys) {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName: aws.resources.tableName,
            Key: { transaction_id: { S: key.transaction_id }, event_type: { S: key.event_type } },
          }),
        )
        if (Item)
          byPayload[phase.plan.payload].push(writeUnitsOf(Item as Record<string, AttributeValue>))
      }
    }
    return { seed: average(byPayload.seed), large: average(byPayload.large) }
  } finally {
    client.destroy()
  }
}
