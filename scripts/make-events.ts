// Writes events/: API Gateway v2 events wrapping the seed payloads, signed with the local
// default secret, for `serverless invoke local -f webhook -p events/<file>.json`.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { supportedEventTypes } from '../lib/schemas/registry'
import { apiGatewayEventFor, envelopeFor, LOCAL_WEBHOOK_SECRET, seedData } from './sample-events'

const EVENTS_DIR = join(__dirname, '..', 'events')

/** Ids derived from the event type, so that the files only change when the seeds do. */
function stableId(prefix: string, eventType: string): string {
  return `${prefix}_${createHash('sha256').update(eventType).digest('hex').slice(0, 20)}`
}

function writeEvent(name: string, event: unknown) {
  writeFileSync(join(EVENTS_DIR, `${name}.json`), `${JSON.stringify(event, null, 2)}\n`)
  console.log(`events/${name}.json`)
}

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

  const envelopeEvent = apiGatewayEventFor({
    body: JSON.stringify(envelope),
    secret: LOCAL_WEBHOOK_SECRET,
  })
  const rawEvent = apiGatewayEventFor({
    body: JSON.stringify(data),
    secret: LOCAL_WEBHOOK_SECRET,
    pathEventType: eventType,
  })
  for (const event of [envelopeEvent, rawEvent]) {
    Object.assign(event.requestContext, {
      requestId: stableId('req', event.body ?? ''),
      time: 'local',
      timeEpoch: 0,
    })
  }
  writeEvent(eventType, envelopeEvent)
  writeEvent(`${eventType}.raw`, rawEvent)
}
