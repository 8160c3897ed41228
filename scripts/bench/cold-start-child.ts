// One cold start: bundled to plain JavaScript and run by a fresh `node`, like a new Lambda
// container. Loads the handler bundle, runs one invocation, reports the timings on stdout.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

async function main() {
  const [bundlePath = '', eventPath = ''] = process.argv.slice(2)
  const event = JSON.parse(readFileSync(eventPath, 'utf8')) as unknown
  const start = process.hrtime.bigint()
  const loaded = createRequire(__filename)(bundlePath) as {
    handler: (event: unknown) => Promise<{ statusCode?: number }>
  }
  const initialised = process.hrtime.bigint()
  const result = await loaded.handler(event)
  const invoked = process.hrtime.bigint()
  const report = {
    initMs: Number(initialised - start) / 1e6,
    firstInvokeMs: Number(invoked - initialised) / 1e6,
    statusCode: result.statusCode,
    rssBytes: process.memoryUsage().rss,
  }
  process.stdout.write(`\nCOLD_START ${JSON.stringify(report)}\n`)
  // Idle keep-alive sockets and SDK timers are not part of a cold start.
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
