import http from 'node:http'
import { listenOnLoopback, readBody } from '../local/listen-on-loopback'

/**
 * A pass-through HTTP proxy in front of an emulator that counts requests by AWS operation. The
 * function builds its SDK clients inside lib/deps.ts, so counting on the wire is the only way
 * to count without changing it. With `askForCapacity`, DynamoDB requests also get
 * `ReturnConsumedCapacity: INDEXES` and the units DynamoDB Local reports are summed (a
 * transaction's doubled, as AWS bills them); the function ignores the extra field in the answer.
 */
export interface CountingProxy {
  url: string
  /** Requests forwarded so far, by operation. */
  counts(): Record<string, number>
  /** Capacity units (table and indexes) DynamoDB Local reported so far, by operation, as AWS bills them. */
  capacity(): Record<string, number>
  close(): Promise<void>
}

/** `X-Amz-Target` for the JSON protocols, the `Action` form field for SNS's query protocol. */
export function operationOf(headers: http.IncomingHttpHeaders, body: Buffer): string {
  const target = headers['x-amz-target']
  if (typeof target === 'string') return target.split('.').at(-1) ?? target
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown'
}

/** DynamoDB operations billed in read units; the others write. */
export const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan'])

/** The units of `capacity` (by operation) that are read units, or write units. */
export function unitsBilledAs(kind: 'read' | 'write', capacity: Record<string, number>): number {
  return Object.entries(capacity)
    .filter(([operation]) => READ_OPERATIONS.has(operation) === (kind === 'read'))
    .reduce((total, [, units]) => total + units, 0)
}

const add = (totals: Map<string, number>, name: string, value: number) =>
  totals.set(name, (totals.get(name) ?? 0) + value)

/**
 * AWS bills each item of a transaction twice (prepare and commit); DynamoDB Local reports them
 * at the single rate, so the proxy doubles what it reports for these.
 */
const TRANSACTIONAL_OPERATIONS = new Set(['TransactWriteItems', 'TransactGetItems'])

/** BatchGetItem and TransactWriteItems answer with a list, one entry per table. */
function unitsOf(answer: Buffer): number {
  const { ConsumedCapacity } = JSON.parse(answer.toString('utf8')) as {
    ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>
  }
  return [ConsumedCapacity ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0)
}

export async function startCountingProxy(
  target: string,
  { askForCapacity = false } = {},
): Promise<CountingProxy> {
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  const counts = new Map<string, number>()
  const capacity = new Map<string, number>()

  const server = http.createServer(async (request, response) => {
    try {
      let body = await readBody(request)
      const operation = operationOf(request.headers, body)
      add(counts, operation, 1)
      const headers = { ...request.headers }
      const measure = askForCapacity && String(headers['content-type']).includes('amz-json')
      if (measure) {
        const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>
        body = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'INDEXES' }))
        headers['content-length'] = String(body.length)
      }
      const forwarded = http.request({
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers,
      })
      forwarded.once('error', () => request.socket.destroy())
      forwarded.once('response', async (answer) => {
        const answerBody = await readBody(answer)
        if (measure && answer.statusCode === 200) {
          const billing = TRANSACTIONAL_OPERATIONS.has(operation) ? 2 : 1
          add(capacity, operation, billing * unitsOf(answerBody))
        }
        const { connection: _, 'transfer-encoding': __, ...answerHeaders } = answer.headers
        response.writeHead(answer.statusCode ?? 502, {
          ...answerHeaders,
          'content-length': answerBody.length,
        })
        response.end(answerBody)
      })
      forwarded.end(body)
    } catch {
      request.socket.destroy()
    }
  })
  const loopback = await listenOnLoopback(server)
  return {
    url: loopback.url,
    counts: () => Object.fromEntries(counts),
    capacity: () => Object.fromEntries(capacity),
    close: () => {
      agent.destroy()
      return loopback.close()
    },
  }
}

/** What `after` counts beyond `before`, by name; names with nothing more are left out. */
export function countsSince(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([name, value]): [string, number] => [name, value - (before[name] ?? 0)])
      .filter(([, value]) => value > 0),
  )
}
