// `npm run bench`: measures the service against the floor of the same work, phase by phase,
// and writes BENCHMARKS.md and BENCHMARKS.svg from what it measured. `-- --quick` runs small
// samples to try the bench out and writes into the temp directory instead.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalAwsOnFreePorts } from '../local/local-aws'
import { buildReadable, buildScript, projectRoot, runNode } from './bundles'
import { measureColdStart } from './cold-start'
import { type EndToEndResult, measureEndToEnd } from './e2e'
import type { PhasePlan } from './e2e-child'
import { describeMachine, machineLine } from './machine'
import { benchCases } from './payloads'
import type { PipelineOutput } from './pipeline-child'
import { type ProfileSummary, profilePipeline } from './profile'
import { type BenchResults, derive, renderReport, renderSvg, summaryText } from './report'
import { measureSweep, type SweepResult } from './sweep'

const quick = process.argv.includes('--quick')
const started = Date.now()
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`
const say = (line: string) => console.log(`${elapsed()}  ${line}`)

/** Sizes chosen to keep the whole run near two minutes on 2 cores. */
const SETTINGS = quick
  ? {
      pipelineMs: 400,
      warmupMs: 100,
      breakdownMs: 300,
      profileMs: 500,
      coldStarts: 4,
      scale: 0.1,
      sweep: { perThousandCards: 10, incremental: { transactions: 2_000, newTransactions: 50 } },
    }
  : {
      pipelineMs: 2_000,
      warmupMs: 300,
      breakdownMs: 1_500,
      profileMs: 2_000,
      coldStarts: 20,
      scale: 1,
      sweep: {
        perThousandCards: 100,
        incremental: { transactions: 100_000, newTransactions: 1_000 },
      },
    }
const PROFILED_EVENTS = quick ? 30 : 150

function plans(scale: number): PhasePlan[] {
  const count = (n: number) => Math.max(10, Math.round(n * scale))
  const pair = (payload: 'seed' | 'large', events: number, concurrency: number): PhasePlan[] => {
    const name = `${payload}, new, C=${concurrency}`
    return [
      { name, payload, count: count(events), concurrency },
      {
        name: `${payload}, duplicate, C=${concurrency}`,
        payload,
        count: count(events),
        concurrency,
        replayOf: name,
      },
    ]
  }
  return [
    // The SDK's first calls (connections, credentials, endpoint rules) are not steady state.
    { name: 'warm-up', payload: 'seed', count: 30, concurrency: 1 },
    ...pair('seed', 200, 1),
    ...pair('large', 50, 1),
    ...pair('seed', 1_000, 8),
    ...pair('large', 200, 8),
  ]
}

async function runPipelineChild(childBundle: string): Promise<PipelineOutput> {
  const { pipelineMs, warmupMs, breakdownMs } = SETTINGS
  const args = [childBundle, 'measure', pipelineMs, warmupMs, breakdownMs].map(String)
  const stdout = await runNode(args)
  const marker = stdout.indexOf('PIPELINE_RESULT ')
  if (marker < 0) throw new Error('the pipeline child printed no PIPELINE_RESULT')
  return JSON.parse(stdout.slice(marker + 'PIPELINE_RESULT '.length)) as PipelineOutput
}

async function main() {
  const machine = describeMachine()
  say(`machine: ${machineLine(machine)}`)
  const workDir = mkdtempSync(join(tmpdir(), 'voucherify-bench-'))
  try {
    say('[1/5] per-event CPU of the pipeline, service and floor interleaved')
    const pipelineChild = await buildScript(
      'scripts/bench/pipeline-child.ts',
      join(workDir, 'pipeline-child.js'),
    )
    const { results: pipeline, breakdowns } = await runPipelineChild(pipelineChild)
    const profiles: ProfileSummary[] = []
    for (const { caseName } of breakdowns) {
      say(`  profiling ${caseName} (node --cpu-prof)`)
      profiles.push(await profilePipeline(pipelineChild, caseName, SETTINGS.profileMs))
    }

    say(`[2/5] cold start: bundles as serverless.yml builds them, ${SETTINGS.coldStarts} runs each`)
    const cases = benchCases()
    const coldStart = await measureColdStart({
      workDir,
      runsPerVariant: SETTINGS.coldStarts,
      payloads: [cases[0], cases.find((candidate) => candidate.name.startsWith('large'))]
        .filter((candidate) => candidate !== undefined)
        .map((candidate) => ({
          name: candidate.name.startsWith('seed') ? 'seed' : 'large',
          event: candidate.event,
        })),
      onProgress: say,
    })

    say('[3/5] end to end: handler bundle against DynamoDB Local and fauxqs')
    const stackStarted = Date.now()
    const aws = await startLocalAwsOnFreePorts()
    const startSeconds = (Date.now() - stackStarted) / 1_000
    say(`  local stack up in ${startSeconds.toFixed(1)} s`)
    let e2e: EndToEndResult
    let sweep: SweepResult
    try {
      e2e = await measureEndToEnd({
        aws,
        startSeconds,
        workDir,
        handlerBundle: coldStart.variants.service.size.path,
        readableBundle: await buildReadable('handlers/webhook.ts', join(workDir, 'readable.js')),
        plans: plans(SETTINGS.scale),
        profiledEvents: PROFILED_EVENTS,
        onProgress: say,
      })
      say('[4/5] the sweep against the same stack and the Voucherify stand-in')
      sweep = await measureSweep(aws, SETTINGS.sweep, say)
    } finally {
      await aws.stop()
    }

    say('[5/5] memory, cost, report')
    const results: BenchResults = {
      machine,
      startedAt: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
      runSeconds: (Date.now() - started) / 1000,
      quick,
      pipeline,
      breakdowns,
      profiles,
      coldStart,
      e2e,
      sweep,
    }
    const derived = derive(results)
    const outputDir = quick ? join(tmpdir(), 'voucherify-bench-quick') : projectRoot
    mkdirSync(outputDir, { recursive: true })
    writeFileSync(join(outputDir, 'BENCHMARKS.md'), renderReport(results, derived))
    writeFileSync(join(outputDir, 'BENCHMARKS.svg'), renderSvg(results, derived))
    console.log(`\n${summaryText(results, derived)}\n`)
    console.log(
      `Peak RSS ${(e2e.memory.maxRssBytes / 2 ** 20).toFixed(1)} MiB; recommended memory ` +
        `${derived.memory.recommendedMb} MB; per million new seed events ` +
        `$${derived.costs.seed.newEvent.total.toFixed(2)}, large $${derived.costs.large.newEvent.total.toFixed(2)}.`,
    )
    say(`wrote ${join(outputDir, 'BENCHMARKS.md')} and BENCHMARKS.svg`)
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
