// `npm run reconcile -- --voucher <code|id> [--since …]`: takes in the transactions of one gift
// card that Voucherify has and the ledger lacks. See `-- --help`.
import { main } from './reconcile/cli'

const abort = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (abort.signal.aborted) process.exit(130)
    process.stderr.write(`\n${signal}: stopping after the transaction under way…\n`)
    abort.abort()
  })
}

main(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signal: abort.signal,
}).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`npm run reconcile: ${error.message}`)
    process.exit(1)
  },
)
