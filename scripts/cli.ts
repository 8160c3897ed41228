// The operator commands behind `npm run send|tap|events|ledger|ledger:scenario|replay|reconcile|sweep|erase`:
// `tsx scripts/cli.ts <command> [options]`. See `npm run <command> -- --help`.
import { EXIT } from './cli/command'
import { runOperatorCli } from './cli/main'

const abort = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C does not wait for the work under way.
    if (abort.signal.aborted) process.exit(EXIT.interrupted)
    process.stderr.write(`\n${signal}: stopping after the work under way…\n`)
    abort.abort()
  })
}

void runOperatorCli(
  process.argv.slice(2),
  {
    env: process.env,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: process.stderr,
  },
  { signal: abort.signal },
).then((code) => process.exit(code))
