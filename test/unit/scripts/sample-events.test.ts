import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { verifySignature } from '../../../lib/receive/signature'
import { isSupportedEventType, supportedEventTypes } from '../../../lib/schemas/registry'
import { LOCAL_WEBHOOK_SECRET } from '../../../scripts/sample-events'

const eventsDir = join(__dirname, '..', '..', '..', 'events')
const files = readdirSync(eventsDir).filter((name) => name.endsWith('.json'))
const load = (name: string): APIGatewayProxyEventV2 =>
  JSON.parse(readFileSync(join(eventsDir, name), 'utf8'))

describe('the sample events for serverless invoke local', () => {
  it('cover every supported event type in envelope and raw form, and a customer.deleted', () => {
    const expected = [
      ...supportedEventTypes.flatMap((type) => [`${type}.json`, `${type}.raw.json`]),
      'customer.deleted.json',
    ]

    expect(files.sort()).toEqual(expected.sort())
  })

  it.each(files)('%s is signed with the local default secret', (name) => {
    const event = load(name)

    const body = Buffer.from(event.body ?? '', 'utf8')

    expect(
      verifySignature(body, event.headers['x-voucherify-signature'], [LOCAL_WEBHOOK_SECRET]),
    ).toBe(true)
  })

  it.each(files.filter((name) => name.endsWith('.raw.json')))(
    '%s names a supported event type in its path',
    (name) => {
      const eventType = load(name).pathParameters?.eventType ?? ''

      expect(isSupportedEventType(eventType)).toBe(true)
    },
  )
})
