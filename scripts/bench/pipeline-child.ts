// Phase 1 runs here, in a fresh `node` on an esbuild bundle of lib/ (what the Lambda runs),
// not under tsx, whose keep-names wrappers would add work the deployed code does not do.
//   measure <budgetMs> <warmupMs> <breakdownMs>: every case, prints PIPELINE_RESULT <json>
//   profile <case name> <ms>: replays one case for `ms` under the parent's --cpu-prof
import { receiveWebhook } from '../../lib'
import { noopDeps } from './noop-deps'
import { type BenchCase, benchCases } from './payloads'
import {
  deliveryOf,
  measurePipeline,
  type PipelineResult,
  type StageTime,
  stageBreakdown,
} from './pipeline'

export interface PipelineOutput {
  results: PipelineResult[]
  breakdowns: Array<{ caseName: string; stages: StageTime[] }>
}

/** The seed case furthest from its floor, and the large plain one: where the time goes. */
function casesToTakeApart(results: PipelineResult[]): string[] {
  const seeds = results.filter((result) => result.name.startsWith('seed'))
  const worstSeed = seeds.reduce((worst, result) => (result.ratio > worst.ratio ? result : worst))
  const large = results.find(
    (result) => result.name.startsWith('large') && !/base64/.test(result.name),
  )
  return [worstSeed.name, ...(large ? [large.name] : [])]
}

async function measure(budgetMs: number, warmupMs: number, breakdownMs: number) {
  const cases = benchCases()
  const results: PipelineResult[] = []
  for (const benchCase of cases) {
    results.push(await measurePipeline(benchCase, { budgetMs, warmupMs }))
    const last = results.at(-1) as PipelineResult
    process.stderr.write(
      `  ${last.name}: service ${last.service.median.toFixed(1)} µs, ` +
        `floor ${last.floor.median.toFixed(1)} µs, ${last.ratio.toFixed(2)}× ` +
        `(HMAC + JSON.parse ${last.hmacJsonFloor.median.toFixed(1)} µs, ${last.hmacJsonRatio.toFixed(2)}×)\n`,
    )
  }
  const breakdowns = []
  for (const caseName of casesToTakeApart(results)) {
    const benchCase = cases.find((candidate) => candidate.name === caseName) as BenchCase
    breakdowns.push({ caseName, stages: await stageBreakdown(benchCase, breakdownMs) })
  }
  const output: PipelineOutput = { results, breakdowns }
  process.stdout.write(`PIPELINE_RESULT ${JSON.stringify(output)}\n`)
}

async function profile(caseName: string, durationMs: number) {
  const benchCase = benchCases().find((candidate) => candidate.name === caseName)
  if (!benchCase) throw new Error(`No bench case named "${caseName}"`)
  const { deps } = noopDeps()
  const { event } = benchCase
  // The parent keeps only samples taken after this: start-up is not the pipeline.
  process.stdout.write(`LOOP_START ${process.hrtime.bigint() / 1_000n}\n`)
  const end = Date.now() + durationMs
  while (Date.now() < end) {
    const outcome = await receiveWebhook(deps, { ...deliveryOf(event), pathEventType: undefined })
    if (outcome.status !== 'accepted') throw new Error(`pipeline answered ${outcome.status}`)
  }
}

async function main() {
  const [mode, first = '', second = '', third = ''] = process.argv.slice(2)
  if (mode === 'measure') await measure(Number(first), Number(second), Number(third))
  else if (mode === 'profile') await profile(first, Number(second))
  else throw new Error(`unknown mode ${mode}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
