// The Voucherify stand-in started on 127.0.0.1: what only the server does, its 429s on demand
// and its record of requests. What it answers is tested without I/O, in
// test/unit/scripts/local/voucherify-stand-in.test.ts.

import {
  startVoucherifyStandIn,
  type VoucherifyStandIn,
} from '../../../scripts/local/voucherify-stand-in'

const KEYS = { appId: 'app-id', secretKey: 'secret-key' }
const RIGHT_KEYS = { 'x-app-id': 'app-id', 'x-app-token': 'secret-key' }
const campaigns = [{ id: 'camp_gift', name: 'Gift Cards', campaign_type: 'GIFT_VOUCHERS' }]

let standIn: VoucherifyStandIn

beforeEach(async () => {
  standIn = await startVoucherifyStandIn({ ...KEYS, cards: [], campaigns })
})

afterEach(() => standIn.close())

const listCampaigns = (headers: Record<string, string> = RIGHT_KEYS) =>
  fetch(`${standIn.url}/v1/campaigns?campaign_type=GIFT_VOUCHERS`, { headers })

describe('the started Voucherify stand-in', () => {
  it('answers exactly the next two requests 429 with Retry-After 3 after throttleNext(2, 3)', async () => {
    standIn.throttleNext(2, 3)

    const answers = [await listCampaigns(), await listCampaigns(), await listCampaigns()]

    expect(answers.map(({ status }) => status)).toEqual([429, 429, 200])
    expect(answers.map(({ headers }) => headers.get('retry-after'))).toEqual(['3', '3', null])
    expect(answers[0]?.headers.get('x-rate-limit-remaining')).toBe('0')
    expect(answers[0]?.headers.get('x-rate-limit-limit')).toMatch(/^\d+$/)
    expect(await answers[0]?.json()).toMatchObject({ code: 429, key: 'too_many_requests' })
  })

  it('answers a request with wrong keys 401 without using up a throttled answer', async () => {
    standIn.throttleNext(1)

    const wrongKeys = await listCampaigns({ 'x-app-id': 'app-id', 'x-app-token': 'wrong' })
    const throttled = await listCampaigns()

    expect([wrongKeys.status, throttled.status]).toEqual([401, 429])
    expect(throttled.headers.get('retry-after')).toBe('1')
  })

  it('records every request with its method, path, query and the status it answered', async () => {
    standIn.throttleNext(1)

    await listCampaigns()
    await listCampaigns()

    expect(standIn.requests).toEqual([
      {
        method: 'GET',
        path: '/v1/campaigns',
        query: { campaign_type: 'GIFT_VOUCHERS' },
        status: 429,
      },
      {
        method: 'GET',
        path: '/v1/campaigns',
        query: { campaign_type: 'GIFT_VOUCHERS' },
        status: 200,
      },
    ])
  })
})
