// An HTTP proxy in front of an emulator that fails requests on demand: refuses, hangs, delays,
// answers an error instead of the target, or loses the target's answer after it acted.

import http from 'node:http'
import type { Socket } from 'node:net'
import { listenOnLoopback, readBody } from '../../../scripts/local/listen-on-loopback'

/** One request as the proxy saw it; `kind` is what `kindOf` made of it. */
export interface ProxiedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  kind: string
}

export type Fault =
  /** Destroys the connection without an answer; the target never sees the request. */
  | { type: 'refuse' }
  /** Reads the request and never answers (until `close`); the target never sees it. */
  | { type: 'hang' }
  /** Forwards the request after `ms`, even when the client has given up meanwhile. */
  | { type: 'delay'; ms: number }
  /** Answers this instead of the target, which never sees the request. */
  | { type: 'answer'; status: number; headers: Record<string, string>; body: string }
  /** Forwards the request, then destroys the connection instead of passing the answer on. */
  | { type: 'lose-response' }

export type Mode = 'pass' | Fault

export interface FaultRule {
  /** Which requests the rule may fail; all when left out. */
  when?: (request: ProxiedRequest) => boolean
  fault: Fault
  /** How many requests it fails before it retires; unlimited when left out. */
  times?: number
  /** The chance that it fails a matching request; 1 when left out. */
  probability?: number
}

/** A fault the proxy applied, with the request it applied it to. */
export interface AppliedFault {
  fault: Fault['type']
  request: ProxiedRequest
}

export interface FaultProxyOptions {
  /** The emulator's endpoint, e.g. `http://127.0.0.1:8000`. */
  target: string
  /** Names a request for counting and matching, e.g. `Publish`; `other` when left out. */
  kindOf?: (request: Omit<ProxiedRequest, 'kind'>) => string
  /** Draws for `probability`; seed it to make a run repeatable. */
  random?: () => number
}

export interface FaultProxy {
  /** The endpoint to give the SDK instead of the target's. */
  url: string
  /** Applies to every request no rule fails; `pass` forwards. */
  setMode(mode: Mode): void
  /** Adds a rule; rules are tried in the order added, before the mode. */
  inject(rule: FaultRule): void
  /** Retires every rule. */
  clearRules(): void
  /** Requests received, of `kind` or of every kind. */
  received(kind?: string): number
  /** Requests that reached the target, of `kind` or of every kind. */
  forwarded(kind?: string): number
  /** Faults applied so far, oldest first (refused connections included, as kind `connection`). */
  readonly applied: readonly AppliedFault[]
  /** Resolves once no forwarded or delayed request is still under way (hung ones excepted). */
  settled(): Promise<void>
  /** Stops listening and destroys every connection, hung ones included. */
  close(): Promise<void>
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])

function countUp(counts: Map<string, number>, kind: string) {
  counts.set(kind, (counts.get(kind) ?? 0) + 1)
}

function sum(counts: Map<string, number>, kind?: string) {
  if (kind !== undefined) return counts.get(kind) ?? 0
  return [...counts.values()].reduce((total, count) => total + count, 0)
}

/** Starts a proxy on 127.0.0.1 on a free port, forwarding to `options.target`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target)
  const kindOf = options.kindOf ?? (() => 'other')
  const random = options.random ?? Math.random
  // Its own agent, so that close() can drop the proxy's connections to the target.
  const agent = new http.Agent({ keepAlive: true })
  const receivedCounts = new Map<string, number>()
  const forwardedCounts = new Map<string, number>()
  const applied: AppliedFault[] = []
  let rules: Array<FaultRule & { left: number }> = []
  let mode: Mode = 'pass'
  let underWay = 0
  let whenSettled: Array<() => void> = []

  const track = async (work: Promise<void>) => {
    underWay++
    try {
      await work
    } finally {
      underWay--
      if (underWay === 0) for (const resolve of whenSettled.splice(0)) resolve()
    }
  }

  const faultFor = (request: ProxiedRequest): Fault | undefined => {
    for (const rule of rules) {
      if (rule.left <= 0 || (rule.when && !rule.when(request))) continue
      if (rule.probability !== undefined && random() >= rule.probability) continue
      rule.left--
      return rule.fault
    }
    return mode === 'pass' ? undefined : mode
  }

  /** Sends the request on to the target; resolves with its answer, body read in full. */
  const forward = (request: ProxiedRequest, body: Buffer) =>
    new Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        countUp(forwardedCounts, request.kind)
        const upstream = http.request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            method: request.method,
            path: request.path,
            headers: request.headers,
          },
          (response) => {
            readBody(response).then((answer) => {
              const headers = Object.fromEntries(
                Object.entries(response.headers).filter(([name]) => !HOP_BY_HOP.has(name)),
              )
              resolve({ status: response.statusCode ?? 502, headers, body: answer })
            }, reject)
          },
        )
        upstream.on('error', reject)
        upstream.end(body)
      },
    )

  const respond = (
    res: http.ServerResponse,
    status: number,
    headers: http.OutgoingHttpHeaders,
    body: Buffer,
  ) => {
    if (res.destroyed) return
    res.writeHead(status, { ...headers, 'content-length': body.length })
    res.end(body)
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = await readBody(req)
    const seen = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: body.toString('utf8'),
    }
    const request: ProxiedRequest = { ...seen, kind: kindOf(seen) }
    countUp(receivedCounts, request.kind)
    const fault = faultFor(request)
    if (fault) applied.push({ fault: fault.type, request })

    switch (fault?.type) {
      case 'refuse':
        req.socket.destroy()
        return
      case 'hang':
        return
      case 'answer':
        respond(res, fault.status, fault.headers, Buffer.from(fault.body))
        return
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms))
        break
    }
    try {
      const answer = await forward(request, body)
      if (fault?.type === 'lose-response') req.socket.destroy()
      else respond(res, answer.status, answer.headers, answer.body)
    } catch {
      req.socket.destroy()
    }
  }

  const server = http.createServer((req, res) => {
    void track(
      handle(req, res).catch(() => {
        req.socket.destroy()
      }),
    )
  })
  server.on('connection', (socket: Socket) => {
    if (mode !== 'pass' && mode.type === 'refuse') {
      applied.push({
        fault: 'refuse',
        request: { method: '', path: '', headers: {}, body: '', kind: 'connection' },
      })
      socket.destroy()
    }
  })
  const loopback = await listenOnLoopback(server)

  return {
    url: loopback.url,
    setMode(next) {
      mode = next
    },
    inject(rule) {
      rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY })
    },
    clearRules() {
      rules = []
    },
    received: (kind) => sum(receivedCounts, kind),
    forwarded: (kind) => sum(forwardedCounts, kind),
    applied,
    settled: () =>
      underWay === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            whenSettled.push(resolve)
          }),
    async close() {
      agent.destroy()
      await loopback.close()
      whenSettled = []
    },
  }
}

// ---- DynamoDB (JSON 1.0 protocol: the operation is in x-amz-target, the input is JSON) ----

/**
 * The DynamoDB operation, with the transaction store's UpdateItems told apart by their update
 * expressions (see lib/dynamodb-transaction-store.ts): `claim`, `take-over`, `mark-published`,
 * `release-claim`.
 */
export function dynamoDbKind({ headers, body }: Omit<ProxiedRequest, 'kind'>): string {
  const operation = String(headers['x-amz-target'] ?? '').split('.')[1] ?? 'other'
  if (operation !== 'UpdateItem') return operation
  const update = String((JSON.parse(body) as { UpdateExpression?: string }).UpdateExpression)
  if (update.includes('ADD received_count')) return 'claim'
  if (update.includes('takeover_count')) return 'take-over'
  if (update.includes('= :published')) return 'mark-published'
  if (update.includes('lease_expires_at = :now')) return 'release-claim'
  return operation
}

/** The `transaction_id` of the item a DynamoDB request is about, if it names one. */
export function dynamoDbTransactionId(request: ProxiedRequest): string | undefined {
  const input = JSON.parse(request.body) as { Key?: { transaction_id?: { S?: string } } }
  return input.Key?.transaction_id?.S
}

export type DynamoDbErrorType =
  | 'ThrottlingException'
  | 'ProvisionedThroughputExceededException'
  | 'InternalServerError'

/** The answer DynamoDB gives for `type`: 400 with a JSON `__type`, 500 for its own failure. */
export function dynamoDbError(type: DynamoDbErrorType): Fault {
  return {
    type: 'answer',
    status: type === 'InternalServerError' ? 500 : 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({
      __type: `com.amazonaws.dynamodb.v20120810#${type}`,
      message: `Injected ${type} from the fault proxy`,
    }),
  }
}

// ---- SNS (query protocol: a form-encoded body with `Action`; errors are XML) ----

/** The SNS action, e.g. `Publish`. */
export function snsKind({ body }: Omit<ProxiedRequest, 'kind'>): string {
  return new URLSearchParams(body).get('Action') ?? 'other'
}

/** A message attribute of a Publish request, e.g. `idempotency_key`. */
export function snsMessageAttribute(request: ProxiedRequest, name: string): string | undefined {
  const form = new URLSearchParams(request.body)
  for (let entry = 1; form.has(`MessageAttributes.entry.${entry}.Name`); entry++) {
    if (form.get(`MessageAttributes.entry.${entry}.Name`) === name) {
      return form.get(`MessageAttributes.entry.${entry}.Value.StringValue`) ?? undefined
    }
  }
  return undefined
}

export type SnsErrorCode = 'Throttled' | 'InternalError'

/** The answer SNS gives for `code`: Throttled is 429 (ThrottledException), InternalError 500. */
export function snsError(code: SnsErrorCode): Fault {
  const sender = code === 'Throttled'
  return {
    type: 'answer',
    status: sender ? 429 : 500,
    headers: { 'content-type': 'text/xml' },
    body: [
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">',
      `<Error><Type>${sender ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code>`,
      `<Message>Injected ${code} from the fault proxy</Message></Error>`,
      '<RequestId>00000000-0000-0000-0000-000000000000</RequestId>',
      '</ErrorResponse>',
    ].join(''),
  }
}
