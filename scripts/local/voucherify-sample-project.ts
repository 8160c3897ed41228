import { API_TRANSACTION_EVENT_TYPE } from '../../lib/voucherify/transaction-payload'
import { cardHistory } from '../card-history'
import { randomId } from '../sample-events'
import type { StandInOptions } from './voucherify-stand-in'

type Json = Record<string, unknown>

/** The keys serverless.yml gives the local stage's sweep (VOUCHERIFY_APP_ID/SECRET_KEY). */
export function localApiKeys(env: NodeJS.ProcessEnv) {
  return {
    appId: env.VOUCHERIFY_APP_ID || 'local-app-id',
    secretKey: env.VOUCHERIFY_SECRET_KEY || 'local-secret-key',
  }
}

/** A loyalty card's transaction of 100 points, as the campaign transactions endpoint lists one. */
export function loyaltyTransaction(
  campaignId: string,
  createdAt: string,
  { cardId = randomId('v'), type = 'POINTS_ADDITION' } = {},
): Json {
  return {
    id: randomId('vtx'),
    voucher_id: cardId,
    campaign_id: campaignId,
    type,
    source: 'API',
    details: {
      balance: {
        type: 'loyalty_card',
        total: 100,
        amount: 100,
        object: 'balance',
        points: 100,
        balance: 100,
        related_object: { id: cardId, type: 'voucher' },
      },
    },
    created_at: createdAt,
  }
}

/**
 * What the stand-in `npm start` runs knows: one gift card campaign with a card's ten
 * transactions, none of which a webhook delivered (the sweep takes them in), and a loyalty
 * campaign whose points the sweep leaves alone.
 */
export function sampleVoucherifyProject(env: NodeJS.ProcessEnv): StandInOptions & {
  giftCampaignId: string
} {
  const card = cardHistory()
  const transactions = card.transactions.map(
    (transaction) => transaction.dataFor(API_TRANSACTION_EVENT_TYPE).transaction as Json,
  )
  const giftCampaignId = String(transactions[0]?.campaign_id)
  const loyaltyCampaignId = 'camp_local_loyalty'
  return {
    ...localApiKeys(env),
    giftCampaignId,
    campaigns: [
      { id: giftCampaignId, name: 'Local gift cards', campaign_type: 'GIFT_VOUCHERS' },
      { id: loyaltyCampaignId, name: 'Local loyalty', campaign_type: 'LOYALTY_PROGRAM' },
    ],
    cards: [
      { id: card.voucherId, code: randomId('GIFT'), transactions },
      {
        id: randomId('v'),
        code: randomId('LOYAL'),
        transactions: [loyaltyTransaction(loyaltyCampaignId, '2026-03-01T08:00:00.000Z')],
      },
    ],
  }
}
