import * as v from 'valibot'

const IdSchema = v.pipe(v.string(), v.nonEmpty('must be a non-empty id'))
const TimestampSchema = v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 timestamp'))

/** The v2024-01-01 envelope around every non-raw Voucherify webhook. */
export const WebhookEnvelopeSchema = v.pipe(
  v.looseObject({
    id: IdSchema,
    project_id: IdSchema,
    created_at: TimestampSchema,
    type: v.pipe(v.string(), v.nonEmpty('must name the event')),
    data: v.looseObject({}),
    source: v.looseObject({ object: v.picklist(['webhook', 'distribution']) }),
    event: v.optional(
      v.looseObject({
        id: IdSchema,
        type: v.pipe(v.string(), v.nonEmpty('must name the event')),
        created_at: v.optional(TimestampSchema),
      }),
    ),
  }),
  // A distribution's `type` is a name the user typed; only `event.type` tells what happened.
  v.forward(
    v.check(
      (envelope) => envelope.source.object !== 'distribution' || envelope.event !== undefined,
      'a distribution webhook must carry its event',
    ),
    ['event'],
  ),
)
export type WebhookEnvelope = v.InferOutput<typeof WebhookEnvelopeSchema>

/** The event type a webhook is about, whichever kind of webhook sent it. */
export function eventTypeOf(envelope: WebhookEnvelope): string {
  return envelope.source.object === 'distribution' && envelope.event
    ? envelope.event.type
    : envelope.type
}
