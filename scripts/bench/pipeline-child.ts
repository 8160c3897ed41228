// Phase 1 runs here, in a fresh `node` on an esbuild bundle of lib/ (what the Lambda runs),
// not under tsx, whose keep-names wrappers would add work the deployed code does not do.
//   measure <budgetMs> <warmupMs>: every case, prints PIPELINE_RESULT <json>
//   profile <case name> <ms>: replays one case for `ms` under the parent's --cpu-prof
import { receiveWebhook } from '../../lib'
import { noopDeps } from './noop-deps'
import { benchCases } from './payloads'
import { deliveryOf, measurePipeline, type PipelineResult } from './pipeline'

async function measure(budgetMs: number, warmupMs: number) {
  const results: PipelineResult[] = []
  for (const benchCase of benchCases()) {
    const result = await measurePipeline(benchCase, { budgetMs, warmupMs })
    results.push(result)
    process.stderr.write(
      `  ${result.name}: service ${result.service.median.toFixed(1)} µs, ` +
        `floor ${result.floor.median.toFixed(1)} µs, ${result.ratio.toFixed(2)}×\n`,
    )
  }
  process.stdout.write(`PIPELINE_RESULT ${JSON.stringify(results)}\n`)
}

async function profile(caseName: string, durationMs: number) {
  const benchCase = benchCases().find((candidate) => candidate.name === caseName)
  if (!benchCase) throw new Error(`No bench case named "${caseName}"`)
  const { deps } = noopDeps()
  // The parent keeps only samples taken after this: start-up is not the pipeline.
  process.stdout.write(`LOOP_START ${process.hrtime.bigint() / 1_000n}\n`)
  const end = Date.now() + durationMs
  while (Date.now() < end) {
    const outcome = await receiveWebhook(deps, deliveryOf(benchCase.event))
    if (outcome.status !== 'accepted') throw new Error(`pipeline answered ${outcome.status}`)
  }
}

async function main() {
  const [mode, first = '', second = ''] = process.argv.slice(2)
  if (mode === 'measure') await measure(Number(first), Number(second))
  else if (mode === 'profile') await profile(first, Number(second))
  else throw new Error(`unknown mode ${mode}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
