// The Voucherify stand-in the reconcile and sweep tests run against answers as Voucherify's
// OpenAPI says the API does: 200 answers as test/fixtures/voucherify-gift-api.openapi.json
// describes them, errors as the `Error` object of
// test/fixtures/voucherify-list-voucher-transactions.openapi.json (the gift API subset documents
// no error answers). Both are excerpts of voucherifyio/voucherify-openapi: the real API is not
// reachable from here. Where the document leaves a behaviour open, the stand-in's least
// convenient choice is held here too. What only the started server does is tested in
// test/integration/scripts/voucherify-stand-in.test.ts.

import {
  CursorRefusedError,
  campaignTransactionPages,
} from '../../../../lib/voucherify/voucherify-api'
import {
  answerFor,
  describeStandInRequest,
  type StandInCampaign,
  type StandInCard,
  type StandInOptions,
  type StandInRequest,
  standInFetch,
  tooManyRequests,
} from '../../../../scripts/local/voucherify-stand-in'
import { randomId } from '../../../../scripts/sample-events'
import giftApi from '../../../fixtures/voucherify-gift-api.openapi.json'
import listOpenApi from '../../../fixtures/voucherify-list-voucher-transactions.openapi.json'
import { giftCard, transactionOf } from '../../../support/gift-card'
import { type OpenApiDocument, responseSchema, schemaErrors } from '../../../support/openapi-schema'

type Json = Record<string, unknown>

const document = giftApi as unknown as OpenApiDocument
const errorDocument = listOpenApi as unknown as OpenApiDocument
const KEYS = { appId: 'app-id', secretKey: 'secret-key' }
const RIGHT_KEYS = { 'x-app-id': 'app-id', 'x-app-token': 'secret-key' }
const START = new Date('2025-01-01T00:00:00.000Z')

const GIFT: StandInCampaign = {
  id: 'camp_gift',
  name: 'Gift Cards',
  campaign_type: 'GIFT_VOUCHERS',
}
const LOYALTY: StandInCampaign = {
  id: 'camp_loyalty',
  name: 'Loyalty Program',
  campaign_type: 'LOYALTY_PROGRAM',
}
const COUPONS: StandInCampaign = {
  id: 'camp_coupons',
  name: 'Coupons',
  campaign_type: 'DISCOUNT_COUPONS',
}

/** A gift card of `campaign` with `count` credit additions, a second apart from `startAt`. */
function giftCardIn(campaign: StandInCampaign, count: number, startAt = START): StandInCard {
  const card = giftCard(Array(count).fill('CREDITS_ADDITION'), { startAt })
  const transactions = card.events.map((data) => ({
    ...transactionOf(data as Json),
    campaign_id: campaign.id,
  }))
  return { id: card.voucherId, code: randomId('GIFT'), transactions }
}

/** A loyalty card of `campaign` with `count` point additions, a second apart from `startAt`. */
function loyaltyCardIn(campaign: StandInCampaign, count: number, startAt = START): StandInCard {
  const id = randomId('v')
  const transactions = Array.from({ length: count }, (_, index) => ({
    id: randomId('vtx'),
    source_id: null,
    voucher_id: id,
    campaign_id: campaign.id,
    source: 'API',
    reason: null,
    type: 'POINTS_ADDITION',
    details: {
      balance: {
        type: 'loyalty_card',
        total: (index + 1) * 10,
        object: 'balance',
        points: 10,
        balance: (index + 1) * 10,
        operation_type: 'MANUAL',
        related_object: { id, type: 'voucher' },
      },
    },
    related_transaction_id: null,
    created_at: new Date(startAt.getTime() + index * 1_000).toISOString(),
  }))
  return { id, code: randomId('LOYALTY'), transactions }
}

function get(options: StandInOptions, pathAndQuery: string, headers = RIGHT_KEYS) {
  return answerFor(options, {
    method: 'GET',
    url: new URL(`http://127.0.0.1${pathAndQuery}`),
    headers,
  })
}

const idsOf = (body: Json) => (body.data as Json[]).map(({ id }) => id)
const idsInOrder = (card: StandInCard) => card.transactions.map(({ id }) => String(id)).sort()

/** A gift transaction of `card` with its own `id` and `created_at`. */
const transactionAt = (card: StandInCard, id: string, createdAt: string): Json => ({
  ...card.transactions[0],
  id,
  created_at: createdAt,
})
const conforms = (path: string, body: Json) =>
  schemaErrors(document, responseSchema(document, path, 'get', 200), body)
const errorErrors = (body: Json) =>
  schemaErrors(errorDocument, { $ref: '#/components/schemas/Error' }, body)

/** Every transaction `path` lists, page by page along `more_starting_after`. */
function walk(options: StandInOptions, path: string, limit: number): unknown[] {
  const listed: unknown[] = []
  let after: unknown
  do {
    const cursor = after === undefined ? '' : `&starting_after_id=${after}`
    const { body } = get(options, `${path}?limit=${limit}${cursor}`)
    listed.push(...idsOf(body))
    after = body.has_more ? body.more_starting_after : undefined
  } while (after !== undefined)
  return listed
}

describe('GET /v1/campaigns on the stand-in', () => {
  const PATH = '/v1/campaigns'

  it('answers the documented campaign list, each campaign a documented campaign object', () => {
    const options = { ...KEYS, cards: [giftCardIn(GIFT, 1)], campaigns: [GIFT, LOYALTY, COUPONS] }

    const answer = get(options, PATH)

    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ object: 'list', data_ref: 'campaigns', total: 3 })
    expect(conforms(PATH, answer.body)).toEqual([])
  })

  it('describes each campaign by its id, name and type, and counts its cards', () => {
    const options = {
      ...KEYS,
      cards: [giftCardIn(GIFT, 1), giftCardIn(GIFT, 2)],
      campaigns: [GIFT],
    }

    const { body } = get(options, PATH)

    expect(body.campaigns).toEqual([
      expect.objectContaining({
        id: 'camp_gift',
        name: 'Gift Cards',
        campaign_type: 'GIFT_VOUCHERS',
        vouchers_count: 2,
        voucher: expect.objectContaining({ type: 'GIFT_VOUCHER' }),
        object: 'campaign',
      }),
    ])
  })

  it('walks the campaigns page by page, each once, in the order given', () => {
    const campaigns = Array.from({ length: 5 }, (_, index) => ({ ...GIFT, id: `camp_${index}` }))
    const options = { ...KEYS, cards: [], campaigns }

    const pages = [1, 2, 3, 4].map((page) => get(options, `${PATH}?limit=2&page=${page}`).body)

    expect(pages.map(({ campaigns }) => (campaigns as Json[]).map(({ id }) => id))).toEqual([
      ['camp_0', 'camp_1'],
      ['camp_2', 'camp_3'],
      ['camp_4'],
      [],
    ])
    expect(pages.map(({ total }) => total)).toEqual([5, 5, 5, 5])
  })

  it('lists only the gift campaigns when asked for campaign_type GIFT_VOUCHERS', () => {
    const options = { ...KEYS, cards: [], campaigns: [LOYALTY, GIFT, COUPONS] }

    const { body } = get(options, `${PATH}?campaign_type=GIFT_VOUCHERS`)

    expect((body.campaigns as Json[]).map(({ id }) => id)).toEqual(['camp_gift'])
    expect(body.total).toBe(1)
  })

  it('answers 10 campaigns when no limit is given, as documented', () => {
    const campaigns = Array.from({ length: 12 }, (_, index) => ({ ...GIFT, id: `camp_${index}` }))

    const { body } = get({ ...KEYS, cards: [], campaigns }, PATH)

    expect((body.campaigns as Json[]).length).toBe(10)
  })

  it('lists no campaigns when it was given none', () => {
    const { body } = get({ ...KEYS, cards: [] }, PATH)

    expect(body).toMatchObject({ campaigns: [], total: 0 })
  })

  it('answers page 100, the last page the document allows', () => {
    const answer = get({ ...KEYS, cards: [], campaigns: [GIFT] }, `${PATH}?page=100`)

    expect(answer.status).toBe(200)
    expect(answer.body.campaigns).toEqual([])
  })

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['page=0'],
    ['page=101'],
    ['page=1.5'],
    ['campaign_type=GIFT_CARDS'],
  ])('answers 400 with the documented error object to %s', (query) => {
    const answer = get({ ...KEYS, cards: [], campaigns: [GIFT] }, `${PATH}?${query}`)

    expect(answer.status).toBe(400)
    expect(errorErrors(answer.body)).toEqual([])
  })
})

describe('GET /v1/campaigns/{campaignId}/transactions on the stand-in', () => {
  const PATH = '/v1/campaigns/{campaignId}/transactions'
  const pathOf = (campaign: string) => `/v1/campaigns/${campaign}/transactions`

  it('answers the documented transaction list, each a VoucherTransaction', () => {
    const options = { ...KEYS, cards: [giftCardIn(GIFT, 3)], campaigns: [GIFT] }

    const answer = get(options, pathOf('camp_gift'))

    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ object: 'list', data_ref: 'data', has_more: false })
    expect(conforms(PATH, answer.body)).toEqual([])
  })

  it('lists every transaction exactly once along the cursor, ascending by id when no order is named', () => {
    const first = giftCardIn(GIFT, 3, START)
    const second = giftCardIn(GIFT, 3, new Date(START.getTime() + 500))
    const options = { ...KEYS, cards: [first, second], campaigns: [GIFT] }

    const listed = walk(options, pathOf('camp_gift'), 2)

    expect(listed).toEqual([...idsInOrder(first), ...idsInOrder(second)].sort())
  })

  it('answers a page with has_more and more_starting_after set to its last transaction', () => {
    const options = { ...KEYS, cards: [giftCardIn(GIFT, 3)], campaigns: [GIFT] }

    const { body } = get(options, `${pathOf('camp_gift')}?limit=2`)

    expect(body.has_more).toBe(true)
    expect(body.more_starting_after).toBe(idsOf(body)[1])
  })

  it('answers the last page with has_more false and more_starting_after null', () => {
    const options = { ...KEYS, cards: [giftCardIn(GIFT, 3)], campaigns: [GIFT] }
    const first = get(options, `${pathOf('camp_gift')}?limit=2`).body

    const { body } = get(
      options,
      `${pathOf('camp_gift')}?limit=2&starting_after_id=${first.more_starting_after}`,
    )

    expect(body).toMatchObject({ has_more: false, more_starting_after: null })
    expect(idsOf(body)).toHaveLength(1)
  })

  it('answers a gift campaign without transactions with data [], has_more false and more_starting_after null', () => {
    const options = { ...KEYS, cards: [], campaigns: [GIFT] }

    const { body } = get(options, pathOf('camp_gift'))

    expect(body).toEqual({
      object: 'list',
      data_ref: 'data',
      data: [],
      has_more: false,
      more_starting_after: null,
    })
  })

  it('lists the gift transactions of a gift campaign and none of another campaign', () => {
    const gift = giftCardIn(GIFT, 2)
    const options = {
      ...KEYS,
      cards: [gift, loyaltyCardIn(LOYALTY, 2)],
      campaigns: [GIFT, LOYALTY],
    }

    const { body } = get(options, pathOf('camp_gift'))

    expect(idsOf(body)).toEqual(idsInOrder(gift))
  })

  it('lists the loyalty transactions of a loyalty campaign, in the documented schema', () => {
    const loyalty = loyaltyCardIn(LOYALTY, 2)
    const options = { ...KEYS, cards: [giftCardIn(GIFT, 2), loyalty], campaigns: [GIFT, LOYALTY] }

    const { body } = get(options, pathOf('camp_loyalty'))

    expect(idsOf(body)).toEqual(idsInOrder(loyalty))
    expect(conforms(PATH, body)).toEqual([])
  })

  it('finds the campaign by its name as well as by its id', () => {
    const options = { ...KEYS, cards: [giftCardIn(GIFT, 2)], campaigns: [GIFT] }

    const byName = get(options, pathOf(encodeURIComponent('Gift Cards')))

    expect(idsOf(byName.body)).toEqual(idsOf(get(options, pathOf('camp_gift')).body))
  })

  it('sorts by id when asked for order=id', () => {
    const card = giftCardIn(GIFT, 4)
    const options = { ...KEYS, cards: [card], campaigns: [GIFT] }

    const { body } = get(options, `${pathOf('camp_gift')}?order=id`)

    expect(idsOf(body)).toEqual(idsInOrder(card))
  })

  it('sorts by id descending when asked for order=-id', () => {
    const card = giftCardIn(GIFT, 4)
    const options = { ...KEYS, cards: [card], campaigns: [GIFT] }

    const { body } = get(options, `${pathOf('camp_gift')}?order=-id`)

    expect(idsOf(body)).toEqual(idsInOrder(card).reverse())
  })

  it('sorts by id, not by created_at, when the times run against the ids', () => {
    const card = giftCardIn(GIFT, 1)
    card.transactions = [
      transactionAt(card, 'vtx_a', '2025-01-03T00:00:00.000Z'),
      transactionAt(card, 'vtx_b', '2025-01-01T00:00:00.000Z'),
      transactionAt(card, 'vtx_c', '2025-01-02T00:00:00.000Z'),
    ]
    const options = { ...KEYS, cards: [card], campaigns: [GIFT] }

    const { body } = get(options, `${pathOf('camp_gift')}?order=-id`)

    expect(idsOf(body)).toEqual(['vtx_c', 'vtx_b', 'vtx_a'])
  })

  it('lists each of several transactions sharing one created_at exactly once along the cursor', () => {
    const card = giftCardIn(GIFT, 1)
    const at = '2025-01-01T00:00:00.000Z'
    card.transactions = ['vtx_3', 'vtx_1', 'vtx_2'].map((id) => transactionAt(card, id, at))
    const options = { ...KEYS, cards: [card], campaigns: [GIFT] }

    const listed = walk(options, pathOf('camp_gift'), 1)

    expect(listed).toEqual(['vtx_1', 'vtx_2', 'vtx_3'])
  })

  it('lists a transaction added later with an older created_at in its place by id: listed late', () => {
    const card = giftCardIn(GIFT, 1)
    card.transactions = [
      transactionAt(card, 'vtx_1', '2025-01-01T00:00:00.000Z'),
      transactionAt(card, 'vtx_3', '2025-01-03T00:00:00.000Z'),
    ]
    const options = { ...KEYS, cards: [card], campaigns: [GIFT] }
    get(options, pathOf('camp_gift'))

    card.transactions.push(transactionAt(card, 'vtx_2', '2024-12-31T00:00:00.000Z'))
    const { body } = get(options, pathOf('camp_gift'))

    expect(idsOf(body)).toEqual(['vtx_1', 'vtx_2', 'vtx_3'])
  })

  it('answers the documented empty list for a campaign of another type', () => {
    const options = { ...KEYS, cards: [], campaigns: [COUPONS] }

    const answer = get(options, pathOf('camp_coupons'))

    expect(answer).toEqual({
      status: 200,
      body: { object: 'list', data_ref: 'data', data: [], total: 0 },
    })
  })

  it('answers 404 with the documented error object for a campaign it does not know', () => {
    const answer = get({ ...KEYS, cards: [], campaigns: [GIFT] }, pathOf('camp_unknown'))

    expect(answer.status).toBe(404)
    expect(answer.body).toMatchObject({ code: 404, key: 'not_found', resource_type: 'campaign' })
    expect(errorErrors(answer.body)).toEqual([])
  })

  it.each([['limit=0'], ['limit=101'], ['order=created_at']])(
    'answers 400 with the documented error object to %s',
    (query) => {
      const options = { ...KEYS, cards: [giftCardIn(GIFT, 1)], campaigns: [GIFT] }

      const answer = get(options, `${pathOf('camp_gift')}?${query}`)

      expect(answer.status).toBe(400)
      expect(errorErrors(answer.body)).toEqual([])
    },
  )

  it('answers 404 with the documented error object to a starting_after_id it does not list', () => {
    const options = { ...KEYS, cards: [giftCardIn(GIFT, 1)], campaigns: [GIFT] }

    const answer = get(options, `${pathOf('camp_gift')}?starting_after_id=vtx_unknown`)

    expect(answer.status).toBe(404)
    expect(answer.body).toMatchObject({ key: 'not_found', resource_type: 'transaction' })
    expect(errorErrors(answer.body)).toEqual([])
  })

  it('answers 400 with the documented error object to a starting_after_id marked expired', () => {
    const card = giftCardIn(GIFT, 3)
    const cursor = idsInOrder(card)[0] as string
    const options = { ...KEYS, cards: [card], campaigns: [GIFT], expiredCursors: new Set([cursor]) }

    const answer = get(options, `${pathOf('camp_gift')}?starting_after_id=${cursor}`)

    expect(answer.status).toBe(400)
    expect(errorErrors(answer.body)).toEqual([])
  })

  it('still lists a transaction whose id is marked expired as a cursor', () => {
    const card = giftCardIn(GIFT, 3)
    const options = {
      ...KEYS,
      cards: [card],
      campaigns: [GIFT],
      expiredCursors: new Set(idsInOrder(card)),
    }

    const { body } = get(options, pathOf('camp_gift'))

    expect(idsOf(body)).toEqual(idsInOrder(card))
  })
})

describe('GET /v1/vouchers/{code} on the stand-in', () => {
  const PATH = '/v1/vouchers/{code}'

  it('answers the documented voucher object of a gift card', () => {
    const card = giftCardIn(GIFT, 2)

    const answer = get({ ...KEYS, cards: [card], campaigns: [GIFT] }, `/v1/vouchers/${card.code}`)

    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      id: card.id,
      code: card.code,
      campaign: 'Gift Cards',
      campaign_id: 'camp_gift',
      type: 'GIFT_VOUCHER',
      object: 'voucher',
    })
    expect(conforms(PATH, answer.body)).toEqual([])
  })

  it("gives as gift.balance the balance after the card's last transaction as they happened", () => {
    const events = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION'], { startAt: START }).events
    const transactions = events.map((data) => transactionOf(data as Json))
    const card = { id: 'v_card', code: 'GIFT-CODE', transactions }

    const { body } = get({ ...KEYS, cards: [card] }, '/v1/vouchers/GIFT-CODE')

    expect(body.gift).toMatchObject({ amount: 5000, balance: 4300, effect: 'APPLY_TO_ORDER' })
  })

  it('gives as gift.balance the balance after the last transaction, even when its created_at is older', () => {
    const events = giftCard(['CREDITS_ADDITION', 'CREDITS_REDEMPTION'], { startAt: START }).events
    const transactions = events.map((data) => transactionOf(data as Json))
    const last = transactions[1] as Json
    last.created_at = new Date(START.getTime() - 60_000).toISOString()
    const card = { id: 'v_card', code: 'GIFT-CODE', transactions }

    const { body } = get({ ...KEYS, cards: [card] }, '/v1/vouchers/GIFT-CODE')

    expect(body.gift).toMatchObject({ balance: 4300 })
  })

  it('finds the voucher by its id as well as by its code', () => {
    const card = giftCardIn(GIFT, 1)

    const { body } = get({ ...KEYS, cards: [card] }, `/v1/vouchers/${card.id}`)

    expect(body.code).toBe(card.code)
  })

  it('answers 404 with the documented error object for a voucher it does not know', () => {
    const answer = get({ ...KEYS, cards: [] }, '/v1/vouchers/NO-SUCH-CODE')

    expect(answer.status).toBe(404)
    expect(answer.body).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' })
    expect(errorErrors(answer.body)).toEqual([])
  })
})

describe('GET /v1/vouchers/{code}/transactions on the stand-in', () => {
  const PATH = '/v1/vouchers/{code}/transactions'
  const CODE_PATH = '/v1/vouchers/GIFT-CODE/transactions'

  function standIn(transactionCount: number): StandInOptions & { ids: string[] } {
    const card = { ...giftCardIn(GIFT, transactionCount), code: 'GIFT-CODE' }
    return { ...KEYS, cards: [card], ids: card.transactions.map(({ id }) => String(id)) }
  }

  it('lists transactions in the documented response schema, each a VoucherTransaction', () => {
    const answer = get(standIn(3), CODE_PATH)

    expect(answer.status).toBe(200)
    expect(conforms(PATH, answer.body)).toEqual([])
  })

  it('pages with limit, has_more and more_starting_after, read on with starting_after_id', () => {
    const options = standIn(5)

    const listed = walk(options, CODE_PATH, 2)

    expect(listed).toEqual([...options.ids].sort())
  })

  it('answers 10 transactions when no limit is given, as documented', () => {
    expect(idsOf(get(standIn(12), CODE_PATH).body).length).toBe(10)
  })

  it('finds the voucher by its id as well as by its code', () => {
    const options = standIn(1)

    const { body } = get(options, `/v1/vouchers/${options.cards[0]?.id}/transactions`)

    expect(idsOf(body)).toEqual(options.ids)
  })

  it('answers 404 with the documented error object for a voucher it does not know', () => {
    const answer = get(standIn(1), '/v1/vouchers/NO-SUCH-CODE/transactions')

    expect(answer.status).toBe(404)
    expect(answer.body).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' })
    expect(errorErrors(answer.body)).toEqual([])
  })
})

describe('every endpoint of the stand-in', () => {
  const options = {
    ...KEYS,
    cards: [{ ...giftCardIn(GIFT, 1), code: 'GIFT-CODE' }],
    campaigns: [GIFT],
  }
  const endpoints = [
    '/v1/campaigns',
    '/v1/campaigns/camp_gift/transactions',
    '/v1/vouchers/GIFT-CODE',
    '/v1/vouchers/GIFT-CODE/transactions',
  ]

  it.each(endpoints)("answers %s with wrong keys 401 and Voucherify's error object", (path) => {
    const answer = get(options, path, { 'x-app-id': 'app-id', 'x-app-token': 'wrong' })

    expect(answer).toEqual({
      status: 401,
      body: { code: 401, message: 'Unauthorized', key: 'unauthorized' },
    })
    expect(errorErrors(answer.body)).toEqual([])
  })

  it.each(endpoints)('answers a POST to %s 405', (path) => {
    const answer = answerFor(options, {
      method: 'POST',
      url: new URL(`http://127.0.0.1${path}`),
      headers: RIGHT_KEYS,
    })

    expect(answer.status).toBe(405)
    expect(errorErrors(answer.body)).toEqual([])
  })

  it('answers 404 to a path it does not serve', () => {
    const answer = get(options, '/v1/redemptions')

    expect(answer.status).toBe(404)
    expect(errorErrors(answer.body)).toEqual([])
  })
})

describe('the 429 answer of the stand-in', () => {
  it('carries Retry-After, the rate limit headers and the error object with code 429', () => {
    const answer = tooManyRequests(3)

    expect(answer.status).toBe(429)
    expect(answer.headers).toMatchObject({
      'retry-after': '3',
      'x-rate-limit-limit': expect.stringMatching(/^\d+$/),
      'x-rate-limit-remaining': '0',
    })
    expect(answer.body).toMatchObject({ code: 429, key: 'too_many_requests' })
    expect(errorErrors(answer.body)).toEqual([])
  })
})

describe('the stand-in answering in-process (standInFetch)', () => {
  const options = {
    ...KEYS,
    cards: [{ ...giftCardIn(GIFT, 3), code: 'GIFT-CODE' }],
    campaigns: [GIFT],
  }
  const request = (path: string, init: RequestInit = { headers: RIGHT_KEYS }) =>
    new Request(`http://voucherify.stand-in${path}`, init)

  it('answers a request with what answerFor answers, as JSON', async () => {
    const standIn = standInFetch(options)

    const response = await standIn.fetch(request('/v1/campaigns/camp_gift/transactions?limit=2'))

    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.json()).toEqual(
      get(options, '/v1/campaigns/camp_gift/transactions?limit=2').body,
    )
  })

  it('serves the real Voucherify client a whole campaign along the cursor', async () => {
    const standIn = standInFetch(options)
    const config = {
      baseUrl: 'http://voucherify.stand-in',
      ...KEYS,
      pageSize: 2,
      fetch: standIn.fetch,
    }

    const pages = campaignTransactionPages(config, 'camp_gift', { order: 'id' })
    const listed: unknown[] = []
    for await (const page of pages) listed.push(...page.data.map(({ id }) => id))

    expect(listed).toEqual(idsInOrder(options.cards[0] as StandInCard))
  })

  it.each([
    ['unknown', 'vtx_unknown'],
    ['expired', 'vtx_expired'],
  ])(
    'refuses the real client an %s cursor, which it throws as CursorRefusedError',
    async (_, cursor) => {
      const card = options.cards[0] as StandInCard
      const listed = {
        ...card,
        transactions: [
          ...card.transactions,
          transactionAt(card, 'vtx_expired', '2025-01-01T00:00:00.000Z'),
        ],
      }
      const standIn = standInFetch({
        ...options,
        cards: [listed],
        expiredCursors: new Set(['vtx_expired']),
      })
      const config = { baseUrl: 'http://voucherify.stand-in', ...KEYS, fetch: standIn.fetch }

      const pages = campaignTransactionPages(config, 'camp_gift', {
        order: 'id',
        startingAfter: cursor,
      })

      await expect(pages.next()).rejects.toBeInstanceOf(CursorRefusedError)
    },
  )

  it('records each request with its method, path, query and the status it answered', async () => {
    const standIn = standInFetch(options)

    await standIn.fetch(request('/v1/campaigns?campaign_type=GIFT_VOUCHERS'))

    expect(standIn.requests).toEqual([
      {
        method: 'GET',
        path: '/v1/campaigns',
        query: { campaign_type: 'GIFT_VOUCHERS' },
        status: 200,
      },
    ])
  })

  it('answers the next requests 429 with Retry-After and the rate limit headers after throttleNext', async () => {
    const standIn = standInFetch(options)
    standIn.throttleNext(1, 3)

    const throttled = await standIn.fetch(request('/v1/campaigns'))
    const next = await standIn.fetch(request('/v1/campaigns'))

    expect([throttled.status, next.status]).toEqual([429, 200])
    expect(throttled.headers.get('retry-after')).toBe('3')
    expect(throttled.headers.get('x-rate-limit-remaining')).toBe('0')
  })

  it('tells onRequest of each request it answered', async () => {
    const told: StandInRequest[] = []
    const standIn = standInFetch(options, (answered) => told.push(answered))

    await standIn.fetch(request('/v1/vouchers/GIFT-CODE'))

    expect(told).toEqual(standIn.requests)
  })

  it('rejects a request whose signal has aborted, as fetch does, and records nothing', async () => {
    const standIn = standInFetch(options)
    const aborted = AbortSignal.abort(new Error('stopped'))

    const answer = standIn.fetch(request('/v1/campaigns', { headers: RIGHT_KEYS, signal: aborted }))

    await expect(answer).rejects.toThrow('stopped')
    expect(standIn.requests).toEqual([])
  })
})

describe('describeStandInRequest', () => {
  it('writes one line with method, path, query and status', () => {
    const line = describeStandInRequest({
      method: 'GET',
      path: '/v1/campaigns/camp_gift/transactions',
      query: { limit: '100', order: 'id' },
      status: 200,
    })

    expect(line).toBe('GET /v1/campaigns/camp_gift/transactions?limit=100&order=id 200')
  })
})

describe('the schema check the stand-in is held to', () => {
  it('finds a transaction without its required created_at', () => {
    const { body } = get(
      { ...KEYS, cards: [{ ...giftCardIn(GIFT, 1), code: 'GIFT-CODE' }] },
      '/v1/vouchers/GIFT-CODE/transactions',
    )
    delete ((body.data as Json[])[0] as Json).details

    expect(conforms('/v1/vouchers/{code}/transactions', body)).toEqual([
      '(root).data[0].details: is required',
    ])
  })
})
