// The CloudWatch metrics the handler emits in Embedded Metric Format, read back from its output
// as CloudWatch would read them from the log stream.
import {
  apiGatewayEventFor,
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
} from '../../scripts/sample-events'
import { captureOutput } from '../support/capture-output'
import { loadHandler } from '../support/load-handler'

interface EmfRecord {
  _aws: {
    CloudWatchMetrics: Array<{
      Namespace: string
      Dimensions: string[][]
      Metrics: Array<{ Name: string }>
    }>
  }
  [field: string]: unknown
}

/** Each metric emitted, as `Name{dimension=value,…}` (the service dimension left out). */
function metricsIn(lines: string[]): string[] {
  return lines
    .map((line) => JSON.parse(line) as EmfRecord)
    .filter((record) => record._aws !== undefined)
    .flatMap((record) =>
      record._aws.CloudWatchMetrics.flatMap(({ Dimensions, Metrics }) =>
        Metrics.map(({ Name }) => {
          const dimensions = (Dimensions[0] ?? [])
            .filter((name) => name !== 'service')
            .map((name) => `${name}=${record[name]}`)
          return `${Name}{${dimensions.join(',')}}`
        }),
      ),
    )
}

describe('metrics', () => {
  const handler = loadHandler({ POWERTOOLS_METRICS_DISABLED: 'false' })
  const eventType = 'voucher.gift.balance_added'

  async function emitted(run: () => Promise<unknown>): Promise<string[]> {
    return metricsIn(await captureOutput(run))
  }

  it('count an accepted event per event type and in total, with the latency', async () => {
    const body = JSON.stringify(envelopeFor(eventType, giftEventData(eventType)))

    const metrics = await emitted(() =>
      handler(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET })),
    )

    expect(metrics.sort()).toEqual([
      `Accepted{event_type=${eventType}}`,
      'Accepted{}',
      'HandlerLatency{}',
    ])
  })

  it('count a duplicate apart from the accepted delivery', async () => {
    const body = JSON.stringify(envelopeFor(eventType, giftEventData(eventType)))
    await emitted(() => handler(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET })))

    const metrics = await emitted(() =>
      handler(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET })),
    )

    expect(metrics).toContain(`Duplicate{event_type=${eventType}}`)
  })

  it('count a quarantined event per event type', async () => {
    const data = { ...giftEventData(eventType), balance: null }

    const metrics = await emitted(() =>
      handler(
        apiGatewayEventFor({
          body: JSON.stringify(data),
          secret: LOCAL_WEBHOOK_SECRET,
          pathEventType: eventType,
        }),
      ),
    )

    expect(metrics).toContain(`Quarantined{event_type=${eventType}}`)
  })

  it.each([
    ['signature_invalid', apiGatewayEventFor({ body: '{}', secret: 'wrong' })],
    ['body_not_json', apiGatewayEventFor({ body: '{', secret: LOCAL_WEBHOOK_SECRET })],
    [
      'method_not_allowed',
      apiGatewayEventFor({ body: '{}', secret: LOCAL_WEBHOOK_SECRET, method: 'GET' }),
    ],
  ])('count a rejection by its reason (%s)', async (reason, event) => {
    const metrics = await emitted(() => handler(event))

    expect(metrics).toEqual(expect.arrayContaining([`Rejected{reason=${reason}}`, 'Rejected{}']))
  })

  it('count a failed publish by the stage that failed', async () => {
    const unpublishable = loadHandler({
      POWERTOOLS_METRICS_DISABLED: 'false',
      TOPIC_ARN_PREFIX: `${process.env.TOPIC_ARN_PREFIX}no-such-topic-`,
    })
    const body = JSON.stringify(envelopeFor(eventType, giftEventData(eventType)))

    const metrics = await emitted(() =>
      unpublishable(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET })),
    )

    expect(metrics).toEqual(expect.arrayContaining(['Unavailable{stage=publish}', 'Unavailable{}']))
  })
})
