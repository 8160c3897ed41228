import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { createWebhookHandler } from '../../../handlers/webhook-handler'
import { parseSourceIpAllowList } from '../../../lib/receive/source-ip-allow-list'
import { apiGatewayEventFor, envelopeFor, giftEventData } from '../../../scripts/sample-events'
import { captureOutput } from '../../support/capture-output'
import { fakeDeps, TEST_SECRET } from '../../support/fakes/fake-deps'

const EVENT_TYPE = 'voucher.gift.transaction.created'

/** The handler on in-memory fakes, as a test builds it: no environment involved. */
function handlerOnFakes(allowedSourceIps?: string) {
  const fakes = fakeDeps()
  const handler = createWebhookHandler({
    deps: fakes.deps,
    allowedSourceIps: parseSourceIpAllowList(allowedSourceIps),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
  })
  return { handler, ...fakes }
}

const signedEvent = (data = giftEventData(EVENT_TYPE)) =>
  apiGatewayEventFor({ body: JSON.stringify(envelopeFor(EVENT_TYPE, data)), secret: TEST_SECRET })

/** The answer, and the metric names the EMF lines written meanwhile carry. */
async function call(handler: ReturnType<typeof handlerOnFakes>['handler'], event = signedEvent()) {
  let statusCode = 0
  let body: Record<string, unknown> = {}
  let headers: Record<string, unknown> = {}
  const lines = await captureOutput(async () => {
    const answer = await handler(event)
    statusCode = answer.statusCode ?? 0
    body = JSON.parse(String(answer.body))
    headers = answer.headers ?? {}
  })
  const metrics = lines.flatMap((line) => {
    const emf = JSON.parse(line)._aws?.CloudWatchMetrics?.[0]?.Metrics ?? []
    return emf.map((metric: { Name: string }) => metric.Name)
  })
  return { statusCode, body, headers, metrics }
}

describe('createWebhookHandler', () => {
  it('accepts a signed gift event on its fakes and publishes it once', async () => {
    const { handler, publisher } = handlerOnFakes()

    const answer = await call(handler)

    expect(answer).toMatchObject({ statusCode: 200, body: { status: 'accepted' } })
    expect(publisher.published).toHaveLength(1)
  })

  it('answers a payload that fails its schema 202 quarantined and counts it Quarantined', async () => {
    const { handler, publisher } = handlerOnFakes()
    const data = giftEventData(EVENT_TYPE)
    ;(data.balance as Record<string, unknown>).amount = '700'

    const answer = await call(handler, signedEvent(data))

    expect(answer.statusCode).toBe(202)
    expect(answer.body).toMatchObject({ status: 'quarantined', code: 'schema_validation_failed' })
    expect(answer.metrics).toContain('Quarantined')
    expect(publisher.published).toHaveLength(0)
  })

  it('refuses an address outside the allow-list with 403, storing nothing', async () => {
    const { handler, store } = handlerOnFakes('198.51.100.0/24')
    const event = signedEvent()
    event.requestContext.http.sourceIp = '203.0.113.9'

    const answer = await call(handler, event)

    expect(answer).toMatchObject({ statusCode: 403, body: { code: 'source_ip_not_allowed' } })
    expect(store.items.size).toBe(0)
  })

  it('answers 503 with Retry-After when SNS fails, so that Voucherify retries', async () => {
    const { handler, publisher } = handlerOnFakes()
    publisher.failing = true

    const answer = await call(handler)

    expect(answer.statusCode).toBe(503)
    expect(answer.headers['retry-after']).toBe('30')
    expect(answer.metrics).toContain('Unavailable')
  })
})
