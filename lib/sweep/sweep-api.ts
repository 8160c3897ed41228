import { requestPacer } from '../voucherify/request-pacer'
import {
  campaignTransactionPages,
  listGiftCampaigns,
  type VoucherifyApiConfig,
} from '../voucherify/voucherify-api'
import type { SweepApi } from './sweep-campaigns'

/** How long one sweep waits out a 429's Retry-After before it stops and leaves the rest. */
const MAX_RETRY_WAIT_MS = 60_000

/** Voucherify's API as the sweep reads it: every request inside `requestsPerMinute`. */
export function voucherifySweepApi(
  config: Pick<VoucherifyApiConfig, 'baseUrl' | 'appId' | 'secretKey' | 'pageSize'> & {
    requestsPerMinute: number
  },
): SweepApi {
  const api: VoucherifyApiConfig = {
    ...config,
    pacer: requestPacer(config.requestsPerMinute),
    maxAttempts: 5,
    maxRetryWaitMs: MAX_RETRY_WAIT_MS,
  }
  return {
    listGiftCampaigns: (signal) => listGiftCampaigns(api, signal),
    campaignTransactionPages: (campaignId, startingAfter, signal) =>
      campaignTransactionPages(api, campaignId, { order: '-id', startingAfter }, signal),
  }
}
