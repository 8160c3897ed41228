import type { CampaignSweep, SweepDeps, SweepSettings } from '../../lib/sweep/campaign-sweep'
import { sweepCampaigns } from '../../lib/sweep/sweep-campaigns'
import {
  SWEEP_SETTINGS,
  type SweepSettingName,
  settingProblems,
  sweepSettingsOf,
} from '../../lib/sweep/sweep-config'
import { sweepTotals } from '../../lib/sweep/sweep-metrics'
import type { CampaignSweepState, SweepFailure } from '../../lib/sweep/sweep-store'
import { newTakeInContext, retryFailures } from '../../lib/sweep/take-in-listed'
import { buildSweepDeps } from '../../lib/sweep-deps'
import {
  type CliIo,
  type CommandLine,
  defineCommand,
  EXIT,
  flag,
  text,
  UsageError,
} from '../cli/command'
import { createProgress, formatCounts } from '../cli/progress'
import { receiverDeps } from '../cli/receiver-deps'
import {
  connectVoucherify,
  readVoucherifyAccess,
  VOUCHERIFY_OPTIONS,
  VOUCHERIFY_USAGE,
} from '../cli/voucherify-access'

const USAGE = `[--full] [--campaign ID] [--dry-run] [--status | --retry-parked] [options]

For each gift card campaign, lists its transactions in Voucherify in id order (order=id) from where
the last walk left everything settled to the end, and takes every gift transaction the ledger has
not published in through the receiver's own pipeline, marked origin=sweep; parks a transaction
that keeps failing; then attests each card it saw against Voucherify's balance. Once every
--full-walk-days it walks each campaign from the start, to find what the incremental walk missed.
What the scheduled sweep function does, from here.

  --full                    start a walk of each campaign's whole history now, afresh
  --campaign ID             only this campaign (repeatable); default every gift card campaign
  --dry-run                 list and compare; take nothing in, record nothing
  --status                  print each campaign's cursors, walks under way, last stop, failing and
                            parked transactions; sweep nothing
  --retry-parked            take each parked transaction in again (after a fix); sweep nothing
  --grace-minutes N         leave transactions younger than N minutes to their webhooks (default ${SWEEP_SETTINGS.graceMinutes.default}, at least ${SWEEP_SETTINGS.graceMinutes.min})
  --overlap-minutes N       never move the cursor past a transaction younger than grace + N minutes
                            (default ${SWEEP_SETTINGS.overlapMinutes.default}, at least ${SWEEP_SETTINGS.overlapMinutes.min})
  --full-walk-days N        walk each campaign from the start every N days (default ${SWEEP_SETTINGS.fullWalkDays.default}, ${SWEEP_SETTINGS.fullWalkDays.min} to ${SWEEP_SETTINGS.fullWalkDays.max})
  --park-after-attempts N   park a transaction after N failed attempts (default ${SWEEP_SETTINGS.parkAfterAttempts.default}, ${SWEEP_SETTINGS.parkAfterAttempts.min} to ${SWEEP_SETTINGS.parkAfterAttempts.max})
  --requests-per-minute N   Voucherify API budget (default ${SWEEP_SETTINGS.requestsPerMinute.default})
${VOUCHERIFY_USAGE}`

const SETTING_OPTIONS: Record<SweepSettingName, string> = {
  graceMinutes: 'grace-minutes',
  overlapMinutes: 'overlap-minutes',
  fullWalkDays: 'full-walk-days',
  parkAfterAttempts: 'park-after-attempts',
  requestsPerMinute: 'requests-per-minute',
}

/** Each setting's option as a whole number, its default when not given; bounds checked once. */
function readSettings(values: CommandLine['values']) {
  const read = (name: SweepSettingName) => {
    const given = text(values, SETTING_OPTIONS[name])
    if (given === undefined) return SWEEP_SETTINGS[name].default
    if (!/^\d+$/.test(given)) {
      throw new UsageError(`--${SETTING_OPTIONS[name]} must be a whole number, got "${given}"`)
    }
    return Number(given)
  }
  const settingValues = {
    graceMinutes: read('graceMinutes'),
    overlapMinutes: read('overlapMinutes'),
    fullWalkDays: read('fullWalkDays'),
    parkAfterAttempts: read('parkAfterAttempts'),
  }
  const requestsPerMinute = read('requestsPerMinute')
  const problems = settingProblems(
    { ...settingValues, requestsPerMinute },
    (name) => `--${SETTING_OPTIONS[name]}`,
  )
  if (problems.length > 0) throw new UsageError(problems.join('; '))
  return { settings: sweepSettingsOf(settingValues), requestsPerMinute }
}

/** One line of counts for a campaign, as the progress and the summary show it. */
function campaignCounts(campaign: CampaignSweep) {
  return {
    listed: campaign.listed,
    found: campaign.found,
    taken_in: campaign.takenIn,
    ...(campaign.wouldTakeIn > 0 ? { would_take_in: campaign.wouldTakeIn } : {}),
    too_recent: campaign.tooRecent,
    not_gift: campaign.notGift,
    failed: campaign.failed,
    parked: campaign.parked,
    ...(campaign.stillParked > 0 ? { still_parked: campaign.stillParked } : {}),
    ...(campaign.missedByIncremental > 0
      ? { missed_by_incremental: campaign.missedByIncremental }
      : {}),
    ...(campaign.cursorRefused > 0 ? { cursor_refused: campaign.cursorRefused } : {}),
  }
}

/** `npm run sweep`: the scheduled sweep, run by hand, against a local or deployed stage. */
export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: 'take in every gift transaction Voucherify has and the ledger lacks; attest balances',
  usage: USAGE,
  options: {
    full: { type: 'boolean', default: false },
    campaign: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean', default: false },
    status: { type: 'boolean', default: false },
    'retry-parked': { type: 'boolean', default: false },
    ...Object.fromEntries(Object.values(SETTING_OPTIONS).map((name) => [name, { type: 'string' }])),
    ...VOUCHERIFY_OPTIONS,
  },
  usesStage: true,
  read({ values, env }) {
    const campaigns = values.campaign as string[] | undefined
    if (campaigns?.some((id) => id === '')) throw new UsageError('--campaign needs an id')
    const mode = flag(values, 'status')
      ? 'status'
      : flag(values, 'retry-parked')
        ? 'retry'
        : 'sweep'
    if (flag(values, 'status') && flag(values, 'retry-parked')) {
      throw new UsageError('--status and --retry-parked do not go together')
    }
    if (flag(values, 'dry-run') && mode !== 'sweep') {
      throw new UsageError(
        `--dry-run is for the sweep itself, not --${values.status ? 'status' : 'retry-parked'}`,
      )
    }
    return {
      mode: mode as 'status' | 'retry' | 'sweep',
      full: flag(values, 'full'),
      campaignIds: campaigns && campaigns.length > 0 ? campaigns : undefined,
      dryRun: flag(values, 'dry-run'),
      ...readSettings(values),
      ...readVoucherifyAccess(values, env),
    }
  },
  async run(options, { target, clients, io, signal }) {
    if (!target || !clients) throw new Error('sweep needs a stage')
    const voucherify = await connectVoucherify(options, target, clients, io.env)
    const { tableName } = target
    io.stderr.write(
      `sweep: stage ${target.stage} (${target.region}), table ${tableName}; Voucherify ` +
        `${voucherify.baseUrl} (API keys from ${voucherify.from === 'ssm' ? 'SSM' : 'the environment'})` +
        `${options.dryRun ? '; dry run' : ''}\n`,
    )
    const deps = buildSweepDeps(receiverDeps(clients, target), clients.dynamodb, tableName, {
      ...voucherify,
      requestsPerMinute: options.requestsPerMinute,
    })
    const campaignIds = async () =>
      options.campaignIds ?? (await deps.api.listGiftCampaigns(signal)).ids
    if (options.mode === 'status') return printStatus(deps, await campaignIds(), io, signal)
    if (options.mode === 'retry') {
      return retryParked(deps, options.settings, await campaignIds(), io, signal)
    }
    const progress = createProgress({ stream: io.stderr })
    const summary = await sweepCampaigns(deps, options.settings, {
      campaignIds: options.campaignIds,
      full: options.full,
      dryRun: options.dryRun,
      signal,
      onPage: (campaign) => progress.update(campaignCounts(campaign)),
    })
    for (const campaign of summary.campaigns) {
      const why = campaign.error ? ` (${campaign.error})` : ''
      progress.note(
        `${campaign.campaignId}: ${campaign.status}, walks ${campaign.walks.join(' + ')}${why} ` +
          formatCounts(campaignCounts(campaign)),
      )
      for (const { transactionId, reason } of campaign.failures) {
        io.stdout(`  failed ${transactionId} (${reason})`)
      }
      for (const voucherId of campaign.unattested) io.stdout(`  unattested ${voucherId}`)
    }
    if (summary.campaignsBeyondListing) {
      io.stderr.write(
        'sweep: Voucherify lists at most 10,000 campaigns (page 100 of 100); name the others with --campaign\n',
      )
    }
    const totals = sweepTotals(summary)
    io.stdout(
      `sweep: campaigns ${totals.campaigns}, listed ${totals.listed}, found ${totals.found}, ` +
        `taken in ${totals.takenIn}, failed ${totals.failed}, parked ${totals.parked}` +
        (totals.unattested > 0 ? `, unattested ${totals.unattested}` : ''),
    )
    if (summary.stopReason !== undefined) {
      io.stderr.write(
        `sweep: stopped (${summary.stopReason}); the next sweep carries on where this one left off\n`,
      )
      return EXIT.interrupted
    }
    return totals.failed === 0 ? EXIT.done : EXIT.failed
  },
})

/** `--status`: what the table holds of each campaign's sweeps. */
async function printStatus(
  deps: SweepDeps,
  campaignIds: readonly string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const states = await deps.sweeps.readStates(campaignIds, signal)
  for (const campaignId of campaignIds) {
    const state = states.get(campaignId) as CampaignSweepState
    io.stdout(`${campaignId}:`)
    io.stdout(
      `  covered through ${state.coveredCursor ?? '(nothing yet: the next walk starts at the beginning)'}`,
    )
    io.stdout(
      `  last full walk ${state.fullWalkCompletedAt ?? 'never'}; visited ${state.visitedAt ?? 'never'}`,
    )
    for (const [kind, walk] of Object.entries(state.walks)) {
      io.stdout(
        `  ${kind} walk under way since ${walk.startedAt}, at ${walk.cursor ?? 'its start'}`,
      )
    }
    if (state.lastStop) {
      const { walk, at, cursor, reason } = state.lastStop
      io.stdout(`  stopped ${at} in the ${walk} walk at ${cursor ?? 'its start'}: ${reason}`)
    }
    for (const failure of await deps.sweeps.listFailures(campaignId, signal)) {
      io.stdout(`  ${failureLine(failure)}`)
    }
  }
  return EXIT.done
}

const failureLine = ({ transactionId, attempts, reason, parkedAt, lastFailedAt }: SweepFailure) =>
  parkedAt
    ? `parked ${transactionId} since ${parkedAt} after ${attempts} attempt(s): ${reason}`
    : `failing ${transactionId}, ${attempts} attempt(s), last ${lastFailedAt}: ${reason}`

/** `--retry-parked`: each parked transaction taken in again, one line each. */
async function retryParked(
  deps: SweepDeps,
  settings: SweepSettings,
  campaignIds: readonly string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  let retried = 0
  let stillParked = 0
  for (const campaignId of campaignIds) {
    const context = newTakeInContext(deps, settings, campaignId, { signal })
    for (const { transactionId, outcome, reason } of await retryFailures(context, 'parked')) {
      retried++
      if (outcome === 'parked') stillParked++
      io.stdout(`${campaignId} ${transactionId}: ${outcome}${reason ? ` (${reason})` : ''}`)
    }
  }
  io.stdout(`sweep: parked retried ${retried}, still parked ${stillParked}`)
  return stillParked === 0 ? EXIT.done : EXIT.failed
}
