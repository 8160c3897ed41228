import type { Projection } from '@aws-sdk/client-dynamodb'
import { ATTESTATION_SETTLE_MS, LEDGER_INDEX, MAX_BODY_BYTES, supportedEventTypes } from '../../lib'
import { SERVERLESS_ESBUILD_OPTIONS } from './bundles'
import { renderChart } from './chart'
import type { ColdStartResult, ColdStartVariant } from './cold-start'
import {
  COLD_START_SHARE_OF_TIMEOUT,
  costPerMillion,
  type EventCost,
  FULL_VCPU_MB,
  forgedCostPerMillion,
  type MeasuredInvocation,
  memoryOptions,
  PRICES,
  PRICES_AS_OF,
  PRICES_REGION,
  RSS_HEADROOM,
  sweepCost,
} from './cost'
import { unitsBilledAs } from './counting-proxy'
import type { EndToEndResult, PhaseResult } from './e2e'
import type { ForgedResult, LocalFloodResult } from './forged'
import { type Machine, machineLine } from './machine'
import type { PipelineResult } from './pipeline'
import type { ProfileSummary } from './profile'
import { fixed, kib, mean, mib } from './stats'
import {
  FULL_RUN_LATER_MS,
  SPACING_MS,
  type SweepResult,
  type SweepRun,
  UNPACED_REQUESTS_PER_MINUTE,
} from './sweep'

/** The calls a new (transaction, event type) naming a customer makes, in the order it makes them. */
const CALLS_PER_NEW_EVENT = [
  'claim',
  'erasure check',
  'chain step',
  'payload',
  'publish',
  'mark published',
]

/** The targets of the performance issue (12) and of the data-lifecycle issue (21). */
export const TARGETS = {
  /** Against the Valibot floor: bytes, one HMAC, JSON.parse, envelope and event schemas. */
  pipelineRatio: 2.0,
  bundleSizeRatio: 1.15,
  initRatio: 1.2,
  callsPerNewEvent: 5,
  callsPerDuplicate: 1,
  /** Write units per event as DynamoDB Local reports them, by payload. */
  writeUnitsPerNewEvent: { seed: 6, large: 20 } as Record<Payload, number>,
  writeUnitsPerDuplicate: 1,
}

/** What serverless.yml declares, as `serverless print` gave it to the local provisioning. */
export interface Template {
  lambda: { memorySize: number; timeout: number; architecture: string }
  esbuild: Record<string, unknown> | undefined
  ledgerIndexProjection: Projection | undefined
}

export interface BenchResults {
  machine: Machine
  startedAt: string
  runSeconds: number
  quick: boolean
  pipeline: PipelineResult[]
  /** Fresh processes each case was measured in; `pipeline` holds the one of median ratio. */
  pipelineProcesses: number
  /** The CPU profile of the case furthest from its floor. */
  profile: ProfileSummary
  coldStart: ColdStartResult
  stackStartSeconds: number
  e2e: EndToEndResult
  sweep: SweepResult
  forged: ForgedResult[]
  localFlood: LocalFloodResult
  template: Template
}

type Payload = 'seed' | 'large'
const PAYLOADS: Payload[] = ['seed', 'large']

/** The figures the summary, the report and the chart all read, derived once. */
export function derive(results: BenchResults) {
  const { coldStart, e2e, pipeline, template } = results
  const memoryMb = template.lambda.memorySize
  const phase = (payload: Payload, duplicate: boolean, concurrency = 1) =>
    e2e.phases.find(
      ({ plan }) =>
        plan.payload === payload &&
        Boolean(plan.replayOf) === duplicate &&
        plan.concurrency === concurrency,
    ) as PhaseResult
  const invocation = (candidate: PhaseResult): MeasuredInvocation => ({
    meanMs: candidate.latency.mean,
    cpuMs: candidate.cpuMsPerEvent,
  })
  const costs = (payload: Payload) => {
    const cases = pipeline.filter((result) => result.name.startsWith(payload))
    const usage = {
      bodyBytes: mean(cases.map((result) => result.bodyBytes)),
      messageBytes: mean(cases.map((result) => result.messageBytes)),
    }
    const cost = (duplicate: boolean) => {
      const measured = phase(payload, duplicate)
      const { writeUnitsPerEvent: writeUnits, readUnitsPerEvent: readUnits } = measured
      const published = !duplicate
      return costPerMillion(
        { ...usage, invocation: invocation(measured), writeUnits, readUnits, published },
        memoryMb,
      )
    }
    return { newEvent: cost(false), duplicate: cost(true) }
  }
  const lambdaLikePeakRss = Math.max(
    ...e2e.phases
      .filter(({ plan }) => plan.concurrency === 1)
      .map(({ report }) => report.maxRssBytes),
  )
  const { service, floor } = coldStart
  /** One figure of the cold start, the service against the floor: for the table and the chart. */
  const versusFloor = (
    label: string,
    unit: (value: number) => string,
    pick: (variant: ColdStartVariant) => number,
    target: number,
  ) => ({
    label,
    service: unit(pick(service)),
    floor: unit(pick(floor)),
    ratio: pick(service) / pick(floor),
    target,
  })
  return {
    memoryMb,
    coldStartRatios: [
      versusFloor('bundle size, minified', kib, (v) => v.size.jsBytes, TARGETS.bundleSizeRatio),
      versusFloor('bundle size, gzipped', kib, (v) => v.size.gzipBytes, TARGETS.bundleSizeRatio),
      versusFloor('module initialisation (median)', ms, (v) => v.initMs, TARGETS.initRatio),
    ],
    phase,
    maxConcurrency: Math.max(...e2e.phases.map(({ plan }) => plan.concurrency)),
    costs: { seed: costs('seed'), large: costs('large') },
    lambdaLikePeakRss,
    memory: memoryOptions({
      timeoutSeconds: template.lambda.timeout,
      newEvent: invocation(phase('seed', false)),
      duplicate: invocation(phase('seed', true)),
      coldStartCpuMs: service.initMs + service.firstInvokeMs,
      peakRssBytes: lambdaLikePeakRss,
    }),
  }
}

type Derived = ReturnType<typeof derive>

const ratio = (value: number) => `${fixed(value, 2)}×`
const verdict = (value: number, target: number) => (value <= target ? 'met' : '**missed**')
const usd = (value: number) => `$${value.toFixed(2)}`
const thousands = (value: number) => Math.round(value).toLocaleString('en-US')
const ms = (value: number) => `${fixed(value)} ms`
const us = (value: number) => `${fixed(value)} µs`

/** A Markdown table; `header` is its columns joined by ' | '. */
function table(header: string, rows: Array<Array<string | number>>): string {
  const columns = header.split(' | ')
  // Short rows get empty cells, so every row has the header's columns.
  const line = (cells: Array<string | number>) =>
    `| ${columns.map((_, i) => cells[i] ?? '').join(' | ')} |`
  return [line(columns), `|${columns.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}

const callsText = (calls: Record<string, number>, times = 1, digits = 2) =>
  Object.entries(calls)
    .map(([operation, count]) => `${fixed(count * times, digits)} ${operation}`)
    .join(' + ')

/** The targets table, for stdout and for the report. */
export function summaryText(results: BenchResults, derived: Derived): string {
  const ratioRow = (label: string, ours: string, least: string, value: number, limit: number) => [
    label,
    ours,
    least,
    ratio(value),
    `≤ ${limit}×`,
    verdict(value, limit),
  ]
  const rows = [
    ...results.pipeline.map((result) => [
      ...ratioRow(
        `pipeline CPU per event, ${result.name}`,
        us(result.service.median),
        us(result.floor.median),
        result.ratio,
        TARGETS.pipelineRatio,
      ),
      `${us(result.hmacJsonFloor.median)}, ${ratio(result.hmacJsonRatio)}`,
    ]),
    ...derived.coldStartRatios.map((figure) =>
      ratioRow(figure.label, figure.service, figure.floor, figure.ratio, figure.target),
    ),
  ]
  const newTarget = `${TARGETS.callsPerNewEvent} (made: ${CALLS_PER_NEW_EVENT.join(', ')})`
  for (const payload of PAYLOADS) {
    const measured = (duplicate: boolean) =>
      derived.phase(payload, duplicate, derived.maxConcurrency)
    const row = (what: string, value: number, target: number, targetText = String(target)) => [
      `${what} (${payload})`,
      fixed(value, 2),
      '',
      '',
      targetText,
      verdict(value, target),
    ]
    rows.push(
      row(
        'AWS calls per new event',
        measured(false).totalCallsPerEvent,
        TARGETS.callsPerNewEvent,
        newTarget,
      ),
      row('AWS calls per duplicate', measured(true).totalCallsPerEvent, TARGETS.callsPerDuplicate),
      row(
        'write units per new event',
        measured(false).writeUnitsPerEvent,
        TARGETS.writeUnitsPerNewEvent[payload],
      ),
      row(
        'write units per duplicate',
        measured(true).writeUnitsPerEvent,
        TARGETS.writeUnitsPerDuplicate,
      ),
    )
  }
  return table(
    'measure | service | floor | ratio | target |  | old floor (HMAC + JSON.parse), ratio to it',
    rows,
  )
}

/** Whether serverless.yml's `custom.esbuild` says the same (`exclude` is esbuild's `external`). */
function esbuildCheck(printed: Record<string, unknown> | undefined): string {
  const { exclude, ...rest } = printed ?? {}
  const expected: Record<string, unknown> = { ...rest, external: exclude ?? [] }
  const differing = Object.entries(SERVERLESS_ESBUILD_OPTIONS)
    .filter(([name, value]) => JSON.stringify(expected[name]) !== JSON.stringify(value))
    .map(([name]) => name)
  return differing.length === 0
    ? "They are serverless.yml's `custom.esbuild`, as `serverless print` reads it."
    : `**They differ from serverless.yml's \`custom.esbuild\` in: ${differing.join(', ')}.**`
}

/** What the template says the voucher-ledger index holds, and so what each write copies to it. */
function indexNote(projection: Projection | undefined): string {
  if (!projection) return `serverless.yml declares no \`${LEDGER_INDEX.name}\` index.`
  const copies =
    projection.ProjectionType === 'ALL' ? 'every attribute, payload included' : 'not the payload'
  return `The \`${LEDGER_INDEX.name}\` index projects ${projection.ProjectionType} (serverless.yml): ${copies}.`
}

function pipelineSection({ pipeline, pipelineProcesses, profile }: BenchResults): string[] {
  const profileRows = (rows: ProfileSummary['places']) =>
    rows.map((row) => [`\`${row.frame}\``, `${fixed(row.selfPercent)} %`])
  return [
    '## 1. Per-event CPU of the pipeline (no I/O)',
    '',
    '`receiveWebhook` from the API Gateway event (`Buffer.from(body)` as handlers/webhook.ts does) on an esbuild bundle of lib/ in a fresh `node`, with no-op store, ledger and publisher.',
    'The **floor** (issue 12) is the least a receiver validating with Valibot must do: the bytes (base64-decoded if so sent), one HMAC-SHA256, one `JSON.parse`, `v.safeParse` of `WebhookEnvelopeSchema` and of `eventSchemas[eventType]`; the **old floor** stops before the schemas.',
    `Each call timed with \`process.hrtime.bigint()\` after a warm-up, in rotating batches of about 2 ms, in ${pipelineProcesses} fresh process${pipelineProcesses === 1 ? '' : 'es'}; the table shows, for each payload, the process with the median ratio.`,
    '',
    table(
      'payload | body | message | iterations | service median / p99 µs | floor median / p99 µs | ratio | old floor median / p99 µs | ratio to the old floor',
      pipeline.map((result) => [
        result.name,
        kib(result.bodyBytes),
        kib(result.messageBytes),
        result.iterations,
        `${fixed(result.service.median)} / ${fixed(result.service.p99)}`,
        `${fixed(result.floor.median)} / ${fixed(result.floor.p99)}`,
        ratio(result.ratio),
        `${fixed(result.hmacJsonFloor.median)} / ${fixed(result.hmacJsonFloor.p99)}`,
        ratio(result.hmacJsonRatio),
      ]),
    ),
    '',
    `**Where the time goes** in the case furthest from its floor, ${profile.caseName}: \`node --cpu-prof\` (100 µs sampling), ${fixed(profile.sampledMs, 0)} ms sampled, self time. V8 counts built-ins and inlined functions in their caller (JSON.parse in \`parseJsonObject\`, JSON.stringify in \`buildMessage\`).`,
    '',
    table('function (module) | self time', profileRows(profile.functions)),
    '',
    table('module | self time', profileRows(profile.places)),
  ]
}

function coldStartSection({ coldStart, template }: BenchResults): string[] {
  const settings = Object.entries(SERVERLESS_ESBUILD_OPTIONS)
    .map(([name, value]) => `${name} ${Array.isArray(value) ? `[${value.join(', ')}]` : value}`)
    .join(', ')
  const variants = { service: coldStart.service, floor: coldStart.floor }
  return [
    '## 2. Cold start',
    '',
    `Bundles built with esbuild's API: ${settings}. ${esbuildCheck(template.esbuild)}`,
    'The **floor** (scripts/bench/floor-handler.ts) imports the same SDK clients and Valibot, builds the clients as lib/deps.ts does, and returns.',
    `Each cold start is a fresh \`node --enable-source-maps\` (as serverless.yml's NODE_OPTIONS) that requires the bundle and invokes it once, every AWS endpoint pointed at a stub answering at once: ${callsText(coldStart.stubCallsPerFirstInvocation)} per first invocation of the service. ${coldStart.runsPerVariant} runs each, alternating.`,
    '',
    table(
      'variant | minified | gzipped | source map | module init (IQR) | first invocation | RSS after',
      Object.entries(variants).map(([name, result]) => [
        name,
        kib(result.size.jsBytes),
        kib(result.size.gzipBytes),
        kib(result.size.mapBytes),
        `${ms(result.initMs)} (${fixed(result.initIqrMs[0])}–${fixed(result.initIqrMs[1])})`,
        ms(result.firstInvokeMs),
        mib(result.rssBytes),
      ]),
    ),
  ]
}

function endToEndSection(results: BenchResults): string[] {
  return [
    '## 3. End to end against the local stack',
    '',
    `DynamoDB Local and fauxqs, provisioned from serverless.yml by \`startLocalAws\` (up in ${fixed(results.stackStartSeconds)} s). A fresh \`node --enable-source-maps\` loads the service bundle of section 2 with the local stage's environment and invokes \`handler\`: unique events cycling through the ${supportedEventTypes.length} event types and every transaction type, then the same again as duplicates.`,
    `A counting proxy in front of each emulator counts requests by \`X-Amz-Target\` / \`Action\` and asks DynamoDB Local for \`ReturnConsumedCapacity\` (table and indexes), doubling a transaction's units as AWS bills them (DynamoDB Local reports them at the single rate). C = 1 is one Lambda container. The emulators share the ${results.machine.cores} cores, so latencies show the code's behaviour, not AWS's.`,
    '',
    table(
      'phase | events | C | events/s | p50 ms | p99 ms | CPU ms/event | AWS calls per event | write units per event | DynamoDB units per event by call (reads: GetItem) | answers',
      results.e2e.phases.map(({ plan, report, ...result }) => [
        plan.name,
        report.count,
        plan.concurrency,
        fixed(result.throughputPerSecond, 0),
        fixed(result.latency.median),
        fixed(result.latency.p99),
        fixed(result.cpuMsPerEvent, 2),
        callsText(result.callsPerEvent),
        fixed(result.writeUnitsPerEvent, 2),
        callsText(result.unitsPerEvent),
        Object.entries(report.statuses)
          .map(([status, count]) => `${count} × ${status}`)
          .join(', '),
      ]),
    ),
  ]
}

function memorySection(results: BenchResults, derived: Derived): string[] {
  const { lambda } = results.template
  const timeoutSeconds = lambda.timeout
  return [
    '## 4. Memory',
    '',
    table('peak RSS (`process.resourceUsage().maxRSS`) | ', [
      [
        `whole end-to-end run (C = ${derived.maxConcurrency}, every phase's events held)`,
        mib(results.e2e.memory.maxRssBytes),
      ],
      ['after the C = 1 phases (Lambda-like)', mib(derived.lambdaLikePeakRss)],
      ['right after loading the bundle', mib(results.e2e.memory.rssAfterLoadBytes)],
    ]),
    '',
    `Lambda gives a full vCPU at ${FULL_VCPU_MB} MB and a proportional share below: the measured CPU time is stretched by that share, the waiting kept; cold start = module init + first invocation, stretched likewise.`,
    '',
    table(
      `memory | new event | duplicate | cold start | Lambda compute per million new events | ≥ ${RSS_HEADROOM}× peak RSS | cold start ≤ ${fixed(timeoutSeconds * COLD_START_SHARE_OF_TIMEOUT)} s`,
      derived.memory.rows.map((row) => [
        `${row.memoryMb} MB${row.memoryMb === derived.memoryMb ? ' (configured)' : ''}`,
        ms(row.newEventMs),
        ms(row.duplicateMs),
        `${fixed(row.coldStartMs, 0)} ms`,
        usd(row.computePerMillion),
        row.fitsMemory ? 'yes' : 'no',
        row.fitsColdStart ? 'yes' : 'no',
      ]),
    ),
    '',
    `**Recommendation: ${derived.memory.recommendedMb} MB**, the smallest size meeting both limits (below ${FULL_VCPU_MB} MB smaller is always cheaper): memory for a ${kib(MAX_BODY_BYTES)} body and its copies, and a cold start within a fifth of the timeout. serverless.yml configures ${derived.memoryMb} MB, a ${timeoutSeconds} s timeout and ${lambda.architecture}.`,
  ]
}

function costSection(results: BenchResults, derived: Derived): string[] {
  const { lambda, ledgerIndexProjection } = results.template
  const costRow = (label: string, cost: EventCost) => [
    label,
    `${cost.billedMs} ms`,
    `${fixed(cost.readUnits, 1)} / ${fixed(cost.writeUnits, 1)}`,
    cost.publishes,
    ...[cost.lambdaCompute, cost.lambdaRequests, cost.dynamodb, cost.sns, cost.httpApi].map(usd),
    `**${usd(cost.total)}**`,
  ]
  const coldStart = derived.memory.rows.find((row) => row.memoryMb === derived.memoryMb)
  const share = derived.costs.seed.newEvent.dynamodb / derived.costs.seed.newEvent.total
  return [
    '## 5. Cost per million webhooks',
    '',
    `Region ${PRICES_REGION}, arm64 prices${lambda.architecture === 'arm64' ? '' : ` (**serverless.yml says ${lambda.architecture}**)`}, ${derived.memoryMb} MB. Prices (${PRICES_AS_OF}) live at the top of scripts/bench/cost.ts.`,
    '',
    table(
      'price | USD per million | unit | checked',
      Object.values(PRICES).map((price) => [
        `[${price.name}](${price.source})`,
        fixed(price.usd * 1e6, 4),
        price.unit,
        price.verified,
      ]),
    ),
    '',
    `**Billed duration**: the mean C = 1 invocation of section 3 at ${derived.memoryMb} MB as section 4 models it, rounded up to the ms. **Read and write units**: as section 3 measured them (table and indexes, a transaction's doubled) in its C = 1 phases (every write bills the whole item; the payload is written once, gzipped, in an item of its own; the read is the erasure check). ${indexNote(ledgerIndexProjection)} SNS bills each started 64 KB of a message, the HTTP API each started 512 KB.`,
    '',
    table(
      'per million | billed | RRU / WRU | SNS publishes | Lambda compute | Lambda requests | DynamoDB | SNS | HTTP API | total',
      PAYLOADS.flatMap((payload) => {
        const name = payload === 'seed' ? 'seed payload' : 'large redemption'
        return [
          costRow(`${name}, new event`, derived.costs[payload].newEvent),
          costRow(`${name}, duplicate`, derived.costs[payload].duplicate),
        ]
      }),
    ),
    '',
    `DynamoDB is ${fixed(100 * share, 0)} % of a new seed event's total. Not included: CloudWatch Logs, SNS's KMS calls, deliveries, storage and backups, data transfer, free tiers, and cold starts (about ${fixed(coldStart?.coldStartMs ?? 0, 0)} ms at ${derived.memoryMb} MB, section 4).`,
  ]
}

/** A sweep's read and write units as DynamoDB Local reported them, and its SNS publishes. */
function usageOf(run: SweepRun) {
  return {
    readUnits: unitsBilledAs('read', run.units),
    writeUnits: unitsBilledAs('write', run.units),
    publishes: run.calls.Publish ?? 0,
  }
}

export interface SweepSectionInput {
  sweep: SweepResult
  /** The function's memory, for Lambda's part of the dollars. */
  memoryMb: number
  /** Section 3's new seed events at C = 1 and section 5's cost of a million; absent when the sweep ran alone. */
  webhook?: { phase: PhaseResult; costPerMillion: number }
}

export function sweepSection({ sweep, memoryMb, webhook }: SweepSectionInput): string[] {
  const { defaults, onboarding, incremental, full } = sweep
  const perRequestS = 60 / defaults.requestsPerMinute
  /** The pacer spaces requests 60 / budget seconds apart; the first goes at once. */
  const pacedS = (requests: number) => Math.max(0, requests - 1) * perRequestS
  const dollars = (run: SweepRun, seconds = run.seconds) =>
    sweepCost({ ...usageOf(run), seconds }, memoryMb).total
  const usd7 = (value: number) => `$${value.toFixed(7)}`
  const graceOverlap = defaults.graceMinutes + defaults.overlapMinutes
  /** A run's figures per 1,000 of `per` (taken in, or listed). */
  const perThousandRow = (label: string, run: SweepRun, per: number) => {
    if (per === 0) return [label, '–']
    const scale = 1_000 / per
    const usage = usageOf(run)
    return [
      label,
      thousands(run.apiRequests * scale),
      fixed(run.seconds * scale),
      fixed(pacedS(run.apiRequests) * scale, 0),
      callsText(run.calls, scale, 0),
      `${thousands(usage.readUnits * scale)} / ${thousands(usage.writeUnits * scale)}`,
      usd7(dollars(run) * scale),
    ]
  }
  const runs = [
    { name: 'onboarding', run: onboarding.run, transactions: onboarding.transactions },
    { name: 'incremental', run: incremental.run, transactions: incremental.transactions },
    { name: 'full walks due', run: full.run, transactions: incremental.transactions },
  ]
  const runRow = (label: string, pick: (run: SweepRun, transactions: number) => string) => [
    label,
    ...runs.map(({ run, transactions }) => pick(run, transactions)),
  ]
  const webhookRow = webhook
    ? [
        [
          'webhooks, one invocation each (section 3, seed, new, C = 1)',
          '0',
          fixed(webhook.phase.latency.mean),
          '',
          callsText(webhook.phase.callsPerEvent, 1_000, 0),
          `${thousands(webhook.phase.readUnitsPerEvent * 1_000)} / ${thousands(webhook.phase.writeUnitsPerEvent * 1_000)}`,
          usd7(webhook.costPerMillion / 1_000),
        ],
      ]
    : []
  const onboardingScaled = onboarding.run.totals.takenIn !== 1_000
  const newShare = (100 * incremental.newTransactions) / incremental.transactions
  return [
    '## 6. The sweep',
    '',
    `\`sweepCampaigns\` with the dependencies lib/sweep-deps.ts builds for the sweep function and \`npm run sweep\` (the DynamoDB sweep and attestation stores, the receiver's own pipeline, \`voucherifySweepApi\`), against DynamoDB Local and fauxqs behind the counting proxies and the Voucherify stand-in answering in this process (\`standInFetch\`, scripts/local/voucherify-stand-in.ts: listings sorted by id only, pages of ${sweep.pageSize}). Settings are lib/sweep/sweep-config.ts's defaults: grace ${defaults.graceMinutes} min, overlap ${defaults.overlapMinutes} min, a full walk every ${defaults.fullWalkDays} days, parked after ${defaults.parkAfterAttempts} failed attempts, ${defaults.requestsPerMinute} requests a minute. The runs use a budget of ${thousands(UNPACED_REQUESTS_PER_MINUTE)} a minute, which never paces, so seconds measure the work; the default budget makes N requests take at least (N − 1) × ${fixed(perRequestS, 0)} s. A campaign's transactions are card histories of scripts/card-history.ts (ten a card), interleaved, one every ${fixed(SPACING_MS / 1_000, 0)} s, their ids in the order they were created. DynamoDB units as DynamoDB Local reported them (it bills nothing for a key it does not find); dollars at section 5's prices, Lambda at ${memoryMb} MB billed for the wall seconds.`,
    '',
    `**Onboarding**: one gift campaign of ${thousands(onboarding.transactions)} transactions on ${thousands(onboarding.cards)} cards, never swept, none in the ledger. Its first walk starts at the listing's start and takes every transaction older than the grace in; reaching the end, it counts as the campaign's full walk.${onboardingScaled ? ` The figures per 1,000 below are this run's, scaled from ${thousands(onboarding.run.totals.takenIn)} taken in.` : ''}`,
    '',
    `**Incremental**: ${incremental.campaigns} gift campaigns of ${thousands(incremental.cards / incremental.campaigns)} cards each, ${thousands(incremental.transactions)} transactions in all, swept before: the previous run began ${incremental.intervalMinutes} min earlier (serverless.yml's default \`sweepIntervalMinutes\`). The setup, not measured, wrote to DynamoDB Local directly, with the keys and statuses of lib/aws/transactions-table.ts, not through the pipeline: for each of the ${thousands(incremental.prefill.transactionItems)} transactions created before the previous run's grace, the published item the pipeline leaves (the record \`readPayload\` and \`toTransactionRecord\` make of its payload); each card's ledger head at its newest of them (${thousands(incremental.prefill.heads)}), written long before; no ledger step items, which the sweep does not read; and each campaign's state as the previous run left it: the covered cursor at its last transaction at least grace + overlap (${graceOverlap} min) older than that run's start, its full walk completed then (not due). That took ${fixed(incremental.prefill.seconds, 0)} s. The run lists each campaign from its cursor to the end: the ${thousands(incremental.heldBack)} transactions the cursor held back (in the ledger: found again), the ${thousands(incremental.newTransactions)} created since the previous run's grace (${fixed(newShare, 2)} % of all; none in the ledger, as if their webhooks were lost: taken in), and the ${thousands(incremental.withinGrace)} within this run's grace (too recent: left to their webhooks and the next run).`,
    '',
    `**Full walks due**: the same ${incremental.campaigns} campaigns, in a run ${fixed(FULL_RUN_LATER_MS / 60_000, 0)} min later by the sweep's clock whose full walks are due (every ${defaults.fullWalkDays} days, or \`npm run sweep -- --full\`): every campaign's incremental walk first, then each one's full walk from the listing's start. What it takes in became older than the grace in those minutes; \`missed by incremental\` counts what a full walk took in at or before the incremental cursor. A run that reaches its time budget stops, and the next carries the full walks on from where they stood.`,
    '',
    `A card is attested once a run, by the first walk that compares it; the ${fixed(ATTESTATION_SETTLE_MS / 1_000, 0)} s settle window (lib/sweep/attest-cards.ts) leaves alone only a head behind Voucherify's newest listed transaction of the card.`,
    '',
    table(
      'per 1,000 transactions | API requests | seconds (wall) | s at the default budget, at least | AWS calls by kind | DynamoDB read / write units | USD (wall seconds; webhooks: section 5)',
      [
        perThousandRow(
          'onboarding, per 1,000 taken in',
          onboarding.run,
          onboarding.run.totals.takenIn,
        ),
        perThousandRow(
          'incremental, per 1,000 taken in',
          incremental.run,
          incremental.run.totals.takenIn,
        ),
        perThousandRow('full walks due, per 1,000 listed', full.run, full.run.totals.listed),
        ...webhookRow,
      ],
    ),
    '',
    table(`run | ${runs.map(({ name }) => name).join(' | ')}`, [
      runRow(
        'campaigns swept / transactions at the stand-in',
        (run, transactions) => `${run.totals.campaigns} / ${thousands(transactions)}`,
      ),
      runRow('listed / found / taken in / too recent', ({ totals }) =>
        [totals.listed, totals.found, totals.takenIn, totals.tooRecent].map(thousands).join(' / '),
      ),
      runRow('failed / parked / missed by incremental', ({ totals }) =>
        [totals.failed, totals.parked, totals.missedByIncremental].map(thousands).join(' / '),
      ),
      runRow(
        'cards attested / unattested',
        ({ totals }) => `${thousands(totals.attested)} / ${thousands(totals.unattested)}`,
      ),
      runRow(
        'Voucherify API requests (pages)',
        (run) => `${thousands(run.apiRequests)} (${thousands(run.pages)})`,
      ),
      runRow('AWS calls by kind', (run) => callsText(run.calls, 1, 0)),
      runRow('DynamoDB read / write units', (run) => {
        const usage = usageOf(run)
        return `${thousands(usage.readUnits)} / ${thousands(usage.writeUnits)}`
      }),
      runRow(
        'seconds (wall), of which waiting for the stand-in',
        (run) => `${fixed(run.seconds)} s, ${fixed(run.apiSeconds)} s`,
      ),
      runRow(
        `at the default ${defaults.requestsPerMinute} requests a minute, at least`,
        (run) => `${fixed(pacedS(run.apiRequests), 0)} s`,
      ),
      runRow(
        'USD, wall seconds / at the default budget',
        (run) =>
          `${usd7(dollars(run))} / ${usd7(dollars(run, Math.max(run.seconds, pacedS(run.apiRequests))))}`,
      ),
    ]),
  ]
}

/** Section 7: a forged request against its floor and its price; the local stack under a flood. */
function forgedSection({ forged, localFlood, template }: BenchResults): string[] {
  return [
    '## 7. Forged requests',
    '',
    ...forgedRequestLines(forged, template.lambda.memorySize),
    '',
    ...localFloodLines(localFlood),
  ]
}

/** A forged request through the handler against the HMAC floor, and what a million cost. */
export function forgedRequestLines(forged: ForgedResult[], memoryMb: number): string[] {
  const costs = forged.map((result) => ({
    result,
    cost: forgedCostPerMillion(
      { handlerUs: result.handler.median, logBytes: result.logBytes },
      memoryMb,
    ),
  }))
  return [
    "A request with a wrong signature (well-formed, made with another key), through the handler bundle of section 2 with its logger and metrics (their output discarded) in a fresh `node`, timed interleaved with `receiveWebhook` alone (lib/, no-op store and publisher) and the **HMAC floor**, the least any receiver must do to refuse it: the bytes, one HMAC-SHA256, one `timingSafeEqual`. The handler checks the source IP (when an allow-list is set) and the signature before any parsing, decoding or AWS call; the ratio is the handler over the floor, and what the handler adds to `receiveWebhook` is the event's lifting, its log line and its metrics.",
    '',
    table(
      'payload | body | iterations | handler median / p99 µs | receiveWebhook alone median / p99 µs | HMAC floor median / p99 µs | ratio | receiveWebhook to the floor | bytes logged per request',
      forged.map((result) => [
        result.name,
        kib(result.bodyBytes),
        result.handler.n,
        `${fixed(result.handler.median)} / ${fixed(result.handler.p99)}`,
        `${fixed(result.receive.median)} / ${fixed(result.receive.p99)}`,
        `${fixed(result.floor.median)} / ${fixed(result.floor.p99)}`,
        ratio(result.ratio),
        ratio(result.receive.median / result.floor.median),
        thousands(result.logBytes),
      ]),
    ),
    '',
    `**Per million forged requests**, at ${memoryMb} MB and the prices of section 5: one that reaches the function pays the HTTP API, the Lambda request, the handler's median time stretched as section 4 does (billed per started ms) and its log bytes (Lambda's own START, END and REPORT lines not counted); one the HTTP API's throttling answers 429 never reaches the function, and is counted here at the price of an HTTP API request, an upper bound.`,
    '',
    table(
      'per million forged requests | billed | HTTP API | Lambda requests | Lambda compute | CloudWatch Logs | reaching the function | throttled (at most)',
      costs.map(({ result, cost }) => [
        result.name,
        `${cost.billedMs} ms`,
        usd(cost.httpApi),
        usd(cost.lambdaRequests),
        usd(cost.lambdaCompute),
        usd(cost.logs),
        `**${usd(cost.total)}**`,
        usd(cost.throttled),
      ]),
    ),
  ]
}

/** `npm start` under the flood test's plan: rate, latency, and what became of the signed ones. */
export function localFloodLines(localFlood: LocalFloodResult): string[] {
  const { plan } = localFlood
  return [
    `**The local stack under a flood**: \`npm start\` on free ports (scripts/local/local-stack-process.ts), ${thousands(plan.forged)} forged and ${plan.signed} signed requests from ${plan.senders} parallel senders (scripts/local/flood.ts, the plan of the flood test), each signed one sent again every ${fixed(plan.retryDelayMs / 1_000, 0)} s while not answered 2xx. Senders, serverless-offline and the emulators share the machine's cores.`,
    '',
    table(
      'answers/s (first tries) | forged p50 / p99 ms | signed taken at the first try | taken on a retry | never taken | most tries | answers',
      [
        [
          fixed(localFlood.answersPerSecond, 0),
          `${fixed(localFlood.forgedP50Ms)} / ${fixed(localFlood.forgedP99Ms)}`,
          localFlood.signedTakenFirstTry,
          localFlood.signedTakenLater,
          localFlood.signedNeverTaken,
          localFlood.mostTries,
          Object.entries(localFlood.statuses)
            .map(([answer, count]) => `${count} × ${answer}`)
            .join(', '),
        ],
      ],
    ),
  ]
}

/**
 * Where a new seed event's write units and calls go (measured, C = 1), and why the data-lifecycle
 * targets are missed when they are: docs/design.md "Personal data apart from the ledger".
 */
function storageTargetsNote(derived: Derived): string[] {
  const measured = derived.phase('seed', false)
  const over = (value: number, target: number) =>
    value <= target ? 'met' : `missed by ${fixed(value - target, 2)}`
  return [
    `**Where a new seed event's units and calls go** (section 3, C = 1): ${callsText(measured.unitsPerEvent)} units, in ${callsText(measured.callsPerEvent)}. Write units ${fixed(measured.writeUnitsPerEvent, 2)} against ${TARGETS.writeUnitsPerNewEvent.seed} (${over(measured.writeUnitsPerEvent, TARGETS.writeUnitsPerNewEvent.seed)}), calls ${fixed(measured.totalCallsPerEvent, 2)} against ${TARGETS.callsPerNewEvent} (${over(measured.totalCallsPerEvent, TARGETS.callsPerNewEvent)}). The UpdateItems are the claim and the final mark, each also writing the transaction's copy in the \`voucher-ledger\` index; the TransactWriteItems is the chain step (its step item and the card's head, each billed twice); the PutItem is the gzipped payload with its \`customer-data\` index entry; the GetItem is the erasure check, the call beyond the target. Why these were kept: docs/design.md, "Personal data apart from the ledger".`,
    '',
  ]
}

export function renderReport(results: BenchResults, derived: Derived): string {
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (scripts/bench/). Do not edit: run it again. -->',
    '',
    `Generated by \`npm run bench\` on ${results.startedAt}${results.quick ? ' (**--quick run: small samples, not for quoting**)' : ''}, in ${fixed(results.runSeconds, 0)} s, on ${machineLine(results.machine)}.`,
    'Medians unless said otherwise; timings move with the machine, so compare the ratios (service and floor interleaved in one run).',
    '',
    '![Ratios to the floor and cost per million webhooks](BENCHMARKS.svg)',
    '',
    '## Targets',
    '',
    summaryText(results, derived),
    '',
    ...storageTargetsNote(derived),
    ...[
      pipelineSection(results),
      coldStartSection(results),
      endToEndSection(results),
      memorySection(results, derived),
      costSection(results, derived),
      sweepSection({
        sweep: results.sweep,
        memoryMb: derived.memoryMb,
        webhook: {
          phase: derived.phase('seed', false),
          costPerMillion: derived.costs.seed.newEvent.total,
        },
      }),
      forgedSection(results),
    ].flatMap((section) => [...section, '']),
  ].join('\n')
}

export function renderSvg(results: BenchResults, derived: Derived): string {
  const ratios = [
    ...results.pipeline.map((result) => ({
      label: `CPU per event: ${result.name}`,
      value: result.ratio,
      target: TARGETS.pipelineRatio,
    })),
    ...derived.coldStartRatios.map(({ label, ratio, target }) => ({ label, value: ratio, target })),
  ]
  const parts = (cost: EventCost) => [
    { name: 'DynamoDB', value: cost.dynamodb },
    { name: 'HTTP API', value: cost.httpApi },
    { name: 'SNS', value: cost.sns },
    { name: 'Lambda compute', value: cost.lambdaCompute },
    { name: 'Lambda requests', value: cost.lambdaRequests },
  ]
  return renderChart({
    heading: `voucherify-gift-webhooks: npm run bench, ${results.startedAt}${results.quick ? ' (quick run)' : ''}`,
    ratioTitle: 'Service ÷ floor (lower is better; black mark = target)',
    ratios,
    costTitle: `Cost per million webhooks, USD (${PRICES_REGION}, arm64, ${derived.memoryMb} MB)`,
    costs: PAYLOADS.flatMap((payload) => {
      const name = payload === 'seed' ? 'seed payload' : 'large redemption'
      return [
        { label: `${name}, new event`, parts: parts(derived.costs[payload].newEvent) },
        { label: `${name}, duplicate`, parts: parts(derived.costs[payload].duplicate) },
      ]
    }),
  })
}
