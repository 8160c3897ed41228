import type { Projection } from '@aws-sdk/client-dynamodb'
import { LEDGER_INDEX, MAX_BODY_BYTES, supportedEventTypes } from '../../lib'
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
import type { EndToEndResult, PhaseResult } from './e2e'
import type { ForgedResult, LocalFloodResult } from './forged'
import { type Machine, machineLine } from './machine'
import type { PipelineResult } from './pipeline'
import type { ProfileSummary } from './profile'
import { fixed, kib, mean, mib } from './stats'
import { SPACING_MS, type SweepResult, type SweepRun, UNPACED_REQUESTS_PER_MINUTE } from './sweep'

/** The calls a new (transaction, event type) may make, in the order it makes them. */
const CALLS_PER_NEW_EVENT = ['claim', 'chain step', 'publish', 'mark published']

/** The targets of the performance issue, as issue 12 restated them. */
export const TARGETS = {
  /** Against the Valibot floor: bytes, one HMAC, JSON.parse, envelope and event schemas. */
  pipelineRatio: 2.0,
  bundleSizeRatio: 1.15,
  initRatio: 1.2,
  callsPerNewEvent: CALLS_PER_NEW_EVENT.length,
  callsPerDuplicate: 1,
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
      const writeUnits = measured.writeUnitsPerEvent
      const published = !duplicate
      return costPerMillion(
        { ...usage, invocation: invocation(measured), writeUnits, published },
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
  const newTarget = `${TARGETS.callsPerNewEvent} (${CALLS_PER_NEW_EVENT.join(', ')})`
  for (const payload of PAYLOADS) {
    const calls = (duplicate: boolean) =>
      derived.phase(payload, duplicate, derived.maxConcurrency).totalCallsPerEvent
    const callsRow = (what: string, value: number, target: number, targetText: string) => [
      `AWS calls per ${what} (${payload})`,
      fixed(value, 2),
      '',
      '',
      targetText,
      verdict(value, target),
    ]
    rows.push(
      callsRow('new event', calls(false), TARGETS.callsPerNewEvent, newTarget),
      callsRow('duplicate', calls(true), TARGETS.callsPerDuplicate, '1'),
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
    `A counting proxy in front of each emulator counts requests by \`X-Amz-Target\` / \`Action\` and asks DynamoDB Local for \`ReturnConsumedCapacity\`. C = 1 is one Lambda container. The emulators share the ${results.machine.cores} cores, so latencies show the code's behaviour, not AWS's.`,
    '',
    table(
      'phase | events | C | events/s | p50 ms | p99 ms | CPU ms/event | AWS calls per event | write units per event | answers',
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
    fixed(cost.writeUnits, 1),
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
    `**Billed duration**: the mean C = 1 invocation of section 3 at ${derived.memoryMb} MB as section 4 models it, rounded up to the ms. **Write units**: as DynamoDB Local reported them in section 3's C = 1 phases (every write bills the whole item, which holds the payload). ${indexNote(ledgerIndexProjection)} SNS bills each started 64 KB of a message, the HTTP API each started 512 KB.`,
    '',
    table(
      'per million | billed | WRU | SNS publishes | Lambda compute | Lambda requests | DynamoDB | SNS | HTTP API | total',
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

/** DynamoDB operations billed in read units; the others write. */
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan'])

/** A sweep's read and write units as DynamoDB Local reported them, and its SNS publishes. */
function usageOf(run: SweepRun) {
  const units = (read: boolean) =>
    Object.entries(run.units)
      .filter(([name]) => READ_OPERATIONS.has(name) === read)
      .reduce((total, [, n]) => total + n, 0)
  return { readUnits: units(true), writeUnits: units(false), publishes: run.calls.Publish ?? 0 }
}

function sweepSection({ sweep }: BenchResults, derived: Derived): string[] {
  const { defaults, perThousand, incremental } = sweep
  const { run } = incremental
  const perRequestS = 60 / defaults.requestsPerMinute
  /** The pacer spaces requests 60 / budget seconds apart; the first goes at once. */
  const pacedS = (requests: number) => Math.max(0, requests - 1) * perRequestS
  const minutes = (ms: number) => `${fixed(ms / 60_000, 0)} min`
  const scale = 1_000 / perThousand.transactions
  const sweepRow = (label: string, result: SweepRun) => {
    const usage = usageOf(result)
    return [
      label,
      thousands(result.apiRequests * scale),
      fixed(result.seconds * scale),
      fixed(pacedS(result.apiRequests * scale), 0),
      callsText(result.calls, scale, 0),
      `${thousands(usage.readUnits * scale)} / ${thousands(usage.writeUnits * scale)}`,
    ]
  }
  const webhook = derived.phase('seed', false)
  const usage = usageOf(run)
  const billed = (seconds: number) => sweepCost({ ...usage, seconds }, derived.memoryMb).total
  const dollars = (value: number) => `$${value.toFixed(7)}`
  return [
    '## 6. The sweep',
    '',
    `\`sweepCampaigns\` as the sweep function wires it (lib/'s DynamoDB sweep and attestation stores, the receiver's own pipeline, \`voucherifySweepApi\`), against DynamoDB Local and fauxqs behind the counting proxies and the Voucherify stand-in (scripts/local/voucherify-stand-in.ts). Defaults from lib/sweep/sweep-config.ts: grace ${minutes(defaults.graceMs)}, overlap ${minutes(defaults.overlapMs)}, ${defaults.requestsPerMinute} requests a minute. The runs use a budget of ${thousands(UNPACED_REQUESTS_PER_MINUTE)} a minute, which never paces, so seconds measure the work; the default budget makes N requests take at least (N − 1) × ${fixed(perRequestS, 0)} s. DynamoDB units as DynamoDB Local reported them (it bills nothing for a key it does not find).`,
    '',
    `**Per 1,000 transactions**: a gift campaign of ${thousands(perThousand.transactions)} transactions on ${perThousand.cards} cards (scripts/card-history.ts, interleaved, one a minute)${scale === 1 ? '' : `, scaled ×${fixed(scale, 1)} to 1,000 (**quick run**)`}, against the webhooks of section 3 (seed, new, C = 1: 1,000 invocations of the mean one).`,
    '',
    table(
      'how they get into the ledger | API requests | seconds (wall) | s at the default budget, at least | AWS calls by kind | DynamoDB read / write units',
      [
        sweepRow(
          `whole-history sweep, none in the ledger: ${thousands(perThousand.first.pass.takenIn)} taken in`,
          perThousand.first,
        ),
        sweepRow(
          `the same sweep again, all in the ledger: ${thousands(perThousand.second.pass.found)} found`,
          perThousand.second,
        ),
        [
          'webhooks, one invocation each',
          '0',
          fixed(webhook.latency.mean),
          '',
          callsText(webhook.callsPerEvent, 1_000, 0),
          `0 / ${thousands(webhook.writeUnitsPerEvent * 1_000)}`,
        ],
      ],
    ),
    '',
    `**One incremental sweep** of a campaign with ${thousands(incremental.transactions)} transactions on ${thousands(incremental.cards)} cards, one every ${fixed(SPACING_MS / 1_000, 0)} s. A completed sweep's watermark makes the newest ${thousands(incremental.newTransactions)} new; the ledger already holds the ${thousands(incremental.inOverlap)} in the ${minutes(defaults.overlapMs)} overlap before it and, for each new transaction, its card's previous one (${thousands(incremental.previousOfNew)}). The pass stops on the first page past the overlap.`,
    '',
    table('figure | value', [
      [
        'Voucherify API requests',
        `${run.apiRequests} (${run.pages} pages of transactions, 1 list of gift campaigns)`,
      ],
      [
        'transactions listed / found / taken in',
        `${thousands(run.pass.listed)} / ${thousands(run.pass.found)} / ${thousands(run.pass.takenIn)}`,
      ],
      ['cards attested', thousands(run.pass.attested)],
      ['AWS calls by kind', callsText(run.calls, 1, 0)],
      [
        'DynamoDB read / write units',
        `${thousands(usage.readUnits)} / ${thousands(usage.writeUnits)}`,
      ],
      [
        'seconds (wall)',
        `${fixed(run.seconds)} s, of which ${fixed(run.apiSeconds)} s waiting for the stand-in`,
      ],
      [
        `at the default ${defaults.requestsPerMinute} requests a minute`,
        `at least ${fixed(pacedS(run.apiRequests), 0)} s`,
      ],
      [
        `cost (section 5's prices, Lambda at ${derived.memoryMb} MB)`,
        `${dollars(billed(run.seconds))} for the wall seconds, ${dollars(billed(Math.max(run.seconds, pacedS(run.apiRequests))))} at the default budget`,
      ],
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
    ...[
      pipelineSection(results),
      coldStartSection(results),
      endToEndSection(results),
      memorySection(results, derived),
      costSection(results, derived),
      sweepSection(results, derived),
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
