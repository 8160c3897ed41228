import * as v from 'valibot'
import { IdSchema, looseRecord, TimestampSchema } from './common'

/** The v2024-01-01 envelope around every non-raw Voucherify webhook. */
export const WebhookEnvelopeSchema = v.pipe(
  looseRecord({
    id: IdSchema,
    project_id: IdSchema,
    created_at: TimestampSchema,
    type: v.pipe(v.string(), v.nonEmpty('must name the event')),
    data: looseRecord({}),
    source: looseRecord({ object: v.picklist(['webhook', 'distribution']) }),
    event: v.optional(
      looseRecord({
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
