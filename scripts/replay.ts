// `npm run replay -- [selection] [options]`: re-publishes stored events to their topics with
// replay=true, or takes quarantined payloads through the receiver again. See `-- --help`.
import { main } from './replay/cli'

const abort = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C does not wait for the item under way.
    if (abort.signal.aborted) process.exit(130)
    process.stderr.write(`\n${signal}: stopping after the item under way…\n`)
    abort.abort()
  })
}

main(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: process.stderr,
  signal: abort.signal,
}).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`npm run replay: ${error.message}`)
    process.exit(1)
  },
)
