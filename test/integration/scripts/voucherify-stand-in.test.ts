// The Voucherify stand-in started on 127.0.0.1: that the server answers through the same code as
// the in-process `standInFetch`, its 429s on demand and its record of requests over HTTP. What it
// answers is tested without I/O, in test/unit/scripts/local/voucherify-stand-in.test.ts.

import {
  type StandInRequest,
  standInFetch,
  startVoucherifyStandIn,
  type VoucherifyStandIn,
} from '../../../scripts/local/voucherify-stand-in'

const KEYS = { appId: 'app-id', secretKey: 'secret-key' }
const RIGHT_KEYS = { 'x-app-id': 'app-id', 'x-app-token': 'secret-key' }
const campaigns = [{ id: 'camp_gift', name: 'Gift Cards', campaign_type: 'GIFT_VOUCHERS' }]
const transaction = (id: string) => ({
  id,
  campaign_id: 'camp_gift',
  created_at: '2025-01-01T00:00:00.000Z',
})
const cards = [
  { id: 'v_1', code: 'GIFT-1', transactions: ['vtx_2', 'vtx_1', 'vtx_3'].map(transaction) },
]

let standIn: VoucherifyStandIn

beforeEach(async () => {
  standIn = await startVoucherifyStandIn({ ...KEYS, cards, campaigns })
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

  it('answers over HTTP exactly what standInFetch answers in-process', async () => {
    const inProcess = standInFetch({ ...KEYS, cards, campaigns })
    const path = '/v1/campaigns/camp_gift/transactions?limit=2'

    const overHttp = await fetch(`${standIn.url}${path}`, { headers: RIGHT_KEYS })
    const direct = await inProcess.fetch(`http://voucherify.stand-in${path}`, {
      headers: RIGHT_KEYS,
    })

    expect(overHttp.status).toBe(direct.status)
    expect(await overHttp.json()).toEqual(await direct.json())
  })

  it('tells onRequest of each request it answered', async () => {
    const told: StandInRequest[] = []
    const watched = await startVoucherifyStandIn({ ...KEYS, cards, campaigns }, 0, (request) =>
      told.push(request),
    )

    try {
      await (await fetch(`${watched.url}/v1/campaigns`, { headers: RIGHT_KEYS })).text()
    } finally {
      await watched.close()
    }

    expect(told).toEqual([{ method: 'GET', path: '/v1/campaigns', query: {}, status: 200 }])
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
