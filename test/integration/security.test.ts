// What must not get in, and what must not get out: the source-IP allow-list, secret rotation,
// and logs that carry ids but never secrets, signatures or personal data.
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { SIGNATURE_HEADER } from '../../lib/receive/signature'
import { type SupportedEventType, supportedEventTypes } from '../../lib/schemas/registry'
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
} from '../../scripts/sample-events'
import { captureOutput } from '../support/capture-output'
import { type Handler, lambdaContext, loadHandler } from '../support/load-handler'

async function post(handler: Handler, event: APIGatewayProxyEventV2) {
  const result = await handler(event)
  return { status: result.statusCode, body: JSON.parse(String(result.body)) }
}

const freshEnvelope = (eventType: SupportedEventType = 'voucher.gift.transaction.created') =>
  JSON.stringify(envelopeFor(eventType, giftEventData(eventType)))

describe('the source-IP allow-list', () => {
  const handler = loadHandler({ ALLOWED_SOURCE_IPS: '198.51.100.0/24, 2001:db8::/32' })
  const from = (sourceIp: string) => {
    const event = apiGatewayEventFor({ body: freshEnvelope(), secret: LOCAL_WEBHOOK_SECRET })
    event.requestContext.http.sourceIp = sourceIp
    return event
  }

  it('answers 403 to a correctly signed webhook from an address outside the list', async () => {
    expect(await post(handler, from('203.0.113.9'))).toMatchObject({
      status: 403,
      body: { code: 'source_ip_not_allowed' },
    })
  })

  it('accepts a webhook from an address inside a listed range', async () => {
    expect((await post(handler, from('198.51.100.42'))).body.status).toBe('accepted')
  })
})

describe('secret rotation', () => {
  const handler = loadHandler({ VOUCHERIFY_WEBHOOK_SECRET: 'new-secret,old-secret' })

  it.each(['new-secret', 'old-secret'])('accepts a webhook signed with %s', async (secret) => {
    const answer = await post(handler, apiGatewayEventFor({ body: freshEnvelope(), secret }))

    expect(answer.body.status).toBe('accepted')
  })

  it('refuses a webhook signed with a retired secret', async () => {
    const answer = await post(
      handler,
      apiGatewayEventFor({ body: freshEnvelope(), secret: LOCAL_WEBHOOK_SECRET }),
    )

    expect(answer.status).toBe(401)
  })
})

describe('logs', () => {
  const handler = loadHandler({ POWERTOOLS_LOG_LEVEL: 'INFO' })

  /** Values in the seeds that identify a person or say something about one, and spendable codes. */
  const personalData = [
    'Jack Webhook',
    'John Demo 23-01',
    'jck-wbhk',
    '230724-01',
    'EMEA',
    'sign-up',
    'Gift-for-you-0',
    '3HgJNUlD',
  ]

  function deliveriesOfEverySeed(): APIGatewayProxyEventV2[] {
    return supportedEventTypes.flatMap((eventType) => {
      // The seed with a fresh transaction id: every personal field kept, no clash with other tests.
      const data = giftEventData(eventType)
      const broken = { ...data, balance: { ...(data.balance as object), amount: '400' } }
      return [
        apiGatewayEventFor({
          body: JSON.stringify(envelopeFor(eventType, data)),
          secret: LOCAL_WEBHOOK_SECRET,
        }),
        apiGatewayEventFor({
          body: JSON.stringify(data),
          secret: LOCAL_WEBHOOK_SECRET,
          pathEventType: eventType,
        }),
        apiGatewayEventFor({
          body: JSON.stringify(data),
          secret: 'wrong',
          pathEventType: eventType,
        }),
        apiGatewayEventFor({
          body: JSON.stringify(broken),
          secret: LOCAL_WEBHOOK_SECRET,
          pathEventType: eventType,
        }),
      ]
    })
  }

  it('are one JSON object a line, with the outcome and the ids', async () => {
    const events = deliveriesOfEverySeed()

    const lines = await captureOutput(async () => {
      for (const event of events) await handler(event)
    })

    const records = lines.map((line) => JSON.parse(line))
    expect(records).toHaveLength(events.length)
    expect(records.map((record) => record.http_status).sort()).toEqual(
      expect.arrayContaining([200, 202, 401]),
    )
    expect(records.find((record) => record.http_status === 200)).toMatchObject({
      level: 'INFO',
      outcome: 'accepted',
      correlation_id: expect.any(String),
      webhook_id: expect.stringMatching(/^whs_/),
      event_id: expect.any(String),
      transaction_id: expect.stringMatching(/^vtx_/),
      idempotency_key: expect.stringMatching(/^vtx_/),
    })
  })

  it('carry the Lambda request id and the API Gateway request id on every line', async () => {
    const event = deliveriesOfEverySeed()[0] as APIGatewayProxyEventV2

    const [line] = await captureOutput(() => handler(event, lambdaContext(8_000, 'lambda-req-1')))

    expect(JSON.parse(line as string)).toMatchObject({
      function_request_id: 'lambda-req-1',
      correlation_id: event.requestContext.requestId,
    })
  })

  it('name the quarantined item of a payload that failed its schema', async () => {
    const event = deliveriesOfEverySeed()[3] as APIGatewayProxyEventV2

    const [line] = await captureOutput(() => handler(event))

    expect(JSON.parse(line as string)).toMatchObject({
      level: 'WARN',
      outcome: 'invalid',
      http_status: 202,
      quarantine_key: expect.stringMatching(/^quarantine:sha256:[0-9a-f]{64}$/),
      issue_paths: ['balance.amount'],
    })
  })

  it('never carry the secret, a signature or personal data from the payload', async () => {
    const events = deliveriesOfEverySeed()
    const signatures = events.map((event) => event.headers[SIGNATURE_HEADER] as string)

    const logs = (
      await captureOutput(async () => {
        for (const event of events) await handler(event)
      })
    ).join('\n')

    for (const secret of [LOCAL_WEBHOOK_SECRET, 'wrong', ...signatures, ...personalData]) {
      expect(logs).not.toContain(secret)
    }
  })

  it("log a customer.deleted as erased, without the customer's id or fields", async () => {
    const customer = {
      id: 'cust_LogCheck0001',
      name: 'Jack Webhook',
      email: 'jck-wbhk@example.com',
    }
    const body = JSON.stringify({ ...envelopeFor('customer.deleted', {}), data: { customer } })

    const [line] = await captureOutput(() =>
      handler(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET })),
    )

    expect(JSON.parse(line as string)).toMatchObject({ outcome: 'erased', http_status: 200 })
    for (const value of Object.values(customer)) expect(line).not.toContain(value)
  })
})
