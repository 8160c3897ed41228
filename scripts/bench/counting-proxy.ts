import http from 'node:http'
import { listenOnLoopback, readBody } from '../local/listen-on-loopback'

/**
 * A pass-through HTTP proxy in front of an emulator that counts requests by AWS operation
 * (`X-Amz-Target` for JSON protocols, the `Action` form field for SNS's query protocol). The
 * function builds its SDK clients inside lib/deps.ts, so counting on the wire is the only way
 * to count without changing it.
 *
 * With `askForCapacity`, DynamoDB requests also get `ReturnConsumedCapacity: INDEXES` and the
 * write units DynamoDB Local reports are summed: its own accounting, to check the WRUs computed
 * from item sizes. The function ignores the extra field in the answer.
 */
export interface CountingProxy {
  url: string
  /** Requests forwarded so far, by operation. */
  counts(): Record<string, number>
  /** Write capacity units DynamoDB Local reported, for the table and for each index. */
  capacity(): { table: number; indexes: number }
  /** Capacity units (table and indexes) DynamoDB Local reported, by operation, lists included. */
  capacityByOperation(): Record<string, number>
  close(): Promise<void>
}

function operationOf(headers: http.IncomingHttpHeaders, body: Buffer): string {
  const target = headers['x-amz-target']
  if (typeof target === 'string') return target.split('.').at(-1) ?? target
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown'
}

interface ConsumedCapacity {
  CapacityUnits?: number
  Table?: { CapacityUnits?: number }
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>
}

export async function startCountingProxy(
  target: string,
  { askForCapacity = false } = {},
): Promise<CountingProxy> {
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  const counts = new Map<string, number>()
  const capacity = { table: 0, indexes: 0 }
  const capacityByOperation = new Map<string, number>()

  const server = http.createServer(async (request, response) => {
    try {
      let body = await readBody(request)
      const operation = operationOf(request.headers, body)
      counts.set(operation, (counts.get(operation) ?? 0) + 1)
      const headers = { ...request.headers }
      const jsonRequest = String(headers['content-type']).includes('amz-json')
      if (askForCapacity && jsonRequest) {
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
        if (askForCapacity && jsonRequest && answer.statusCode === 200) {
          const { ConsumedCapacity } = JSON.parse(answerBody.toString('utf8')) as {
            ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[]
          }
          // BatchGetItem and TransactWriteItems answer with one entry per table.
          const units = [ConsumedCapacity ?? []]
            .flat()
            .reduce((total, entry) => total + (entry.CapacityUnits ?? 0), 0)
          capacityByOperation.set(operation, (capacityByOperation.get(operation) ?? 0) + units)
          // As before: capacity() sums single-table answers only (the end-to-end figures).
          const single = Array.isArray(ConsumedCapacity) ? undefined : ConsumedCapacity
          capacity.table += single?.Table?.CapacityUnits ?? 0
          for (const index of Object.values(single?.GlobalSecondaryIndexes ?? {})) {
            capacity.indexes += index.CapacityUnits ?? 0
          }
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
    capacity: () => ({ ...capacity }),
    capacityByOperation: () => Object.fromEntries(capacityByOperation),
    close: () => {
      agent.destroy()
      return loopback.close()
    },
  }
}
