// The local stack's HTTP layer (serverless-offline, with the settings serverless.yml gives it)
// answers a failed invocation as API Gateway does, with a 5xx, never with a 2xx Voucherify would
// take for a delivery. The handlers of test/fixtures/offline-http-layer/ misbehave on purpose.

import { join } from 'node:path'
import { canConnect, findFreePorts, waitUntil } from '../../../scripts/local/ports'
import { projectRoot, serverlessCommand } from '../../../scripts/local/serverless-resources'
import { spawnWithWatchdog, type WatchedProcess } from '../../../scripts/local/spawn-with-watchdog'

const FIXTURE = join(projectRoot, 'test', 'fixtures', 'offline-http-layer')
const READY_TIMEOUT_MS = 60_000

let offline: WatchedProcess | undefined
let baseUrl: string

beforeAll(async () => {
  const [httpPort = 0, lambdaPort = 0] = await findFreePorts(2)
  const { command, args } = serverlessCommand(['offline', 'start'])
  const started = spawnWithWatchdog(command, args, {
    cwd: FIXTURE,
    env: { ...process.env, HTTP_PORT: String(httpPort), LAMBDA_PORT: String(lambdaPort) },
  })
  offline = started
  await waitUntil(() => canConnect(httpPort), {
    timeoutMs: READY_TIMEOUT_MS,
    gaveUp: () =>
      started.exitCode === undefined
        ? undefined
        : `serverless offline exited (${started.exitCode}):\n${started.output()}`,
    notReady: `Nothing listened on port ${httpPort}`,
  })
  baseUrl = `http://127.0.0.1:${httpPort}`
}, READY_TIMEOUT_MS + 10_000)

afterAll(async () => {
  await offline?.stop()
})

const post = (path: string) => fetch(`${baseUrl}${path}`, { method: 'POST', body: '{}' })

describe('the local HTTP layer', () => {
  it("passes on a handler's own answer", async () => {
    const response = await post('/answers')

    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'answered' })
  })

  it('answers a handler that outlives its timeout with a 5xx', async () => {
    const response = await post('/outlives-timeout')

    expect(response.status).toBeGreaterThanOrEqual(500)
    expect(await response.text()).not.toContain('errorMessage')
  })

  it('answers a handler that throws with a 5xx', async () => {
    const response = await post('/crashes')

    expect(response.status).toBeGreaterThanOrEqual(500)
    expect(await response.text()).not.toContain('the handler failed')
  })
})
