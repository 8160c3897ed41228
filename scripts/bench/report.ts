import type { Projection } from '@aws-sdk/client-dynamodb'
import {
  GiftTransactionTypeSchema,
  LEDGER_INDEX,
  MAX_BODY_BYTES,
  supportedEventTypes,
} from '../../lib'
import { SERVERLESS_ESBUILD_OPTIONS } from './bundles'
import { renderChart } from './chart'
import type { ColdStartResult } from './cold-start'
import {
  COLD_START_BUDGET_MS,
  CONFIGURED_MEMORY_MB,
  costPerMillion,
  type EventCost,
  FULL_VCPU_MB,
  type MeasuredInvocation,
  memoryOptions,
  PRICES,
  PRICES_AS_OF,
  PRICES_REGION,
  RSS_HEADROOM,
  sweepCost,
  TIMEOUT_MS,
} from './cost'
import type { EndToEndResult, PhaseResult } from './e2e'
import { type Machine, machineLine } from './machine'
import type { PipelineResult, StageTime } from './pipeline'
import type { ProfileSummary } from './profile'
import { fixed, kib, mean, mib, sum } from './stats'
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

export interface BenchResults {
  machine: Machine
  startedAt: string
  runSeconds: number
  quick: boolean
  pipeline: PipelineResult[]
  breakdowns: Array<{ caseName: string; stages: StageTime[] }>
  profiles: ProfileSummary[]
  coldStart: ColdStartResult
  e2e: EndToEndResult
  sweep: SweepResult
}

type Payload = 'seed' | 'large'

/** The figures the summary, the report and the chart all read, derived once. */
export function derive(results: BenchResults) {
  const { coldStart, e2e, pipeline } = results
  const service = coldStart.variants.service
  const floor = coldStart.variants.floor
  const measured = e2e.phases.filter((candidate) => !candidate.plan.name.startsWith('warm'))
  const phase = (payload: Payload, duplicate: boolean, concurrency: number) =>
    measured.find(
      ({ plan }) =>
        plan.payload === payload &&
        Boolean(plan.replayOf) === duplicate &&
        plan.concurrency === concurrency,
    ) as PhaseResult
  const invocation = (candidate: PhaseResult): MeasuredInvocation => ({
    meanMs: candidate.latency.mean,
    cpuMs: candidate.cpuMsPerEvent,
  })

  // DynamoDB Local's own count says how many index writes go with each table write.
  const reported = (pick: 'table' | 'indexes') =>
    sum(e2e.phases.map((candidate) => candidate.reportedWriteUnits[pick] * candidate.report.count))
  const indexCopies = reported('table') > 0 ? reported('indexes') / reported('table') : 0

  const costs = (payload: Payload) => {
    const units = e2e.writeUnits[payload]
    const cases = pipeline.filter((result) => result.name.startsWith(payload))
    const usage = {
      bodyBytes: mean(cases.map((result) => result.bodyBytes)),
      messageBytes: mean(cases.map((result) => result.messageBytes)),
    }
    const newEvent = costPerMillion({
      ...usage,
      invocation: invocation(phase(payload, false, 1)),
      writeUnits: (units.claim + units.markPublished) * (1 + indexCopies),
      published: true,
    })
    const duplicate = costPerMillion({
      ...usage,
      invocation: invocation(phase(payload, true, 1)),
      writeUnits: units.duplicate * (1 + indexCopies),
      published: false,
    })
    return { newEvent, duplicate }
  }

  const lambdaLikePeakRss = Math.max(
    ...e2e.phases
      .filter((candidate) => candidate.plan.concurrency === 1)
      .map((candidate) => candidate.report.maxRssBytes),
  )
  return {
    service,
    floor,
    withLogger: coldStart.variants['floor + Logger'],
    withoutSourceMaps: coldStart.variants['service, no source maps'],
    ratios: {
      jsBytes: service.size.jsBytes / floor.size.jsBytes,
      gzipBytes: service.size.gzipBytes / floor.size.gzipBytes,
      init: service.initMs / floor.initMs,
    },
    phase,
    maxConcurrency: Math.max(...e2e.phases.map((candidate) => candidate.plan.concurrency)),
    indexCopies,
    costs: { seed: costs('seed'), large: costs('large') },
    writeUnitsByPayload: e2e.writeUnits,
    lambdaLikePeakRss,
    memory: memoryOptions({
      newEvent: invocation(phase('seed', false, 1)),
      duplicate: invocation(phase('seed', true, 1)),
      coldStartCpuMs: service.initMs + service.firstInvokeMs,
      peakRssBytes: lambdaLikePeakRss,
    }),
  }
}

type Derived = ReturnType<typeof derive>

const ratio = (value: number) => `${fixed(value, 2)}×`
const verdict = (value: number, target: number) => (value <= target ? 'met' : '**missed**')
const usd = (value: number) => `$${value.toFixed(2)}`
const percent = (value: number) => `${fixed(value)} %`
/** A Markdown table; `header` is its columns joined by ' | '. */
function table(header: string, rows: Array<Array<string | number>>): string {
  const columns = header.split(' | ')
  // Short rows get empty cells, so every row has the header's columns.
  const line = (cells: Array<string | number>) =>
    `| ${columns.map((_, i) => cells[i] ?? '').join(' | ')} |`
  return [line(columns), `|${columns.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}
const callsText = (calls: Record<string, number>) =>
  Object.entries(calls)
    .map(([operation, count]) => `${fixed(count, 2)} ${operation}`)
    .join(' + ')
const profileRows = (rows: ProfileSummary['places'], code = true) =>
  rows.map((row) => [code ? `\`${row.frame}\`` : row.frame, percent(row.selfPercent)])

/** The rows of the targets table, for stdout and for the report. */
function summaryRows(results: BenchResults, derived: Derived): string[][] {
  const { service, floor, ratios } = derived
  const ms = (value: number) => `${fixed(value)} ms`
  const us = (value: number) => `${fixed(value)} µs`
  const ratioRows: Array<[string, string, string, number, number, string?]> = [
    ...results.pipeline.map((result): [string, string, string, number, number, string] => [
      `pipeline CPU per event, ${result.name}`,
      us(result.service.median),
      us(result.floor.median),
      result.ratio,
      TARGETS.pipelineRatio,
      `${us(result.hmacJsonFloor.median)}, ${ratio(result.hmacJsonRatio)}`,
    ]),
    [
      'bundle size, minified',
      kib(service.size.jsBytes),
      kib(floor.size.jsBytes),
      ratios.jsBytes,
      TARGETS.bundleSizeRatio,
    ],
    [
      'bundle size, gzipped',
      kib(service.size.gzipBytes),
      kib(floor.size.gzipBytes),
      ratios.gzipBytes,
      TARGETS.bundleSizeRatio,
    ],
    [
      'module initialisation (median)',
      ms(service.initMs),
      ms(floor.initMs),
      ratios.init,
      TARGETS.initRatio,
    ],
  ]
  const rows = ratioRows.map(([label, ours, least, value, limit, old = '']) => [
    label,
    ours,
    least,
    ratio(value),
    `≤ ${limit}×`,
    verdict(value, limit),
    old,
  ])
  const newTarget = `${TARGETS.callsPerNewEvent} (${CALLS_PER_NEW_EVENT.join(', ')})`
  for (const payload of ['seed', 'large'] as const) {
    const calls = (duplicate: boolean) =>
      derived.phase(payload, duplicate, derived.maxConcurrency).totalCallsPerEvent
    const [created, duplicate] = [calls(false), calls(true)]
    rows.push(
      [
        `AWS calls per new event (${payload})`,
        fixed(created, 2),
        '',
        '',
        newTarget,
        verdict(created, TARGETS.callsPerNewEvent),
      ],
      [
        `AWS calls per duplicate (${payload})`,
        fixed(duplicate, 2),
        '',
        '',
        `${TARGETS.callsPerDuplicate}`,
        verdict(duplicate, TARGETS.callsPerDuplicate),
      ],
    )
  }
  return rows
}

export function summaryText(results: BenchResults, derived: Derived): string {
  const header =
    'measure | service | floor | ratio | target |  | old floor (HMAC + JSON.parse), ratio to it'
  return table(header, summaryRows(results, derived))
}

/** For each case taken apart: the margin to the target, and how much of the gap to the floor its own steps explain. */
function findingsTable(results: BenchResults): string {
  const rows = results.breakdowns.flatMap(({ caseName, stages }) => {
    const result = results.pipeline.find((candidate) => candidate.name === caseName)
    if (!result) return []
    const us = (name: string) => stages.find((stage) => stage.stage.startsWith(name))?.us ?? 0
    // verifySignature's own work is what it does beyond the HMAC the floor does too.
    const ownUs =
      stages
        .filter((stage) => !stage.inFloor && !stage.stage.startsWith('verifySignature'))
        .reduce((sum, stage) => sum + stage.us, 0) + Math.max(0, us('verifySignature') - us('HMAC'))
    const beyondFloor = result.service.median - result.floor.median
    const margin = TARGETS.pipelineRatio * result.floor.median - result.service.median
    return [
      [
        caseName,
        fixed(TARGETS.pipelineRatio * result.floor.median),
        `${margin < 0 ? '**' : ''}${fixed(margin)}${margin < 0 ? '**' : ''}`,
        fixed(beyondFloor),
        fixed(ownUs),
        fixed(Math.max(0, beyondFloor - ownUs)),
      ],
    ]
  })
  return table(
    "case | target allows µs | to spare µs | service − floor µs | service's own steps, alone µs | the rest (promises, no-op I/O, answer) µs",
    rows,
  )
}

/** The chain step's writes are not in the write units: said where the figures are. */
function chainStepNote(phase: PhaseResult): string {
  const steps = phase.callsPerEvent.TransactWriteItems
  return steps
    ? ` The chain step (${fixed(steps, 2)} TransactWriteItems per new event, no payload) is left out: DynamoDB Local answers it with a list of capacities the counting proxy does not read.`
    : ''
}

/** What the template says the voucher-ledger index holds. */
function indexNote(projection: Projection | undefined): string {
  if (!projection) return `serverless.yml declares no \`${LEDGER_INDEX.name}\` index.`
  const attributes = projection.NonKeyAttributes ?? []
  const holds =
    projection.ProjectionType === 'ALL'
      ? 'every attribute, payload included'
      : projection.ProjectionType === 'INCLUDE'
        ? `its keys and ${attributes.length} attributes (${attributes.join(', ')}), not the payload`
        : 'its keys only, not the payload'
  return `The \`${LEDGER_INDEX.name}\` GSI projects ${projection.ProjectionType} (serverless.yml): ${holds}.`
}

/** Whether serverless.yml's `custom.esbuild` says the same (`exclude` is esbuild's `external`). */
function esbuildCheck(printed: Record<string, unknown> | undefined): string {
  if (!printed) return 'serverless.yml has no `custom.esbuild` to compare them with (**check**).'
  const { exclude, ...rest } = printed
  const expected: Record<string, unknown> = { ...rest, external: exclude ?? [] }
  const differing = Object.entries(SERVERLESS_ESBUILD_OPTIONS)
    .filter(([name, value]) => JSON.stringify(expected[name]) !== JSON.stringify(value))
    .map(([name]) => name)
  return differing.length === 0
    ? "They are serverless.yml's `custom.esbuild`, as `serverless print` reads it."
    : `**They differ from serverless.yml's \`custom.esbuild\` in: ${differing.join(', ')}.**`
}

/** Whether the cost model's memory and timeout are serverless.yml's. */
function lambdaSettingsCheck(lambda: EndToEndResult['template']['lambda']): string {
  const printed = `serverless.yml configures ${lambda?.memorySize ?? '?'} MB, a ${lambda?.timeout ?? '?'} s timeout and ${lambda?.architecture ?? '?'}`
  const agrees =
    lambda?.memorySize === CONFIGURED_MEMORY_MB &&
    lambda?.timeout === TIMEOUT_MS / 1_000 &&
    lambda?.architecture === 'arm64'
  return agrees
    ? `${printed}, as the model assumes.`
    : `**${printed}; the model (scripts/bench/cost.ts) assumes ${CONFIGURED_MEMORY_MB} MB, ${TIMEOUT_MS / 1_000} s, arm64.**`
}

/**
 * DynamoDB is most of the bill; what its write units would be if the stored item were laid
 * out differently, computed from the sizes measured with the same 1 KB rule.
 */
function dynamodbWhatIf(derived: Derived, projection: Projection | undefined): string[] {
  // Only an index that projects ALL holds the payload; then a slimmer projection is an option.
  const indexHoldsPayload = projection?.ProjectionType === 'ALL'
  const price = PRICES.dynamodbWriteRequestUnit.usd * 1e6
  const cell = (created: number, duplicate: number) =>
    `${fixed(created, 1)} / ${fixed(duplicate, 1)} (${usd(created * price)})`
  const kilobytes = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024))
  const rows = (['seed', 'large'] as const).map((payload) => {
    const measured = derived.costs[payload].newEvent.writeUnits
    const duplicate = derived.costs[payload].duplicate.writeUnits
    const sizes = derived.writeUnitsByPayload[payload]
    const withoutPayload = kilobytes(sizes.itemBytes.published - sizes.payloadBytes)
    // The payload item's keys (transaction_id, event_type and their values) add about 100 B.
    const payloadItem = kilobytes(sizes.payloadBytes + 100)
    // The index's writes as deployed, unless they carry the payload: then one slim copy a write.
    const index = indexHoldsPayload
      ? { created: 2 * withoutPayload, duplicate: withoutPayload }
      : {
          created: measured - sizes.claim - sizes.markPublished,
          duplicate: duplicate - sizes.duplicate,
        }
    const slimIndex = cell(
      sizes.claim + sizes.markPublished + index.created,
      sizes.duplicate + index.duplicate,
    )
    // And the payload in an item of its own, written once and never updated.
    const apart = cell(
      payloadItem + 2 * withoutPayload + index.created,
      withoutPayload + index.duplicate,
    )
    return [payload, cell(measured, duplicate), ...(indexHoldsPayload ? [slimIndex] : []), apart]
  })
  const share = derived.costs.seed.newEvent.dynamodb / derived.costs.seed.newEvent.total
  return [
    `**What drives the cost.** DynamoDB is ${fixed(100 * share, 0)} % of a new seed event's total: every write bills the whole item, which holds the payload. Write units per new event / duplicate (DynamoDB per million new events) if the item were laid out differently:`,
    '',
    table(
      [
        'payload | as deployed',
        ...(indexHoldsPayload ? [`${LEDGER_INDEX.name} projecting the ledger fields only`] : []),
        `${indexHoldsPayload ? '… and the payload' : 'the payload'} in a write-once item of its own`,
      ].join(' | '),
      rows,
    ),
  ]
}

/** DynamoDB operations billed in read units; the others write. */
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan'])
const thousands = (value: number) => Math.round(value).toLocaleString('en-US')

/** A sweep's read and write units as DynamoDB Local reported them, and its SNS publishes. */
function usageOf(run: SweepRun) {
  const units = (read: boolean) =>
    sum(
      Object.entries(run.units)
        .filter(([name]) => READ_OPERATIONS.has(name) === read)
        .map(([, n]) => n),
    )
  return { readUnits: units(true), writeUnits: units(false), publishes: run.calls.Publish ?? 0 }
}

/** Section 6: the sweep per 1,000 transactions against webhooks, and one incremental sweep. */
function sweepSection({ sweep }: BenchResults, derived: Derived): string[] {
  const { defaults, perThousand, incremental } = sweep
  const { run } = incremental
  const { first } = perThousand
  const retriedSteps = (first.calls.TransactWriteItems ?? 0) - first.pass.takenIn
  const perRequestS = 60 / defaults.requestsPerMinute
  /** The pacer spaces requests 60 / budget seconds apart; the first goes at once. */
  const pacedS = (requests: number) => Math.max(0, requests - 1) * perRequestS
  const minutes = (ms: number) => `${fixed(ms / 60_000, 0)} min`
  const scale = 1_000 / perThousand.transactions
  const scaled = (calls: Record<string, number>, by: number) =>
    Object.entries(calls)
      .map(([name, count]) => `${thousands(count * by)} ${name}`)
      .join(' + ')
  const sweepRow = (label: string, result: SweepRun) => {
    const usage = usageOf(result)
    return [
      label,
      thousands(result.apiRequests * scale),
      thousands(result.pages * scale),
      fixed(result.seconds * scale),
      fixed(pacedS(result.apiRequests * scale), 0),
      scaled(result.calls, scale),
      `${thousands(usage.readUnits * scale)} / ${thousands(usage.writeUnits * scale)}`,
    ]
  }
  const webhook = derived.phase('seed', false, 1)
  const usage = usageOf(run)
  const measured = sweepCost({ ...usage, seconds: run.seconds })
  const paced = sweepCost({ ...usage, seconds: Math.max(run.seconds, pacedS(run.apiRequests)) })
  const dollars = (usd: number) => `$${usd.toFixed(7)}`
  const costRow = (label: string, quantity: string, pick: keyof typeof measured) => [
    label,
    quantity,
    dollars(measured[pick]),
  ]
  return [
    '## 6. The sweep',
    '',
    `\`sweepCampaigns\` as the sweep function wires it (lib/'s DynamoDB sweep and attestation stores, the receiver's own pipeline, \`voucherifySweepApi\`) in this process, against DynamoDB Local and fauxqs behind the counting proxies and the Voucherify stand-in (scripts/local/voucherify-stand-in.ts). Defaults from lib/sweep/sweep-config.ts: grace ${minutes(defaults.graceMs)}, overlap ${minutes(defaults.overlapMs)}, ${defaults.requestsPerMinute} requests a minute. The runs here use a budget of ${thousands(UNPACED_REQUESTS_PER_MINUTE)} a minute, which never paces, so seconds measure the work; the default budget spaces requests ${fixed(perRequestS, 0)} s apart, so N requests take at least (N − 1) × ${fixed(perRequestS, 0)} s, whatever the work.`,
    '',
    `**Per 1,000 transactions**: a gift campaign of ${thousands(perThousand.transactions)} transactions on ${perThousand.cards} cards (scripts/card-history.ts, interleaved, one a minute)${scale === 1 ? '' : `, scaled ×${fixed(scale, 1)} to 1,000 (**quick run**)`}. DynamoDB units as DynamoDB Local reported them (it bills nothing for a key it does not find); the webhooks' write units are section 5's, computed from item sizes.`,
    '',
    table(
      'how they get into the ledger | API requests | pages | seconds (wall) | s at the default budget, at least | AWS calls by kind | DynamoDB read / write units',
      [
        sweepRow(
          `whole-history sweep, none in the ledger: ${thousands(first.pass.takenIn)} taken in`,
          first,
        ),
        sweepRow(
          `whole-history sweep again (\`full\`), all in the ledger: ${thousands(perThousand.second.pass.found)} found`,
          perThousand.second,
        ),
        [
          `webhooks (section 3, seed, new, C = 1): one invocation each`,
          '0',
          '',
          fixed(webhook.latency.mean),
          '',
          scaled(webhook.callsPerEvent, 1_000),
          `0 / ${thousands(derived.costs.seed.newEvent.writeUnits * 1_000)}`,
        ],
      ],
    ),
    '',
    `The webhooks' seconds are 1,000 × their mean invocation (ms per event = s per 1,000), each billed on its own; a sweep's are one invocation.${retriedSteps > 0 ? ` The first sweep made ${thousands(retriedSteps * scale)} chain-step writes (TransactWriteItems) more than it took in: it applies each page oldest first, but pages come newest first, so a transaction older than its card's head (set from a newer page) fails the step's first attempt and is recorded \`out_of_order\` on the second.` : ''}`,
    '',
    `**One incremental sweep** of a campaign with ${thousands(incremental.transactions)} transactions on ${thousands(incremental.cards)} cards, one every ${fixed(SPACING_MS / 1_000, 0)} s, all in the stand-in. The table holds a completed sweep whose watermark (\`covered_until\`, written with \`completeWalk\`) makes the newest ${thousands(incremental.newTransactions)} new; the ${thousands(incremental.inOverlap)} in the ${minutes(defaults.overlapMs)} overlap before it are in the ledger (taken in by a sweep beforehand), and so is, for each new transaction, its card's previous one, so that it chains onto a head (${thousands(incremental.previousOfNew)}). The other older transactions are not in the table: the pass stops on the first page that reaches past the overlap and never reads them.`,
    '',
    table('figure | value', [
      [
        'Voucherify API requests',
        `${run.apiRequests} (${run.pages} pages of transactions, 1 list of gift campaigns)`,
      ],
      ['transactions listed', thousands(run.pass.listed)],
      ['found in the ledger (the overlap)', thousands(run.pass.found)],
      ['taken in', thousands(run.pass.takenIn)],
      ['listed past the overlap, not looked at', thousands(run.pass.covered)],
      ['cards attested', thousands(run.pass.attested)],
      ['AWS calls by kind', scaled(run.calls, 1)],
      [
        'DynamoDB read / write units (DynamoDB Local)',
        `${thousands(usage.readUnits)} / ${thousands(usage.writeUnits)}`,
      ],
      [
        'seconds (wall)',
        `${fixed(run.seconds)} s, of which ${fixed(run.apiSeconds)} s waiting for the stand-in's pages`,
      ],
      [
        `at the default ${defaults.requestsPerMinute} requests a minute`,
        `at least ${fixed(pacedS(run.apiRequests), 0)} s`,
      ],
    ]),
    '',
    `**Cost of that one sweep** (section 5's prices; Lambda at ${CONFIGURED_MEMORY_MB} MB, the provider's memory, which the sweep function does not override; billed for the measured wall seconds):`,
    '',
    table('component | quantity | USD', [
      costRow(
        'Lambda compute',
        `${fixed(run.seconds)} s × ${CONFIGURED_MEMORY_MB / 1024} GB`,
        'lambdaCompute',
      ),
      costRow('Lambda request', '1', 'lambdaRequests'),
      costRow('DynamoDB reads', `${thousands(usage.readUnits)} RRU`, 'dynamodbReads'),
      costRow('DynamoDB writes', `${thousands(usage.writeUnits)} WRU`, 'dynamodbWrites'),
      costRow('SNS publishes', thousands(usage.publishes), 'sns'),
      ['**total**', '', `**${dollars(measured.total)}**`],
      [
        `total at the default budget (Lambda billed at least ${fixed(pacedS(run.apiRequests), 0)} s)`,
        '',
        dollars(paced.total),
      ],
    ]),
  ]
}

export function renderReport(results: BenchResults, derived: Derived): string {
  const { coldStart, e2e, machine } = results
  const { service, floor, withLogger, withoutSourceMaps } = derived
  const c1 = (payload: Payload, duplicate: boolean) => derived.phase(payload, duplicate, 1)
  const configured = derived.memory.rows.find((row) => row.memoryMb === CONFIGURED_MEMORY_MB)
  const esbuildSettings = Object.entries(SERVERLESS_ESBUILD_OPTIONS)
    .map(([name, value]) => `${name} ${Array.isArray(value) ? `[${value.join(', ')}]` : value}`)
    .join(', ')
  const largestParts = [...service.size.byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, bytes]) => `${name} ${kib(bytes)}`)
    .join(', ')
  const costRow = (label: string, cost: EventCost) => [
    label,
    `${cost.billedMs} ms`,
    fixed(cost.writeUnits, 1),
    cost.publishes,
    ...[cost.lambdaCompute, cost.lambdaRequests, cost.dynamodb, cost.sns, cost.httpApi].map(usd),
    `**${usd(cost.total)}**`,
  ]

  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (scripts/bench/). Do not edit: run it again. -->',
    '',
    `Generated by \`npm run bench\` on ${results.startedAt}${results.quick ? ' (**--quick run: small samples, not for quoting**)' : ''}, in ${fixed(results.runSeconds, 0)} s, on ${machineLine(machine)}.`,
    'Medians unless said otherwise; timings move with the machine, so compare the ratios (service and floor interleaved in one run).',
    '',
    '![Ratios to the floor and cost per million webhooks](BENCHMARKS.svg)',
    '',
    '## Targets',
    '',
    summaryText(results, derived),
    '',
    '## 1. Per-event CPU of the pipeline (no I/O)',
    '',
    '`receiveWebhook` from the API Gateway event (`Buffer.from(body)` as handlers/webhook.ts does) on an esbuild bundle of lib/ in a fresh `node`, with no-op store, ledger and publisher.',
    'The **floor** (issue 12) is the least a receiver validating with Valibot must do: the bytes (base64-decoded if so sent), one HMAC-SHA256, one `JSON.parse`, `v.safeParse` of `WebhookEnvelopeSchema` and of `eventSchemas[eventType]`; the **old floor** stops before the schemas.',
    'Each call timed with `process.hrtime.bigint()` after a warm-up, in rotating batches of about 2 ms.',
    '',
    table(
      'payload | body | message | iterations | service median / p99 µs | floor median / p99 µs | ratio | old floor median / p99 µs | ratio to the old floor',
      results.pipeline.map((result) => [
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
    '**Where the time goes**, in the seed case furthest from its floor and the large one:',
    '',
    findingsTable(results),
    '',
    ...results.breakdowns.flatMap(({ caseName, stages }) => [
      `#### ${caseName}: each step alone`,
      '',
      table(
        'step of receiveWebhook, timed alone | median µs | floor does it too',
        stages.map((stage) => [stage.stage, fixed(stage.us), stage.inFloor ? 'yes' : '']),
      ),
      '',
    ]),
    ...results.profiles.flatMap((profile) => [
      `#### ${profile.caseName}: CPU profile`,
      '',
      `\`node --cpu-prof\` (100 µs sampling), ${fixed(profile.sampledMs, 0)} ms sampled; self time. V8 counts built-ins and inlined functions in their caller (JSON.parse in \`parseJsonObject\`, JSON.stringify in \`buildMessage\`).`,
      '',
      table('function (module) | self time', profileRows(profile.functions.slice(0, 12))),
      '',
      table('module | self time', profileRows(profile.places)),
      '',
    ]),
    '## 2. Cold start',
    '',
    `Bundles built with esbuild's API: ${esbuildSettings}. ${esbuildCheck(e2e.template.esbuild)}`,
    'The **floor** (scripts/bench/floor-handler.ts) imports the same SDK clients and Valibot, builds the clients as lib/deps.ts does, and returns; "floor + Logger" adds Powertools Logger.',
    `Each cold start is a fresh \`node --enable-source-maps\` (as serverless.yml's NODE_OPTIONS) that requires the bundle and invokes it once, every AWS endpoint pointed at a stub answering at once: ${callsText(coldStart.stubCallsPerFirstInvocation)} per first invocation. ${coldStart.runsPerVariant} runs per variant, order rotated every round.`,
    '',
    table(
      'variant | minified | gzipped | source map | module init (IQR) | first invocation | process start to exit | RSS after | log bytes',
      Object.values(coldStart.variants).map((result) => [
        result.variant,
        kib(result.size.jsBytes),
        kib(result.size.gzipBytes),
        kib(result.size.mapBytes),
        `${fixed(result.initMs)} ms (${fixed(result.initIqrMs[0])}–${fixed(result.initIqrMs[1])})`,
        `${fixed(result.firstInvokeMs)} ms`,
        `${fixed(result.processMs)} ms`,
        mib(result.rssBytes),
        fixed(result.logBytes, 0),
      ]),
    ),
    '',
    table('difference | minified | gzipped | module init | first invocation', [
      [
        'Powertools Logger (floor + Logger − floor)',
        kib(withLogger.size.jsBytes - floor.size.jsBytes),
        kib(withLogger.size.gzipBytes - floor.size.gzipBytes),
        `${fixed(withLogger.initMs - floor.initMs)} ms`,
        `${fixed(withLogger.firstInvokeMs - floor.firstInvokeMs)} ms`,
      ],
      [
        '--enable-source-maps (service − no source maps; the floor pays it too)',
        '',
        '',
        `${fixed(service.initMs - withoutSourceMaps.initMs)} ms`,
      ],
    ]),
    '',
    `First invocation of the service by payload: ${coldStart.serviceFirstInvokeByPayload.map((entry) => `${entry.payload} ${fixed(entry.firstInvokeMs)} ms`).join(', ')} (mostly the SDK's first calls and unoptimised code: the pipeline is section 1).`,
    `Largest parts of the service bundle: ${largestParts}.`,
    '',
    '## 3. End to end against the local stack',
    '',
    `DynamoDB Local and fauxqs, provisioned from serverless.yml by \`startLocalAws\` (up in ${fixed(e2e.startSeconds)} s). A fresh \`node --enable-source-maps\` loads the bundle of section 2 with the local stage's environment and invokes \`handler\`: unique events cycling through the ${supportedEventTypes.length} event types and ${GiftTransactionTypeSchema.options.length} transaction types, then the same again as duplicates.`,
    `A counting proxy in front of each emulator counts requests by \`X-Amz-Target\` / \`Action\` and asks for \`ReturnConsumedCapacity\`. C = 1 is one Lambda container. The emulators share the ${machine.cores} cores, so latencies show the code's behaviour, not AWS's.`,
    '',
    table(
      'phase | events | C | events/s | p50 ms | p99 ms | CPU ms/event (user + system) | AWS calls per event | answers',
      e2e.phases.map(({ plan, report, ...result }) => [
        plan.name,
        report.count,
        plan.concurrency,
        fixed(result.throughputPerSecond, 0),
        fixed(result.latency.median),
        fixed(result.latency.p99),
        `${fixed(result.cpuMsPerEvent, 2)} (${fixed(report.cpuUserMs / report.count, 2)} + ${fixed(report.cpuSystemMs / report.count, 2)})`,
        callsText(result.callsPerEvent),
        Object.entries(report.statuses)
          .map(([status, count]) => `${count} × ${status}`)
          .join(', '),
      ]),
    ),
    '',
    `**Where the function's CPU goes end to end**: ${e2e.profile.caseName} under \`node --cpu-prof\` (200 µs sampling, readable build), ${fixed(e2e.profile.sampledMs, 0)} ms sampled. V8 samples by the wall clock: \`writev\` is mostly waiting for a core the emulators hold.`,
    '',
    table('owner | self time', profileRows(e2e.profile.groups, false)),
    '',
    table('module | self time', profileRows(e2e.profile.places)),
    '',
    '## 4. Memory',
    '',
    table('peak RSS (`process.resourceUsage().maxRSS`) | ', [
      [
        `whole end-to-end run (C = ${derived.maxConcurrency}, every phase's events held)`,
        mib(e2e.memory.maxRssBytes),
      ],
      ['after the C = 1 phases (Lambda-like)', mib(derived.lambdaLikePeakRss)],
      ['right after loading the bundle', mib(e2e.memory.rssAfterLoadBytes)],
    ]),
    '',
    `Lambda gives a full vCPU at ${FULL_VCPU_MB} MB and a proportional share below: the measured CPU time is stretched by that share, the waiting kept; cold start = module init + first invocation, stretched likewise.`,
    '',
    table(
      `memory | new event | duplicate | cold start | Lambda compute per million new events | ≥ ${RSS_HEADROOM}× peak RSS | cold start ≤ ${fixed(COLD_START_BUDGET_MS / 1000)} s`,
      derived.memory.rows.map((row) => [
        `${row.memoryMb} MB${row.memoryMb === CONFIGURED_MEMORY_MB ? ' (configured)' : ''}`,
        `${fixed(row.newEventMs)} ms`,
        `${fixed(row.duplicateMs)} ms`,
        `${fixed(row.coldStartMs, 0)} ms`,
        usd(row.computePerMillion),
        row.fitsMemory ? 'yes' : 'no',
        row.fitsColdStart ? 'yes' : 'no',
      ]),
    ),
    '',
    `**Recommendation: ${derived.memory.recommendedMb} MB**, the smallest size meeting both limits (below ${FULL_VCPU_MB} MB smaller is always cheaper): memory for a ${kib(MAX_BODY_BYTES)} body and its copies, and a cold start within a fifth of the ${fixed(TIMEOUT_MS / 1_000, 0)} s timeout. ${lambdaSettingsCheck(e2e.template.lambda)}`,
    '',
    '## 5. Cost per million webhooks',
    '',
    `Region ${PRICES_REGION}, arm64, ${CONFIGURED_MEMORY_MB} MB. Prices (${PRICES_AS_OF}) live at the top of scripts/bench/cost.ts.`,
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
    `**Write units** of sampled stored items, sized by DynamoDB's rules (1 WRU per started KB; an update bills the larger of before and after). ${indexNote(e2e.template.ledgerIndexProjection)} DynamoDB Local reported ${fixed(derived.indexCopies, 2)} index units per table unit.${chainStepNote(c1('seed', false))}`,
    '',
    table(
      'payload | item after claim | after mark published | claim WRU | mark published WRU | duplicate WRU | with the GSI, new / duplicate | DynamoDB Local reported, new / duplicate',
      (['seed', 'large'] as const).map((payload) => {
        const units = e2e.writeUnits[payload]
        const reported = (duplicate: boolean) => {
          const { table, indexes } = c1(payload, duplicate).reportedWriteUnits
          return fixed(table + indexes, 2)
        }
        const factor = 1 + derived.indexCopies
        return [
          `${payload} (${units.samples} items)`,
          `${fixed(units.itemBytes.claimed, 0)} B`,
          `${fixed(units.itemBytes.published, 0)} B`,
          fixed(units.claim, 2),
          fixed(units.markPublished, 2),
          fixed(units.duplicate, 2),
          `${fixed((units.claim + units.markPublished) * factor, 2)} / ${fixed(units.duplicate * factor, 2)}`,
          `${reported(false)} / ${reported(true)}`,
        ]
      }),
    ),
    '',
    `**Billed duration**: the mean C = 1 invocation of section 3 at ${CONFIGURED_MEMORY_MB} MB as section 4 models it, rounded up to the ms. SNS bills each started 64 KB of a message, the HTTP API each started 512 KB.`,
    '',
    table(
      'per million | billed | WRU | SNS publishes | Lambda compute | Lambda requests | DynamoDB | SNS | HTTP API | total',
      [
        costRow('seed payload, new event', derived.costs.seed.newEvent),
        costRow('seed payload, duplicate', derived.costs.seed.duplicate),
        costRow('large redemption, new event', derived.costs.large.newEvent),
        costRow('large redemption, duplicate', derived.costs.large.duplicate),
      ],
    ),
    '',
    `Not included: CloudWatch Logs (the log bytes of section 2 plus Lambda's own lines), SNS's KMS calls, deliveries, storage and backups, data transfer, free tiers, and cold starts (about ${fixed(configured?.coldStartMs ?? 0, 0)} ms at ${CONFIGURED_MEMORY_MB} MB, section 4).`,
    '',
    ...dynamodbWhatIf(derived, e2e.template.ledgerIndexProjection),
    '',
    ...sweepSection(results, derived),
    '',
  ].join('\n')
}

export function renderSvg(results: BenchResults, derived: Derived): string {
  const ratios = [
    ...results.pipeline.map((result) => ({
      label: `CPU per event: ${result.name}`,
      value: result.ratio,
      target: TARGETS.pipelineRatio,
    })),
    { label: 'bundle, minified', value: derived.ratios.jsBytes, target: TARGETS.bundleSizeRatio },
    { label: 'bundle, gzipped', value: derived.ratios.gzipBytes, target: TARGETS.bundleSizeRatio },
    { label: 'module initialisation', value: derived.ratios.init, target: TARGETS.initRatio },
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
    costTitle: `Cost per million webhooks, USD (${PRICES_REGION}, arm64, ${CONFIGURED_MEMORY_MB} MB)`,
    costs: [
      { label: 'seed payload, new event', parts: parts(derived.costs.seed.newEvent) },
      { label: 'seed payload, duplicate', parts: parts(derived.costs.seed.duplicate) },
      { label: 'large redemption, new event', parts: parts(derived.costs.large.newEvent) },
      { label: 'large redemption, duplicate', parts: parts(derived.costs.large.duplicate) },
    ],
  })
}
