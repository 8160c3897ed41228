// Writes events/: API Gateway v2 events wrapping the seed payloads, signed with the local
// default secret, for `serverless invoke local -f webhook -p events/<file>.json`.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { CUSTOMER_DELETED_EVENT_TYPE } from '../lib/schemas/customer-deleted'
import { supportedEventTypes } from '../lib/schemas/registry'
import { defineCommand, EXIT } from './cli/command'
import { apiGatewayEventFor, envelopeFor, LOCAL_WEBHOOK_SECRET, seedData } from './sample-events'

const EVENTS_DIR = join(__dirname, '..', 'events')

/** The event type of the sample webhook `npm start` shows a signed curl of. */
export const SAMPLE_WEBHOOK_EVENT = 'voucher.gift.transaction.created'

/** The envelope inside events/<SAMPLE_WEBHOOK_EVENT>.json, as compact JSON: the bytes to post. */
export function sampleWebhookBody(): string {
  const file = join(EVENTS_DIR, `${SAMPLE_WEBHOOK_EVENT}.json`)
  return (JSON.parse(readFileSync(file, 'utf8')) as { body: string }).body
}

/** Ids derived from the event type, so that the files only change when the seeds do. */
function stableId(prefix: string, eventType: string): string {
  return `${prefix}_${createHash('sha256').update(eventType).digest('hex').slice(0, 20)}`
}

function writeEvent(name: string, event: unknown, print: (line: string) => void) {
  writeFileSync(join(EVENTS_DIR, `${name}.json`), `${JSON.stringify(event, null, 2)}\n`)
  print(`events/${name}.json`)
}

/** A signed `customer.deleted` of the seeds' holder: invoking it erases their personal data. */
function customerDeletedEvent() {
  const holder = seedData['voucher.gift.transaction.created'].holder as Record<string, unknown>
  const customer = { ...holder, summary: null, loyalty: null, referrals: null }
  const envelope = {
    id: stableId('whs', CUSTOMER_DELETED_EVENT_TYPE),
    project_id: 'proj_local',
    created_at: '2024-07-26T09:00:00.000Z',
    type: CUSTOMER_DELETED_EVENT_TYPE,
    data: { customer },
    source: { id: stableId('src', CUSTOMER_DELETED_EVENT_TYPE), object: 'webhook' },
  }
  return withStableContext(
    apiGatewayEventFor({ body: JSON.stringify(envelope), secret: LOCAL_WEBHOOK_SECRET }),
  )
}

/** The event with a request id and time derived from its body, so the file only changes with it. */
function withStableContext(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  Object.assign(event.requestContext, {
    requestId: stableId('req', event.body ?? ''),
    time: 'local',
    timeEpoch: 0,
  })
  return event
}

/** `npm run events`: writes the sample events of events/ again from the seed payloads. */
export const eventsCommand = defineCommand({
  name: 'events',
  summary: 'write events/ again: signed API Gateway events of the seed payloads',
  usage: `

Writes events/<type>.json and events/<type>.raw.json for \`serverless invoke local -p\`, and
events/customer.deleted.json, which erases the seeds' holder.`,
  options: {},
  usesStage: false,
  read: () => undefined,
  async run(_options, { io }) {
    mkdirSync(EVENTS_DIR, { recursive: true })
    for (const eventType of supportedEventTypes) {
      const data = seedData[eventType]
      const envelope = envelopeFor(eventType, data)
      const createdAt = String((data.transaction as { created_at: string }).created_at)
      Object.assign(envelope, { id: stableId('whs', eventType), created_at: createdAt })
      Object.assign(envelope.source as object, { id: stableId('src', eventType) })
      Object.assign(envelope.event as object, {
        id: stableId('evgt', eventType),
        created_at: createdAt,
        group_id: stableId('v', eventType),
      })

      const envelopeEvent = withStableContext(
        apiGatewayEventFor({ body: JSON.stringify(envelope), secret: LOCAL_WEBHOOK_SECRET }),
      )
      const rawEvent = withStableContext(
        apiGatewayEventFor({
          body: JSON.stringify(data),
          secret: LOCAL_WEBHOOK_SECRET,
          pathEventType: eventType,
        }),
      )
      writeEvent(eventType, envelopeEvent, io.stdout)
      writeEvent(`${eventType}.raw`, rawEvent, io.stdout)
    }
    writeEvent(CUSTOMER_DELETED_EVENT_TYPE, customerDeletedEvent(), io.stdout)
    return EXIT.done
  },
})
