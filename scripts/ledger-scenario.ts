// `npm run ledger:scenario [-- --fifo]`: a gift card's ledger broken by a lost and two swapped
// webhooks, shown, then mended by reconcile, against the local stack. See `-- --help`.
import { main } from './ledger-scenario/cli'
import { runCli } from './run-cli'

runCli('npm run ledger:scenario', 'the step under way', (signal) =>
  main(process.argv.slice(2), {
    env: process.env,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    signal,
  }),
)
