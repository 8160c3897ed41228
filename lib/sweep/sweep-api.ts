import { type RequestPacer, requestPacer, type Sleep } from '../voucherify/request-pacer'
import type { ApiTransaction } from '../voucherify/transaction-payload'
import {
  campaignTransactionPages,
  findCampaignTransaction,
  type GiftCampaigns,
  listGiftCampaigns,
  type TransactionPage,
  type VoucherifyApiConfig,
} from '../voucherify/voucherify-api'

/** What the sweep reads of Voucherify's API. */
export interface SweepApi {
  listGiftCampaigns(signal?: AbortSignal): Promise<GiftCampaigns>
  /** A campaign's transactions in id order (`order=id`), after `startingAfter` or from the start. */
  campaignTransactionPages(
    campaignId: string,
    startingAfter: string | undefined,
    signal?: AbortSignal,
  ): AsyncIterable<TransactionPage>
  /** One transaction of the campaign by id; undefined when Voucherify no longer lists it. */
  findTransaction(
    campaignId: string,
    transactionId: string,
    signal?: AbortSignal,
  ): Promise<ApiTransaction | undefined>
}

/** How long one sweep waits out a 429's Retry-After; a longer one stops the run politely. */
const MAX_RETRY_WAIT_MS = 60_000

export type SweepApiConfig = Pick<
  VoucherifyApiConfig,
  'baseUrl' | 'appId' | 'secretKey' | 'pageSize' | 'fetch' | 'sleep'
> & { requestsPerMinute: number; pacer?: RequestPacer; sleep?: Sleep }

/** Voucherify's API as the sweep reads it: every request inside `requestsPerMinute`. */
export function voucherifySweepApi(config: SweepApiConfig): SweepApi {
  const api: VoucherifyApiConfig = {
    ...config,
    pacer: config.pacer ?? requestPacer(config.requestsPerMinute),
    maxAttempts: 5,
    maxRetryWaitMs: MAX_RETRY_WAIT_MS,
  }
  return {
    listGiftCampaigns: (signal) => listGiftCampaigns(api, signal),
    campaignTransactionPages: (campaignId, startingAfter, signal) =>
      campaignTransactionPages(api, campaignId, { order: 'id', startingAfter }, signal),
    findTransaction: (campaignId, transactionId, signal) =>
      findCampaignTransaction(api, campaignId, transactionId, signal),
  }
}
