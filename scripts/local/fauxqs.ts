import { existsSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

export interface FauxqsServer {
  endpoint: string
  stop(): Promise<void>
}

/**
 * fauxqs is ESM-only with an `import`-only exports map, which CommonJS (tsx, @swc/jest) cannot
 * resolve by name; requiring its entry file by path works on Node >= 20.19 (require(esm)).
 */
function loadFauxqs(): typeof import('fauxqs') {
  for (const directory of require.resolve.paths('fauxqs') ?? []) {
    const manifestPath = join(directory, 'fauxqs', 'package.json')
    if (!existsSync(manifestPath)) continue
    const { main } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { main: string }
    return require(join(directory, 'fauxqs', main))
  }
  throw new Error('fauxqs is not installed; run `npm install`')
}

/**
 * Serves SNS and SQS in this process on 127.0.0.1 (`port: 0` picks a free port).
 * Uses fauxqs' `buildApp` rather than `startFauxqs`, which always listens on 0.0.0.0.
 * ARNs carry the region the client signs with; `region` is only the fallback.
 */
export async function startFauxqsServer({
  port,
  region,
}: {
  port: number
  region: string
}): Promise<FauxqsServer> {
  const app = loadFauxqs().buildApp({ logger: false, defaultRegion: region })
  try {
    await app.listen({ port, host: '127.0.0.1' })
  } catch (error) {
    await app.close()
    throw new Error(`fauxqs could not listen on 127.0.0.1:${port}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const { port: boundPort } = app.server.address() as AddressInfo
  let stopping: Promise<void> | undefined
  return {
    endpoint: `http://127.0.0.1:${boundPort}`,
    stop: async () => {
      stopping ??= app.close().then(() => undefined)
      await stopping
    },
  }
}
