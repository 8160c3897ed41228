import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'

export type Handler = (
  event: APIGatewayProxyEventV2,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>

/**
 * Applies `env` to this process while any call is running. Concurrent calls of one handler
 * share a single application: the first call saves the old values, the last one puts them back,
 * so overlapping calls cannot leave `env` behind. Do not overlap calls of two handlers whose
 * `env` differ.
 */
function envScope(env: Record<string, string>) {
  let active = 0
  let saved: Record<string, string | undefined> = {}
  const enter = () => {
    if (active++ === 0) {
      saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]))
      Object.assign(process.env, env)
    }
  }
  const leave = () => {
    if (--active > 0) return
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
  return { enter, leave }
}

/**
 * A fresh copy of the handler module, as a new Lambda container would load it, whose calls run
 * with `env` applied (the SDK reads endpoint variables on a client's first call, not at load).
 * `modulePath` may name a packaged bundle instead of the source.
 */
export function loadHandler(
  env: Record<string, string> = {},
  modulePath = '../../handlers/webhook',
): Handler {
  let loaded: Handler | undefined
  const scope = envScope(env)
  scope.enter()
  try {
    jest.isolateModules(() => {
      loaded = require(modulePath).handler
    })
  } finally {
    scope.leave()
  }
  const handler = loaded as Handler
  return async (event, context) => {
    scope.enter()
    try {
      return await handler(event, context)
    } finally {
      scope.leave()
    }
  }
}

/** The part of Lambda's context the handler reads, with `budgetMs` left from now on. */
export function lambdaContext(budgetMs: number, awsRequestId = 'test-request'): Context {
  const deadline = Date.now() + budgetMs
  return {
    awsRequestId,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as Context
}
