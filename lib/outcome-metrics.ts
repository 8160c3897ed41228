import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import type { WebhookOutcome } from './receive/receive-webhook'

/** Namespace of the service's own CloudWatch metrics; alarms in serverless.yml read it. */
export const METRICS_NAMESPACE = 'VoucherifyGiftWebhooks'

/** An answer given before the pipeline ran: an HTTP-level refusal. */
export type EarlyRejection =
  | 'source_ip_not_allowed'
  | 'method_not_allowed'
  | 'unsupported_media_type'

interface Count {
  name:
    | 'Accepted'
    | 'Duplicate'
    | 'Ignored'
    | 'Erased'
    | 'Rejected'
    | 'Quarantined'
    | 'InFlight'
    | 'Unavailable'
    | 'LedgerGap'
    | 'LedgerOutOfOrder'
  /** Splits the count; event types only where the schema vouched for them (bounded values). */
  dimension?: [name: 'event_type' | 'reason' | 'stage', value: string]
}

function countFor(outcome: WebhookOutcome | EarlyRejection): Count {
  if (typeof outcome === 'string') return { name: 'Rejected', dimension: ['reason', outcome] }
  switch (outcome.status) {
    case 'accepted':
      return { name: 'Accepted', dimension: ['event_type', outcome.eventType] }
    case 'duplicate':
      return { name: 'Duplicate', dimension: ['event_type', outcome.eventType] }
    case 'in_flight':
      return { name: 'InFlight', dimension: ['event_type', outcome.eventType] }
    case 'invalid':
      return { name: 'Quarantined', dimension: ['event_type', outcome.eventType] }
    case 'ignored':
      return { name: 'Ignored' }
    case 'erased':
      return { name: 'Erased' }
    case 'unauthorized':
    case 'bad_request':
      return { name: 'Rejected', dimension: ['reason', outcome.reason] }
    case 'too_large':
      return { name: 'Rejected', dimension: ['reason', 'payload_too_large'] }
    case 'not_configured':
      return { name: 'Rejected', dimension: ['reason', 'secret_not_configured'] }
    case 'unavailable':
      return { name: 'Unavailable', dimension: ['stage', outcome.stage] }
  }
}

/**
 * Emits one count for the outcome, both split by its dimension and as a total (alarms watch
 * totals), and the handler's latency. Embedded Metric Format: one JSON line each, no API call.
 */
export function recordOutcome(
  metrics: Metrics,
  outcome: WebhookOutcome | EarlyRejection,
  latencyMs: number,
): void {
  const counts = [countFor(outcome), ...ledgerCounts(outcome)]
  for (const { name, dimension } of counts) {
    if (dimension) {
      const split = metrics.singleMetric()
      split.addDimension(...dimension)
      split.addMetric(name, MetricUnit.Count, 1)
    }
    metrics.addMetric(name, MetricUnit.Count, 1)
  }
  metrics.addMetric('HandlerLatency', MetricUnit.Milliseconds, latencyMs)
  metrics.publishStoredMetrics()
}

/**
 * A broken chain, counted once per transaction: by the delivery that applied the step (whatever
 * became of it afterwards), split by the event type that delivered it first.
 */
function ledgerCounts(outcome: WebhookOutcome | EarlyRejection): Count[] {
  if (typeof outcome === 'string' || !('ledger' in outcome) || !outcome.ledger?.appliedNow)
    return []
  const name = { ok: undefined, gap: 'LedgerGap', out_of_order: 'LedgerOutOfOrder' } as const
  const counted = name[outcome.ledger.verdict.status]
  return counted ? [{ name: counted, dimension: ['event_type', outcome.ledger.eventType] }] : []
}
