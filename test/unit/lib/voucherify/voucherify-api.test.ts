import {
  CursorRefusedError,
  campaignTransactionPages,
  findCampaignTransaction,
  listGiftCampaigns,
  listVoucherTransactions,
  RateLimitedError,
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

  it('steps back to the id before a cursor refused mid-listing and yields each transaction once', async () => {
    const api = answeringFetch(
      { body: page(['vtx_1', 'vtx_2'], true, 'vtx_2') },
      { status: 400, body: { code: 400, key: 'invalid' } },
      { body: page(['vtx_2', 'vtx_3', 'vtx_4'], false, null) },
    )

    const pages = await pagesOf(
      campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' }),
    )

    expect(pages.flatMap(({ data }) => data.map(({ id }) => id))).toEqual([
      'vtx_1',
      'vtx_2',
      'vtx_3',
      'vtx_4',
    ])
    expect(api.urls.map((url) => url.searchParams.get('starting_after_id'))).toEqual([
      null,
      'vtx_2',
      'vtx_1',
    ])
    expect(api.urls[2]?.searchParams.get('limit')).toBe('3')
  })

  it('steps back to the listing’s start when every id it listed is refused as a cursor', async () => {
    const refused = { status: 400, body: { code: 400, key: 'invalid' } }
    const api = answeringFetch(
      { body: page(['vtx_1', 'vtx_2'], true, 'vtx_2') },
      refused,
      refused,
      { body: page(['vtx_1', 'vtx_2', 'vtx_3', 'vtx_4'], false, null) },
    )

    const pages = await pagesOf(
      campaignTransactionPages(configWith(api.fetch), 'camp_1', { order: 'id' }),
    )

    expect(pages.flatMap(({ data }) => data.map(({ id }) => id))).toEqual([
      'vtx_1',
      'vtx_2',
      'vtx_3',
      'vtx_4',
    ])
    expect(api.urls.map((url) => url.searchParams.get('starting_after_id'))).toEqual([
      null,
      'vtx_2',
      'vtx_1',
      null,
    ])
    expect(api.urls[3]?.searchParams.get('limit')).toBe('4')
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

  it('stops at page 100, the last the document lets a client ask for, and says the list is incomplete', async () => {
    const full = (page: number) => ({
      body: {
        campaigns: Array.from({ length: 100 }, (_, index) => ({ id: `camp_${page}_${index}` })),
        total: null,
      },
    })
    const api = answeringFetch(...Array.from({ length: 100 }, (_, index) => full(index + 1)))

    const campaigns = await listGiftCampaigns(configWith(api.fetch))

    expect(campaigns.ids).toHaveLength(10_000)
    expect(campaigns.complete).toBe(false)
    expect(api.urls.at(-1)?.searchParams.get('page')).toBe('100')
  })
})

describe('findCampaignTransaction', () => {
  it('asks for the one transaction by filters[id][conditions][$is]', async () => {
    const api = answeringFetch({ body: page(['vtx_7'], false, null) })

    const found = await findCampaignTransaction(configWith(api.fetch), 'camp_1', 'vtx_7')

    expect(found).toEqual({ id: 'vtx_7' })
    expect(api.urls[0]?.searchParams.get('filters[id][conditions][$is]')).toBe('vtx_7')
  })

  it('answers undefined when the listing no longer holds it', async () => {
    const api = answeringFetch({ body: page([], false, null) })

    expect(await findCampaignTransaction(configWith(api.fetch), 'camp_1', 'vtx_7')).toBeUndefined()
  })
})

describe('a 429', () => {
  it('throws RateLimitedError with the wait Voucherify asked for when it is longer than the client waits', async () => {
    const api = answeringFetch({ status: 429, body: { code: 429, key: 'too_many_requests' } })
    const fetchWithRetryAfter: typeof fetch = async (input, init) => {
      const response = await api.fetch(input, init)
      return new Response(response.body, {
        status: 429,
        headers: { 'retry-after': '600' },
      })
    }

    const error = await errorOf(() =>
      pagesOf(
        campaignTransactionPages(
          { ...configWith(fetchWithRetryAfter), maxAttempts: 3, maxRetryWaitMs: 60_000 },
          'camp_1',
          { order: 'id' },
        ),
      ),
    )

    expect(error).toBeInstanceOf(RateLimitedError)
    expect((error as RateLimitedError).retryAfterMs).toBe(600_000)
    expect(api.urls).toHaveLength(1)
  })
})
