import { connect, createServer } from 'node:net'

/** Same variables and defaults as serverless.yml's `${env:..., '<default>'}` for the local stage. */
const PORT_VARIABLES = {
  dynamodb: ['DYNAMODB_PORT', 8000],
  fauxqs: ['FAUXQS_PORT', 4566],
  http: ['HTTP_PORT', 3000],
  lambda: ['LAMBDA_PORT', 3002],
  /** The Voucherify stand-in the sweep reads locally. */
  voucherify: ['VOUCHERIFY_PORT', 4010],
} as const

export type LocalPorts = Record<keyof typeof PORT_VARIABLES, number>

/** The local stack's ports: the variables above, else their defaults. */
export function localPorts(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  const ports = Object.entries(PORT_VARIABLES).map(([service, [name, fallback]]) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return [service, fallback]
    const value = Number(raw)
    if (!Number.isInteger(value) || value < 1 || value > 65_535) {
      throw new Error(`${name} must be a port number between 1 and 65535, got "${raw}"`)
    }
    return [service, value]
  })
  return Object.fromEntries(ports) as LocalPorts
}

/** The variables serverless.yml reads, so that it and the emulators agree on every port. */
export function portVariables(ports: LocalPorts): Record<string, string> {
  return Object.fromEntries(
    Object.entries(PORT_VARIABLES).map(([service, [name]]) => [
      name,
      String(ports[service as keyof LocalPorts]),
    ]),
  )
}

/** The emulators' URLs: AWS_ENDPOINT_URL_* when set (the tests set them), else the ports. */
export function localEndpoints(env: NodeJS.ProcessEnv = process.env) {
  const ports = localPorts(env)
  const fauxqs = `http://127.0.0.1:${ports.fauxqs}`
  return {
    dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB || `http://127.0.0.1:${ports.dynamodb}`,
    sns: env.AWS_ENDPOINT_URL_SNS || fauxqs,
    sqs: env.AWS_ENDPOINT_URL_SQS || fauxqs,
  }
}

/** Where `npm start` takes webhooks (serverless offline's HTTP API route). */
export function localWebhookUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${localPorts(env).http}/webhooks/voucherify`
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    // No host: DynamoDB Local binds every interface, so the port must be free on all of them.
    server.listen({ port, exclusive: true }, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address ? address.port : port
      server.close(() => resolve(bound))
    })
  })
}

/**
 * `count` different ports that were free a moment ago, from the OS's ephemeral range (never
 * 8000, 4566, 3000).
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const found = new Set<number>()
  while (found.size < count) found.add(await listenOnce(0))
  return [...found]
}

/** Throws a readable error when something (often another `npm start`) already uses `port`. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  try {
    await listenOnce(port)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new Error(
        `Port ${port} (${purpose}) is already in use; stop whatever holds it or pick another port.`,
      )
    }
    throw error
  }
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Resolves once `ready()` does, asking every 250 ms. Rejects with the reason `gaveUp()` gives as
 * soon as it gives one, or with "`notReady` within N s" after `timeoutMs`.
 */
export async function waitUntil(
  ready: () => Promise<boolean>,
  options: { timeoutMs: number; gaveUp: () => string | undefined; notReady: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    const reason = options.gaveUp()
    if (reason) throw new Error(reason)
    if (await ready()) return
    if (Date.now() > deadline) {
      throw new Error(`${options.notReady} within ${options.timeoutMs / 1000} s`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
