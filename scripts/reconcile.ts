// `npm run reconcile -- --voucher <code|id> [--since …]`: takes in the transactions of one gift
// card that Voucherify has and the ledger lacks. See `-- --help`.
import { main } from './reconcile/cli'
import { runCli } from './run-cli'

runCli('npm run reconcile', 'the transaction under way', (signal) =>
  main(process.argv.slice(2), {
    env: process.env,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    signal,
  }),
)
