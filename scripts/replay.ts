// `npm run replay -- [selection] [options]`: re-publishes stored events to their topics with
// replay=true, or takes quarantined or never-published payloads through the receiver again.
// See `-- --help`.
import { main } from './replay/cli'
import { runCli } from './run-cli'

runCli('npm run replay', 'the item under way', (signal) =>
  main(process.argv.slice(2), {
    env: process.env,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: process.stderr,
    signal,
  }),
)
