import { connect, createServer } from 'node:net'

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

/** A port that was free a moment ago, from the OS's ephemeral range (never 8000, 4566, 3000). */
export function findFreePort(): Promise<number> {
  return listenOnce(0)
}

/** Throws a readable error when something (often another `npm start`) already uses `port`. */
/** `count` different free ports. */
export async function findFreePorts(count: number): Promise<number[]> {
  const found = new Set<number>()
  while (found.size < count) found.add(await findFreePort())
  return [...found]
}

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

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Resolves once something accepts connections on 127.0.0.1:`port`; rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  { timeoutMs, gaveUp }: { timeoutMs: number; gaveUp?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reason = gaveUp?.()
    if (reason) throw new Error(reason)
    if (await canConnect(port)) return
    if (Date.now() > deadline) {
      throw new Error(`Nothing listened on port ${port} within ${timeoutMs / 1000} s`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
