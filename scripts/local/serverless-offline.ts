import { assertPortFree, waitForPort } from './ports'
import { paramArguments, projectRoot, serverlessCommand } from './serverless-command'
import { spawnWithWatchdog } from './spawn-with-watchdog'

export interface ServerlessOffline {
  /** Resolves when serverless offline exits, whoever stopped it. */
  exited: Promise<number | string>
  stop(): Promise<void>
}

// The first start bundles the handler with esbuild, which can take a while on a cold cache.
const READY_TIMEOUT_MS = 90_000

/**
 * Runs `serverless offline start` for `stage` and resolves once its HTTP port accepts
 * connections. serverless.yml reads the ports from `env`; they are passed here to be checked.
 * Its output goes to this process's.
 */
export async function startServerlessOffline({
  stage,
  env,
  httpPort,
  lambdaPort,
  params,
}: {
  stage: string
  env: NodeJS.ProcessEnv
  httpPort: number
  lambdaPort: number
  /** Deploy parameters, as `--param` passes them. */
  params?: Record<string, string>
}): Promise<ServerlessOffline> {
  // Readiness is "the HTTP port accepts", so nothing else may hold it when offline starts.
  await assertPortFree(httpPort, 'HTTP_PORT')
  await assertPortFree(lambdaPort, 'LAMBDA_PORT')
  const { command, args } = serverlessCommand([
    'offline',
    'start',
    '--stage',
    stage,
    ...paramArguments(params),
  ])
  const offline = spawnWithWatchdog(command, args, { cwd: projectRoot, env })
  offline.onOutput((chunk, stream) => {
    if (stream === 'stdout') process.stdout.write(chunk)
    else process.stderr.write(chunk)
  })
  let exitCode: number | string | undefined
  void offline.exited.then((code) => {
    exitCode = code
  })
  try {
    await waitForPort(httpPort, {
      timeoutMs: READY_TIMEOUT_MS,
      gaveUp: () =>
        exitCode === undefined
          ? undefined
          : `serverless offline exited (${exitCode}) before it was ready`,
    })
  } catch (error) {
    await offline.stop()
    throw error
  }
  return { exited: offline.exited, stop: offline.stop }
}
