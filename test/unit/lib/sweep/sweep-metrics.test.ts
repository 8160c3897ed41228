import { newCampaignSweep } from '../../../../lib/sweep/campaign-sweep'
import { TIME_RAN_OUT } from '../../../../lib/sweep/sweep-campaigns'
import { sweepTotals } from '../../../../lib/sweep/sweep-metrics'

const stoppedCampaign = (listed: number) => ({
  ...newCampaignSweep('camp_1'),
  status: 'stopped' as const,
  listed,
})

describe('sweepTotals', () => {
  it('counts a stop on the time budget of a walk that moved on as no stop worth an alarm', () => {
    const totals = sweepTotals({
      campaigns: [stoppedCampaign(300)],
      stopReason: TIME_RAN_OUT,
      campaignsBeyondListing: false,
    })

    expect(totals).toMatchObject({ stopped: true, stoppedBadly: false })
  })

  it('counts a stop on the time budget of a walk that listed nothing as one worth an alarm', () => {
    const totals = sweepTotals({
      campaigns: [stoppedCampaign(0)],
      stopReason: TIME_RAN_OUT,
      campaignsBeyondListing: false,
    })

    expect(totals.stoppedBadly).toBe(true)
  })

  it('counts a stop for a long Retry-After as one worth an alarm, whatever was listed', () => {
    const totals = sweepTotals({
      campaigns: [stoppedCampaign(300)],
      stopReason: 'Voucherify asked to wait 600 s, longer than a sweep waits',
      campaignsBeyondListing: false,
    })

    expect(totals.stoppedBadly).toBe(true)
  })
})
