import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { type SweepSummary, TIME_RAN_OUT } from './sweep-campaigns'

/** The sweep's totals over its campaigns. */
export function sweepTotals(summary: SweepSummary) {
  const sum = (pick: (campaign: SweepSummary['campaigns'][number]) => number) =>
    summary.campaigns.reduce((total, campaign) => total + pick(campaign), 0)
  return {
    campaigns: summary.campaigns.length,
    listed: sum((c) => c.listed),
    found: sum((c) => c.found),
    takenIn: sum((c) => c.takenIn),
    failed: sum((c) => c.failed) + sum((c) => (c.status === 'failed' ? 1 : 0)),
    parked: sum((c) => c.parked),
    unknownBalanceType: sum((c) => c.unknownBalanceType),
    missedByIncremental: sum((c) => c.missedByIncremental),
    cursorRefused: sum((c) => c.cursorRefused),
    unattested: sum((c) => c.unattested.length),
    stopped: summary.stopReason !== undefined,
    stoppedBadly: stoppedBadly(summary),
  }
}

/**
 * A stop worth an alarm: any but the time budget's, and that one too when the walk it ended made
 * no progress. A long walk (onboarding, a full walk) stopping on its budget run after run while
 * moving on is how it is meant to go.
 */
function stoppedBadly({ stopReason, campaigns }: SweepSummary): boolean {
  if (stopReason === undefined) return false
  if (stopReason !== TIME_RAN_OUT) return true
  return campaigns.some(({ status, listed }) => status === 'stopped' && listed === 0)
}

/**
 * One sweep's counts, for the watchdog: `SweepTakenIn` (webhooks that never came: above zero in
 * two sweeps running raises `webhooks-stalled`), `SweepFailed` and `SweepStopped` (a stop other
 * than a walk moving on over several runs: `sweep-failing`), `SweepParked` (`sweep-parked`, unknown balance types among them),
 * `SweepMissedByIncremental` (`sweep-assumption-broken`), `LedgerUnattested` (`ledger-broken`).
 */
export function recordSweep(
  metrics: Metrics,
  totals: ReturnType<typeof sweepTotals> | 'failed',
): void {
  if (totals === 'failed') {
    metrics.addMetric('SweepFailed', MetricUnit.Count, 1)
  } else {
    metrics.addMetric('SweepListed', MetricUnit.Count, totals.listed)
    metrics.addMetric('SweepTakenIn', MetricUnit.Count, totals.takenIn)
    metrics.addMetric('SweepFailed', MetricUnit.Count, totals.failed)
    metrics.addMetric('SweepStopped', MetricUnit.Count, totals.stoppedBadly ? 1 : 0)
    metrics.addMetric('SweepParked', MetricUnit.Count, totals.parked)
    metrics.addMetric('SweepUnknownBalanceType', MetricUnit.Count, totals.unknownBalanceType)
    metrics.addMetric('SweepMissedByIncremental', MetricUnit.Count, totals.missedByIncremental)
    metrics.addMetric('LedgerUnattested', MetricUnit.Count, totals.unattested)
  }
  metrics.publishStoredMetrics()
}
