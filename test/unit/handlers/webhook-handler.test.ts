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
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' })
  // What the handler counts, whether or not this process lets Powertools write EMF lines.
  const counted = jest.spyOn(metrics, 'addMetric')
  const handler = createWebhookHandler({
    deps: fakes.deps,
    allowedSourceIps: parseSourceIpAllowList(allowedSourceIps),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics,
  })
  const metricNames = () => counted.mock.calls.map(([name]) => name)
  return { handler, metricNames, ...fakes }
}

const signedEvent = (data = giftEventData(EVENT_TYPE)) =>
  apiGatewayEventFor({ body: JSON.stringify(envelopeFor(EVENT_TYPE, data)), secret: TEST_SECRET })

/** The answer, its body read. */
async function call(handler: ReturnType<typeof handlerOnFakes>['handler'], event = signedEvent()) {
  let answer: Awaited<ReturnType<typeof handler>> = {}
  // The EMF lines stay out of the test output.
  await captureOutput(async () => {
    answer = await handler(event)
  })
  return {
    statusCode: answer.statusCode ?? 0,
    body: JSON.parse(String(answer.body)) as Record<string, unknown>,
    headers: answer.headers ?? {},
  }
}

describe('createWebhookHandler', () => {
  it('accepts a signed gift event on its fakes and publishes it once', async () => {
    const { handler, publisher } = handlerOnFakes()

    const answer = await call(handler)

    expect(answer).toMatchObject({ statusCode: 200, body: { status: 'accepted' } })
    expect(publisher.published).toHaveLength(1)
  })

  it('answers a payload that fails its schema 202 quarantined and counts it Quarantined', async () => {
    const { handler, publisher, metricNames } = handlerOnFakes()
    const data = giftEventData(EVENT_TYPE)
    ;(data.balance as Record<string, unknown>).amount = '700'

    const answer = await call(handler, signedEvent(data))

    expect(answer.statusCode).toBe(202)
    expect(answer.body).toMatchObject({ status: 'quarantined', code: 'schema_validation_failed' })
    expect(metricNames()).toContain('Quarantined')
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
    const { handler, publisher, metricNames } = handlerOnFakes()
    publisher.failing = true

    const answer = await call(handler)

    expect(answer.statusCode).toBe(503)
    expect(answer.headers['retry-after']).toBe('30')
    expect(metricNames()).toContain('Unavailable')
  })
})
