import { realAttestationStore } from '../../lib/aws/dynamodb-attestation-store'
import { realSweepStore } from '../../lib/aws/dynamodb-sweep-store'
import { voucherifySweepApi } from '../../lib/sweep/sweep-api'
import { type CampaignSweep, sweepCampaigns } from '../../lib/sweep/sweep-campaigns'
import { sweepTotals } from '../../lib/sweep/sweep-metrics'
import { type CommandLine, defineCommand, EXIT, flag, text, UsageError } from '../cli/command'
import { createProgress, formatCounts } from '../cli/progress'
import { receiverDeps } from '../cli/receiver-deps'
import {
  connectVoucherify,
  readVoucherifyAccess,
  VOUCHERIFY_OPTIONS,
  VOUCHERIFY_USAGE,
} from '../cli/voucherify-access'

const DEFAULTS = { graceMinutes: 10, overlapMinutes: 60, requestsPerMinute: 60 }

const USAGE = `[--full] [--campaign ID] [--dry-run] [options]

For each gift card campaign, lists its transactions in Voucherify newest first, back to where the
last completed sweep left off (less an overlap), and takes every gift transaction the ledger has
not published in through the receiver's own pipeline, marked origin=sweep; then attests each card
it saw against Voucherify's balance. What the scheduled sweep function does, from here.

  --full                    walk each campaign's whole history (what a stage's first sweep does)
  --campaign ID             only this campaign (repeatable); default every gift card campaign
  --dry-run                 list and compare; take nothing in, record no progress
  --grace-minutes N         leave transactions younger than N minutes to their webhooks (default ${DEFAULTS.graceMinutes})
  --overlap-minutes N       look N minutes before the last completed sweep again (default ${DEFAULTS.overlapMinutes})
  --requests-per-minute N   Voucherify API budget (default ${DEFAULTS.requestsPerMinute})
${VOUCHERIFY_USAGE}`

/** Option `--<name>` as a whole number of at least `min`; `fallback` when not given. */
function wholeNumber(values: CommandLine['values'], name: string, fallback: number, min: number) {
  const value = text(values, name)
  if (value === undefined) return fallback
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${value}"`)
  }
  return number
}

/** One line of counts for a campaign's pass, as the progress and the summary show it. */
function campaignCounts(campaign: CampaignSweep) {
  return {
    listed: campaign.listed,
    found: campaign.found,
    taken_in: campaign.takenIn,
    ...(campaign.wouldTakeIn > 0 ? { would_take_in: campaign.wouldTakeIn } : {}),
    too_recent: campaign.tooRecent,
    covered: campaign.covered,
    not_gift: campaign.notGift,
    failed: campaign.failed,
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
    'grace-minutes': { type: 'string' },
    'overlap-minutes': { type: 'string' },
    'requests-per-minute': { type: 'string' },
    ...VOUCHERIFY_OPTIONS,
  },
  usesStage: true,
  read({ values, env }) {
    const campaigns = values.campaign as string[] | undefined
    if (campaigns?.some((id) => id === '')) throw new UsageError('--campaign needs an id')
    return {
      full: flag(values, 'full'),
      campaignIds: campaigns && campaigns.length > 0 ? campaigns : undefined,
      dryRun: flag(values, 'dry-run'),
      graceMinutes: wholeNumber(values, 'grace-minutes', DEFAULTS.graceMinutes, 0),
      overlapMinutes: wholeNumber(values, 'overlap-minutes', DEFAULTS.overlapMinutes, 0),
      requestsPerMinute: wholeNumber(values, 'requests-per-minute', DEFAULTS.requestsPerMinute, 1),
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
    const progress = createProgress({ stream: io.stderr })
    const summary = await sweepCampaigns(
      {
        receiver: receiverDeps(clients, target),
        sweeps: realSweepStore(clients.dynamodb, { tableName }),
        attestations: realAttestationStore(clients.dynamodb, { tableName }),
        api: voucherifySweepApi({ ...voucherify, requestsPerMinute: options.requestsPerMinute }),
      },
      { graceMs: options.graceMinutes * 60_000, overlapMs: options.overlapMinutes * 60_000 },
      {
        campaignIds: options.campaignIds,
        full: options.full,
        dryRun: options.dryRun,
        signal,
        onPage: (campaign) => progress.update(campaignCounts(campaign)),
      },
    )
    for (const campaign of summary.campaigns) {
      const why = campaign.error ? ` (${campaign.error})` : ''
      progress.note(
        `${campaign.campaignId}: ${campaign.status}${campaign.full ? ', whole history' : ''}${why} ` +
          formatCounts(campaignCounts(campaign)),
      )
      for (const { transactionId, reason } of campaign.failures) {
        io.stdout(`  failed ${transactionId} (${reason})`)
      }
      for (const voucherId of campaign.unattested) io.stdout(`  unattested ${voucherId}`)
    }
    const totals = sweepTotals(summary)
    io.stdout(
      `sweep: campaigns ${totals.campaigns}, listed ${totals.listed}, found ${totals.found}, ` +
        `taken in ${totals.takenIn}, failed ${totals.failed}` +
        (totals.unattested > 0 ? `, unattested ${totals.unattested}` : ''),
    )
    if (totals.stopped) {
      io.stderr.write('sweep: stopped; the next sweep carries on where this one left off\n')
      return EXIT.interrupted
    }
    return totals.failed === 0 ? EXIT.done : EXIT.failed
  },
})
