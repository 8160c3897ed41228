import type { Logger } from '@aws-lambda-powertools/logger'
import type { Metrics } from '@aws-lambda-powertools/metrics'
import type { Context } from 'aws-lambda'
import type { SweepDeps, SweepSettings } from '../lib/sweep/campaign-sweep'
import { type SweepSummary, sweepCampaigns } from '../lib/sweep/sweep-campaigns'
import { recordSweep, sweepTotals } from '../lib/sweep/sweep-metrics'

export interface SweepHandlerDeps {
  /** Made at the first run of a container: the API keys are read then. */
  sweepDeps(): Promise<SweepDeps>
  settings: SweepSettings
  campaignIds: string[] | undefined
  logger: Logger
  metrics: Metrics
}

/** Kept back from the function's timeout to record progress, metrics and the log line. */
const STOP_MARGIN_MS = 20_000
/** Without a Lambda context (serverless invoke local, tests): a generous bound. */
const DEFAULT_BUDGET_MS = 10 * 60_000

/**
 * The scheduled sweep: runs `sweepCampaigns` until shortly before the function's timeout (the
 * next run carries on), then emits its counts as metrics and one log line of ids and counts.
 */
export function createSweepHandler(deps: SweepHandlerDeps) {
  return async (_event: unknown, context?: Context) => {
    deps.logger.resetKeys()
    if (context) deps.logger.addContext(context)
    const budgetMs = context
      ? context.getRemainingTimeInMillis() - STOP_MARGIN_MS
      : DEFAULT_BUDGET_MS
    let summary: SweepSummary
    try {
      summary = await sweepCampaigns(await deps.sweepDeps(), deps.settings, {
        campaignIds: deps.campaignIds,
        signal: AbortSignal.timeout(Math.max(budgetMs, 0)),
      })
    } catch (error) {
      // Keys refused, API unreachable, the table unavailable: the next run tries again.
      recordSweep(deps.metrics, 'failed')
      const { name, message } = error as Error
      deps.logger.error('sweep failed', { outcome: 'failed', error: { name, message } })
      return { status: 'failed' as const }
    }
    const totals = sweepTotals(summary)
    recordSweep(deps.metrics, totals)
    const outcome = totals.failed > 0 ? 'failed' : totals.stopped ? 'stopped' : 'complete'
    // Counts and ids only, in the logs' snake_case.
    const details = {
      outcome,
      ...(summary.stopReason === undefined ? {} : { stop_reason: summary.stopReason }),
      campaigns: totals.campaigns,
      listed: totals.listed,
      found: totals.found,
      taken_in: totals.takenIn,
      failed: totals.failed,
      parked: totals.parked,
      unknown_balance_type: totals.unknownBalanceType,
      missed_by_incremental: totals.missedByIncremental,
      cursor_refused: totals.cursorRefused,
      unattested: totals.unattested,
      campaigns_beyond_listing: summary.campaignsBeyondListing,
      campaign_ids: summary.campaigns.map(({ campaignId }) => campaignId),
      unattested_voucher_ids: summary.campaigns.flatMap(({ unattested }) => unattested),
      failed_campaigns: summary.campaigns.flatMap(({ campaignId, error }) =>
        error === undefined ? [] : [{ campaign_id: campaignId, error }],
      ),
      // Ids and reasons (a status, a step, schema paths or a balance type): never a value.
      failures: summary.campaigns.flatMap(({ failures }) =>
        failures.map(({ transactionId, reason }) => ({ transaction_id: transactionId, reason })),
      ),
    }
    if (totals.failed > 0 || totals.parked > 0) {
      deps.logger.error('sweep done with failures', details)
    } else if (totals.stopped) deps.logger.warn('sweep stopped early', details)
    else deps.logger.info('sweep done', details)
    return { status: outcome, ...totals }
  }
}
