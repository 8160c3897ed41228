import {
  CursorRefusedError,
  campaignTransactionPages,
  listGiftCampaigns,
  listVoucherTransactions,
  type TransactionPage,
  type VoucherifyApiConfig,
  VoucherifyApiError,
} from '../../../../lib/voucherify/voucherify-api'

const SECRET_KEY = 'secret-key-never-shown'

/** Answers each request with the next body of `answers`, and keeps the URLs it was asked. */
function answeringFetch(...answers: Array<{ status?: number; body: unknown }>) {
  const urls: URL[] = []
  const answer: typeof fetch = async (input) => {
    urls.push(new URL(String(input)))
    const next = answers.shift()
    if (!next) throw new Error('no answer left for this request')
    return new Response(JSON.stringify(next.body), {
      status: next.status ?? 200,
      headers: { 'content-type': 'application/json' },
    })
  }
  return { fetch: answer, urls }
}

function configWith(fetch: typeof globalThis.fetch): VoucherifyApiConfig {
  return {
    baseUrl: 'https://api.voucherify.test',
    appId: 'app-id',
    secretKey: SECRET_KEY,
    pageSize: 2,
    maxAttempts: 1,
    sleep: async () => {},
    fetch,
  }
}

function page(ids: string[], hasMore: boolean | null, next: string | null) {
  return {
    object: 'list',
    data_ref: 'data',
    data: ids.map((id) => ({ id })),
    has_more: hasMore,
    more_starting_after: next,
  }
}

async function pagesOf(pages: AsyncIterable<TransactionPage>): Promise<TransactionPage[]> {
  const read: TransactionPage[] = []
  for await (const one of pages) read.push(one)
  return read
}

async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return error
  }
  throw new Error('expected the listing to fail')
}

describe('campaignTransactionPages', () => {
  it('names the order it was given on every request', async () => {
    const api = answeringFetch(
      { body: page(['vtx_3', 'vtx_2'], true, 'vtx_2') },
      { body: page(['vtx_1'], false, null) },
    )

    await pagesOf(campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: '-id' }))

    expect(api.urls.map((url) => url.searchParams.get('order'))).toEqual(['-id', '-id'])
  })

  it('asks for the next page after the previous page’s more_starting_after', async () => {
    const api = answeringFetch(
      { body: page(['vtx_1', 'vtx_2'], true, 'vtx_2') },
      { body: page(['vtx_3'], false, null) },
    )

    await pagesOf(campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' }))

    expect(api.urls.map((url) => url.searchParams.get('starting_after_id'))).toEqual([
      null,
      'vtx_2',
    ])
  })

  it('starts after the cursor it was given', async () => {
    const api = answeringFetch({ body: page(['vtx_3'], false, null) })

    await pagesOf(
      campaignTransactionPages(configWith(api.fetch), 'camp_1', {
        order: 'id',
        startingAfter: 'vtx_2',
      }),
    )

    expect(api.urls[0]?.searchParams.get('starting_after_id')).toBe('vtx_2')
  })

  it('ends the listing on a last page whose more_starting_after is null', async () => {
    const api = answeringFetch({ body: page(['vtx_1'], false, null) })

    const pages = await pagesOf(
      campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' }),
    )

    expect(pages).toEqual([{ data: [{ id: 'vtx_1' }], next: undefined }])
  })

  it('reads a page whose data is null as an empty page', async () => {
    const api = answeringFetch({ body: { ...page([], false, null), data: null } })

    const pages = await pagesOf(
      campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' }),
    )

    expect(pages).toEqual([{ data: [], next: undefined }])
  })

  it('ends the listing when has_more is null, even with a cursor', async () => {
    const api = answeringFetch({ body: page(['vtx_1'], null, 'vtx_1') })

    const pages = await pagesOf(
      campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' }),
    )

    expect(pages).toEqual([{ data: [{ id: 'vtx_1' }], next: undefined }])
  })

  it('reads a page whose list fields are all null', async () => {
    const api = answeringFetch({
      body: { object: null, data_ref: null, data: null, has_more: null, more_starting_after: null },
    })

    const pages = await pagesOf(
      campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' }),
    )

    expect(pages).toEqual([{ data: [], next: undefined }])
  })

  it('fails when has_more is true and more_starting_after is null', async () => {
    const api = answeringFetch({ body: page(['vtx_1'], true, null) })

    const error = await errorOf(() =>
      pagesOf(campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' })),
    )

    expect(error).toBeInstanceOf(VoucherifyApiError)
    expect((error as Error).message).toMatch(/no new cursor/)
  })

  it('fails when has_more is true and the cursor is the one just used', async () => {
    const api = answeringFetch({ body: page(['vtx_3'], true, 'vtx_2') })

    const error = await errorOf(() =>
      pagesOf(
        campaignTransactionPages(configWith(api.fetch), 'camp_1', {
          order: 'id',
          startingAfter: 'vtx_2',
        }),
      ),
    )

    expect((error as Error).message).toMatch(/no new cursor/)
  })

  it.each([400, 404, 410, 422])(
    'throws CursorRefusedError when a request with a cursor is answered %i',
    async (status) => {
      const api = answeringFetch({
        status,
        body: { code: status, key: 'not_found', message: 'Resource not found' },
      })

      const error = await errorOf(() =>
        pagesOf(
          campaignTransactionPages(configWith(api.fetch), 'camp_1', {
            order: 'id',
            startingAfter: 'vtx_gone',
          }),
        ),
      )

      expect(error).toBeInstanceOf(CursorRefusedError)
      expect(error).toBeInstanceOf(VoucherifyApiError)
    },
  )

  it('says a refused cursor is the problem, and never shows the secret key', async () => {
    const api = answeringFetch({ status: 404, body: { code: 404, key: 'not_found' } })

    const error = await errorOf(() =>
      pagesOf(
        campaignTransactionPages(configWith(api.fetch), 'camp_1', {
          order: 'id',
          startingAfter: 'vtx_gone',
        }),
      ),
    )

    expect((error as Error).message).toMatch(/cursor \(starting_after_id\)/)
    expect((error as Error).message).not.toContain(SECRET_KEY)
  })

  it('reads a 404 without a cursor as an unknown campaign, not a refused cursor', async () => {
    const api = answeringFetch({ status: 404, body: { code: 404, key: 'not_found' } })

    const error = await errorOf(() =>
      pagesOf(campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' })),
    )

    expect(error).not.toBeInstanceOf(CursorRefusedError)
    expect((error as Error).message).toMatch(/no such campaign/)
  })

  it('does not count a 401 on a request with a cursor as a refused cursor', async () => {
    const api = answeringFetch({ status: 401, body: { code: 401, key: 'unauthorized' } })

    const error = await errorOf(() =>
      pagesOf(
        campaignTransactionPages(configWith(api.fetch), 'camp_1', {
          order: 'id',
          startingAfter: 'vtx_2',
        }),
      ),
    )

    expect(error).not.toBeInstanceOf(CursorRefusedError)
  })
})

describe('listVoucherTransactions', () => {
  it('names order=id on every request', async () => {
    const api = answeringFetch(
      { body: page(['vtx_1', 'vtx_2'], true, 'vtx_2') },
      { body: page(['vtx_3'], false, null) },
    )

    for await (const _ of listVoucherTransactions(configWith(api.fetch), 'GIFT-1')) {
      // reading every page
    }

    expect(api.urls.map((url) => url.searchParams.get('order'))).toEqual(['id', 'id'])
  })

  it('yields every transaction of every page', async () => {
    const api = answeringFetch(
      { body: page(['vtx_1', 'vtx_2'], true, 'vtx_2') },
      { body: { ...page([], false, null), data: null } },
    )

    const listed: unknown[] = []
    for await (const data of listVoucherTransactions(configWith(api.fetch), 'GIFT-1')) {
      listed.push(...data)
    }

    expect(listed).toEqual([{ id: 'vtx_1' }, { id: 'vtx_2' }])
  })
})

describe('listGiftCampaigns', () => {
  it('reads campaigns: null as no campaigns', async () => {
    const api = answeringFetch({ body: { object: 'list', campaigns: null, total: null } })

    const campaigns = await listGiftCampaigns(configWith(api.fetch))

    expect(campaigns).toEqual({ ids: [], complete: true })
  })
})
