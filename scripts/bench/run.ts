// `npm run bench`: measures the service against the floor of the same work, phase by phase,
// and writes BENCHMARKS.md and BENCHMARKS.svg from what it measured. `-- --quick` runs small
// samples to try the bench out and writes into the temp directory instead. `-- --only pipeline`,
// `forged`, `flood` or `sweep` (or several, comma-separated) runs those phases alone and prints them,
// writing nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LEDGER_INDEX } from '../../lib'
import { startLocalAwsOnFreePorts } from '../local/local-aws'
import { loadServerlessResources } from '../local/serverless-resources'
import { buildLikeServerless, buildScript, projectRoot, runNode } from './bundles'
import { measureColdStart } from './cold-start'
import { measureEndToEnd } from './e2e'
import type { PhasePlan } from './e2e-child'
import { measureForged, measureLocalFlood } from './forged'
import { describeMachine, machineLine } from './machine'
import { uniqueLargeEvent, uniqueSeedEvent } from './payloads'
import type { PipelineResult } from './pipeline'
import { profilePipeline } from './profile'
import {
  type BenchResults,
  derive,
  forgedRequestLines,
  localFloodLines,
  renderReport,
  renderSvg,
  summaryText,
  sweepSection,
} from './report'
import { measureSweep } from './sweep'

const quick = process.argv.includes('--quick')
/** The phases `--only` may name: those that run without the others' results. */
const ALONE = ['pipeline', 'forged', 'flood', 'sweep'] as const
const onlyAt = process.argv.indexOf('--only')
const only = onlyAt < 0 ? undefined : (process.argv[onlyAt + 1] ?? '').split(',')
const started = Date.now()
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`
const say = (line: string) => console.log(`${elapsed()}  ${line}`)

/** Sizes chosen to keep the whole run near two minutes on 2 cores. */
const SETTINGS = quick
  ? {
      pipelineMs: 400,
      pipelineProcesses: 1,
      warmupMs: 100,
      profileMs: 500,
      coldStarts: 4,
      scale: 0.1,
      sweep: { onboardingCards: 20, incremental: { campaigns: 5, cardsPerCampaign: 40 } },
    }
  : {
      pipelineMs: 2_000,
      pipelineProcesses: 3,
      warmupMs: 300,
      profileMs: 2_000,
      coldStarts: 20,
      scale: 1,
      // Onboarding 1,000 transactions; 50 campaigns of 200 cards, 100,000 transactions in all.
      sweep: { onboardingCards: 100, incremental: { campaigns: 50, cardsPerCampaign: 200 } },
    }

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

async function runPipelineChild(childBundle: string): Promise<PipelineResult[]> {
  const { pipelineMs, warmupMs } = SETTINGS
  const stdout = await runNode([childBundle, 'measure', String(pipelineMs), String(warmupMs)])
  const marker = stdout.indexOf('PIPELINE_RESULT ')
  if (marker < 0) throw new Error('the pipeline child printed no PIPELINE_RESULT')
  return JSON.parse(stdout.slice(marker + 'PIPELINE_RESULT '.length)) as PipelineResult[]
}

/**
 * Fresh processes differ (JIT decisions, a neighbour's load), so each case is measured in
 * several and the process with the median ratio speaks for it.
 */
async function measurePipelineCases(childBundle: string): Promise<PipelineResult[]> {
  const runs: PipelineResult[][] = []
  for (let count = 1; count <= SETTINGS.pipelineProcesses; count++) {
    say(`  process ${count}/${SETTINGS.pipelineProcesses}`)
    runs.push(await runPipelineChild(childBundle))
  }
  return (runs[0] ?? []).map((_, index) => {
    const byRatio = runs
      .map((run) => run[index] as PipelineResult)
      .sort((a, b) => a.ratio - b.ratio)
    return byRatio[Math.floor(byRatio.length / 2)] as PipelineResult
  })
}

async function main() {
  const machine = describeMachine()
  say(`machine: ${machineLine(machine)}`)
  const workDir = mkdtempSync(join(tmpdir(), 'voucherify-bench-'))
  try {
    say('[1/7] per-event CPU of the pipeline, service and floor interleaved')
    const pipelineChild = await buildScript(
      'scripts/bench/pipeline-child.ts',
      join(workDir, 'pipeline-child.js'),
    )
    const pipeline = await measurePipelineCases(pipelineChild)
    const furthest = pipeline.reduce((worst, result) =>
      result.ratio > worst.ratio ? result : worst,
    )
    say(`  profiling ${furthest.name} (node --cpu-prof)`)
    const profile = await profilePipeline(pipelineChild, furthest.name, SETTINGS.profileMs)

    say(`[2/7] cold start: bundles as serverless.yml builds them, ${SETTINGS.coldStarts} runs each`)
    const coldStart = await measureColdStart({
      workDir,
      runsPerVariant: SETTINGS.coldStarts,
      events: [uniqueSeedEvent(0), uniqueLargeEvent()],
      onProgress: say,
    })

    say('[3/7] forged requests: the handler bundle against the HMAC floor')
    const forged = await measureForged({
      workDir,
      handlerBundle: coldStart.service.size.path,
      budgetMs: SETTINGS.pipelineMs,
      warmupMs: SETTINGS.warmupMs,
    })

    say('[4/7] end to end: handler bundle against DynamoDB Local and fauxqs')
    const stackStarted = Date.now()
    const aws = await startLocalAwsOnFreePorts()
    const stackStartSeconds = (Date.now() - stackStarted) / 1_000
    say(`  local stack up in ${stackStartSeconds.toFixed(1)} s`)
    const { lambda, esbuild, table } = aws.resources
    try {
      const e2e = await measureEndToEnd({
        aws,
        workDir,
        handlerBundle: coldStart.service.size.path,
        plans: plans(SETTINGS.scale),
        onProgress: say,
      })
      say('[5/7] the sweep against the same stack and the Voucherify stand-in')
      const sweep = await measureSweep(aws, SETTINGS.sweep, say)

      say('[6/7] npm start under a flood: forged and signed requests from 40 parallel senders')
      const localFlood = await measureLocalFlood()

      say('[7/7] memory, cost, report')
      const results: BenchResults = {
        machine,
        startedAt: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
        runSeconds: (Date.now() - started) / 1000,
        quick,
        pipeline,
        pipelineProcesses: SETTINGS.pipelineProcesses,
        profile,
        coldStart,
        stackStartSeconds,
        e2e,
        sweep,
        forged,
        localFlood,
        template: {
          // osls's defaults where serverless.yml says nothing.
          lambda: {
            memorySize: lambda?.memorySize ?? 1_024,
            timeout: lambda?.timeout ?? 6,
            architecture: lambda?.architecture ?? 'x86_64',
          },
          esbuild,
          ledgerIndexProjection: table.GlobalSecondaryIndexes?.find(
            (index) => index.IndexName === LEDGER_INDEX.name,
          )?.Projection,
        },
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
      await aws.stop()
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

/** `--only`: the pipeline's CPU, the forged-request phase, the local flood or the sweep by themselves, printed, not written. */
async function mainAlone(phases: readonly string[]) {
  const unknown = phases.filter((phase) => !(ALONE as readonly string[]).includes(phase))
  if (unknown.length > 0) throw new Error(`--only takes ${ALONE.join(', ')}; not ${unknown}`)
  const workDir = mkdtempSync(join(tmpdir(), 'voucherify-bench-'))
  try {
    const { lambda } = await loadServerlessResources('local', process.env)
    const memoryMb = lambda?.memorySize ?? 1_024
    say('building the handler bundle as serverless.yml does')
    const bundle = await buildLikeServerless('handlers/webhook.ts', join(workDir, 'webhook.js'))
    const forged = phases.includes('forged')
      ? await measureForged({
          workDir,
          handlerBundle: bundle.path,
          budgetMs: SETTINGS.pipelineMs,
          warmupMs: SETTINGS.warmupMs,
        })
      : []
    if (phases.includes('flood')) say('npm start under a flood of 40 parallel senders')
    const localFlood = phases.includes('flood') ? await measureLocalFlood() : undefined
    const sweep = phases.includes('sweep') ? await sweepAlone() : undefined
    if (phases.includes('pipeline')) {
      say('per-event CPU of the pipeline, service and floor interleaved')
      const child = await buildScript('scripts/bench/pipeline-child.ts', join(workDir, 'child.js'))
      for (const result of await measurePipelineCases(child)) {
        say(`  ${result.name}: ${result.ratio.toFixed(2)}× the floor`)
      }
    }
    const section = [
      ...(forged.length > 0 ? forgedRequestLines(forged, memoryMb) : []),
      ...(localFlood ? ['', ...localFloodLines(localFlood)] : []),
      ...(sweep ? ['', ...sweepSection({ sweep, memoryMb })] : []),
    ]
    console.log(`\n${section.join('\n')}\n`)
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

/** The sweep phase on a local stack of its own. */
async function sweepAlone() {
  say('the sweep against the local stack and the Voucherify stand-in')
  const aws = await startLocalAwsOnFreePorts()
  try {
    return await measureSweep(aws, SETTINGS.sweep, say)
  } finally {
    await aws.stop()
  }
}

;(only ? mainAlone(only) : main()).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
