// The Voucherify stand-in the reconcile tests run against answers as the endpoint's OpenAPI
// says Voucherify does (test/fixtures/voucherify-list-voucher-transactions.openapi.json, an
// excerpt of voucherifyio/voucherify-openapi): the real API is not reachable from here.

import { answerFor, type StandInOptions } from '../../../../scripts/local/voucherify-stand-in'
import listOpenApi from '../../../fixtures/voucherify-list-voucher-transactions.openapi.json'
import { giftCard, transactionOf } from '../../../support/gift-card'
import { type OpenApiDocument, responseSchema, schemaErrors } from '../../../support/openapi-schema'

type Json = Record<string, unknown>

const document = listOpenApi as unknown as OpenApiDocument
const PATH = '/v1/vouchers/{code}/transactions'
const KEYS = { appId: 'app-id', secretKey: 'secret-key' }

function standIn(transactionCount: number): StandInOptions & { ids: string[] } {
  const card = giftCard(Array(transactionCount).fill('CREDITS_ADDITION'))
  const transactions = card.events.map((data) => transactionOf(data as Json))
  return {
    ...KEYS,
    cards: [{ id: card.voucherId, code: 'GIFT-CODE', transactions }],
    ids: transactions.map(({ id }) => String(id)),
  }
}

function get(
  options: StandInOptions,
  query = '',
  headers = { 'x-app-id': 'app-id', 'x-app-token': 'secret-key' },
) {
  return answerFor(options, {
    method: 'GET',
    url: new URL(`http://127.0.0.1/v1/vouchers/GIFT-CODE/transactions${query}`),
    headers,
  })
}

describe('the Voucherify stand-in', () => {
  it('lists transactions in the documented response schema, each a VoucherTransaction', () => {
    const answer = get(standIn(3))

    expect(answer.status).toBe(200)
    expect(schemaErrors(document, responseSchema(document, PATH, 'get', 200), answer.body)).toEqual(
      [],
    )
  })

  it('pages with limit, has_more and more_starting_after, read on with starting_after_id', () => {
    const options = standIn(5)

    const first = get(options, '?limit=2').body
    const second = get(options, `?limit=2&starting_after_id=${first.more_starting_after}`).body
    const third = get(options, `?limit=2&starting_after_id=${second.more_starting_after}`).body
    const ids = [first, second, third].flatMap((page) => (page.data as Json[]).map(({ id }) => id))

    expect([first.has_more, second.has_more, third.has_more]).toEqual([true, true, false])
    expect(first.more_starting_after).toBe((first.data as Json[])[1]?.id)
    expect(third).not.toHaveProperty('more_starting_after')
    expect([...ids].sort()).toEqual([...options.ids].sort())
  })

  it('lists the newest first, as the documented example does', () => {
    const options = standIn(3)

    const { body } = get(options)

    expect((body.data as Json[]).map(({ id }) => id)).toEqual([...options.ids].reverse())
  })

  it('answers 10 transactions when no limit is given, as documented', () => {
    expect((get(standIn(12)).body.data as Json[]).length).toBe(10)
  })

  it("answers 401 with Voucherify's documented error object to a wrong secret key", () => {
    const answer = get(standIn(1), '', { 'x-app-id': 'app-id', 'x-app-token': 'wrong' })

    expect(answer).toEqual({
      status: 401,
      body: { code: 401, message: 'Unauthorized', key: 'unauthorized' },
    })
    expect(schemaErrors(document, responseSchema(document, PATH, 'get', 401), answer.body)).toEqual(
      [],
    )
  })

  it('answers 404 with the documented error object for a voucher it does not know', () => {
    const answer = answerFor(standIn(1), {
      method: 'GET',
      url: new URL('http://127.0.0.1/v1/vouchers/NO-SUCH-CODE/transactions'),
      headers: { 'x-app-id': 'app-id', 'x-app-token': 'secret-key' },
    })

    expect(answer.status).toBe(404)
    expect(answer.body).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' })
    expect(schemaErrors(document, responseSchema(document, PATH, 'get', 404), answer.body)).toEqual(
      [],
    )
  })

  it('finds the voucher by its id as well as by its code', () => {
    const options = standIn(1)
    const id = String(options.cards[0]?.id)

    const answer = answerFor(options, {
      method: 'GET',
      url: new URL(`http://127.0.0.1/v1/vouchers/${id}/transactions`),
      headers: { 'x-app-id': 'app-id', 'x-app-token': 'secret-key' },
    })

    expect((answer.body.data as Json[]).map(({ id }) => id)).toEqual(options.ids)
  })
})

describe('the schema check the stand-in is held to', () => {
  it('finds a transaction without its required created_at', () => {
    const { body } = get(standIn(1))
    delete ((body.data as Json[])[0] as Json).created_at

    expect(schemaErrors(document, responseSchema(document, PATH, 'get', 200), body)).toEqual([
      '(root).data[0].created_at: is required',
    ])
  })
})
