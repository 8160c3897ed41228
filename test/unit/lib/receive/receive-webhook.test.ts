import { receiveWebhook, type WebhookDelivery } from '../../../../lib/receive/receive-webhook'
import { signPayload } from '../../../../lib/receive/signature'
import type { TransactionRecord } from '../../../../lib/receive/transaction-store'
import { envelopeFor, giftEventData, seedData } from '../../../../scripts/sample-events'
import { fakeDeps, TEST_SECRET } from '../../../support/fakes/fake-deps'

function signed(body: string | Buffer, pathEventType?: string): WebhookDelivery {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  return { body: bytes, signature: signPayload(TEST_SECRET, bytes), pathEventType }
}

const seedEnvelope = () =>
  JSON.stringify(
    envelopeFor(
      'voucher.gift.transaction.created',
      giftEventData('voucher.gift.transaction.created'),
    ),
  )

describe('receiveWebhook', () => {
  it('stores and publishes a new event once', async () => {
    const { deps, store, publisher } = fakeDeps()
    const body = seedEnvelope()
    const transactionId = JSON.parse(body).data.transaction.id

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome).toMatchObject({
      status: 'accepted',
      transactionId,
      idempotencyKey: transactionId,
    })
    expect(publisher.published).toHaveLength(1)
    expect(
      store.get({ transaction_id: transactionId, event_type: 'voucher.gift.transaction.created' }),
    ).toMatchObject({
      status: 'published',
      key_source: 'transaction',
      delivery: 'envelope',
      received_count: 1,
    })
  })

  it('keeps the body apart from the record, with the customer and an expiry 30 days on', async () => {
    const { deps, store, clock } = fakeDeps()
    const body = seedEnvelope()
    const transactionId = JSON.parse(body).data.transaction.id
    const key = { transaction_id: transactionId, event_type: 'voucher.gift.transaction.created' }

    await receiveWebhook(deps, signed(body))

    expect(store.payloadOf(key)).toEqual({
      ...store.payloadOf(key),
      payload: body,
      customer_id: 'cust_PL4iqfS8K5Ej2LuBNV1RqlfJ',
      expires_at: clock.now.getTime() / 1000 + 30 * 86_400,
    })
    expect(JSON.stringify(store.get(key))).not.toMatch(/cust_|John Demo|230724-01|3HgJNUlD/)
  })

  it('answers duplicate and publishes nothing when the event comes again', async () => {
    const { deps, publisher } = fakeDeps()
    const body = seedEnvelope()
    await receiveWebhook(deps, signed(body))

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome.status).toBe('duplicate')
    expect(publisher.published).toHaveLength(1)
  })

  it('stores the same transaction once per event type', async () => {
    const { deps, store, publisher } = fakeDeps()
    const data = giftEventData('voucher.gift.transaction.created', { transactionId: 'vtx_shared' })
    const types = ['voucher.gift.transaction.created', 'voucher.gift.balance_added'] as const

    for (const type of types)
      await receiveWebhook(deps, signed(JSON.stringify(envelopeFor(type, data))))

    expect(publisher.published.map((message) => message.eventType)).toEqual(types)
    expect([...store.items.keys()].filter((key) => !key.includes('#payload:'))).toHaveLength(2)
  })

  it('accepts a raw payload on the typed route', async () => {
    const { deps, publisher } = fakeDeps()
    const body = JSON.stringify(seedData['customer.voucher.gift.balance_added'])

    const outcome = await receiveWebhook(deps, signed(body, 'customer.voucher.gift.balance_added'))

    expect(outcome).toMatchObject({ status: 'accepted', transactionId: 'vtx_0e6feafe6952a94a54' })
    expect(JSON.parse(publisher.published[0]?.body ?? '{}')).toMatchObject({
      delivery: 'raw',
      webhook_id: null,
    })
  })

  it('reads the event type of a distribution webhook from its event', async () => {
    const { deps } = fakeDeps()
    const data = giftEventData('customer.voucher.gift.balance_added')
    const body = JSON.stringify(
      envelopeFor('customer.voucher.gift.balance_added', data, 'distribution'),
    )

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome).toMatchObject({
      status: 'accepted',
      eventType: 'customer.voucher.gift.balance_added',
    })
  })

  it('keys an event without a transaction by its event id', async () => {
    const { deps } = fakeDeps()
    const envelope = envelopeFor('voucher.gift.transaction.created', {
      ...giftEventData('voucher.gift.transaction.created'),
      transaction: null,
    })

    const outcome = await receiveWebhook(deps, signed(JSON.stringify(envelope)))

    expect(outcome).toMatchObject({
      status: 'accepted',
      idempotencyKey: `event:${(envelope.event as { id: string }).id}`,
    })
  })

  it('keys a raw payload without a transaction by the digest of its body', async () => {
    const { deps } = fakeDeps()
    const body = JSON.stringify({
      ...giftEventData('voucher.gift.balance_added'),
      transaction: null,
    })

    const outcome = await receiveWebhook(deps, signed(body, 'voucher.gift.balance_added'))

    expect(outcome).toMatchObject({
      status: 'accepted',
      idempotencyKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    })
  })

  it('verifies a pretty-printed body', async () => {
    const { deps } = fakeDeps()
    const compact = seedEnvelope()
    const pretty = JSON.stringify(JSON.parse(compact), null, 2)

    const outcome = await receiveWebhook(deps, {
      body: Buffer.from(pretty),
      signature: signPayload(TEST_SECRET, compact),
      pathEventType: undefined,
    })

    expect(outcome.status).toBe('accepted')
  })

  it('ignores a signed event type it does not handle, storing nothing', async () => {
    const { deps, store, publisher } = fakeDeps()
    const body = JSON.stringify(envelopeFor('voucher.loyalty_card.points_added', {}, 'webhook'))

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome).toEqual({ status: 'ignored', eventType: 'voucher.loyalty_card.points_added' })
    expect(store.items.size + publisher.published.length).toBe(0)
  })

  it('refuses a delivery without a signature', async () => {
    const { deps } = fakeDeps()

    const outcome = await receiveWebhook(deps, {
      body: Buffer.from(seedEnvelope()),
      signature: undefined,
      pathEventType: undefined,
    })

    expect(outcome).toEqual({ status: 'unauthorized', reason: 'signature_missing' })
  })

  it('refuses a signature of another body', async () => {
    const { deps } = fakeDeps()

    const outcome = await receiveWebhook(deps, {
      body: Buffer.from(seedEnvelope()),
      signature: signPayload(TEST_SECRET, seedEnvelope()),
      pathEventType: undefined,
    })

    expect(outcome).toEqual({ status: 'unauthorized', reason: 'signature_invalid' })
  })

  it.each([
    ['body_empty', ''],
    ['body_empty', '  \n'],
    ['body_not_json', '{"id":'],
    ['body_not_object', '[1,2]'],
    ['body_not_object', 'null'],
    ['envelope_invalid', '{"hello":"world"}'],
  ])('answers bad request (%s) for the signed body %p', async (reason, body) => {
    const { deps } = fakeDeps()

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome).toMatchObject({ status: 'bad_request', reason })
  })

  it('answers bad request for a body that is not UTF-8', async () => {
    const { deps } = fakeDeps()

    const outcome = await receiveWebhook(deps, signed(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))

    expect(outcome).toMatchObject({ status: 'bad_request', reason: 'body_not_utf8' })
  })

  it('quarantines a signed event that fails its schema and names the failing paths', async () => {
    const { deps, store, publisher } = fakeDeps()
    const envelope = envelopeFor(
      'voucher.gift.transaction.created',
      giftEventData('voucher.gift.transaction.created'),
    )
    ;(
      (envelope.data as Record<string, Record<string, unknown>>).balance as Record<string, unknown>
    ).amount = 10.5
    const body = JSON.stringify(envelope)

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome).toMatchObject({
      status: 'invalid',
      issues: [{ path: 'data.balance.amount', message: 'must be an integer amount in cents' }],
    })
    expect([...store.items.values()]).toEqual([
      expect.objectContaining({ status: 'quarantined', payload: body }),
    ])
    expect(publisher.published).toHaveLength(0)
  })

  it('never quotes the received value in an issue', async () => {
    const { deps } = fakeDeps()
    const data = {
      ...giftEventData('voucher.gift.balance_added'),
      voucher: { code: 'X', type: 'jane@example.com' },
    }

    const outcome = await receiveWebhook(
      deps,
      signed(JSON.stringify(data), 'voucher.gift.balance_added'),
    )

    expect(JSON.stringify(outcome)).not.toContain('jane@example.com')
  })

  it('answers too large above the body limit without reading the body', async () => {
    const { deps, store } = fakeDeps()
    const body = Buffer.alloc(deps.settings.maxBodyBytes + 1, 0x20)

    const outcome = await receiveWebhook(deps, {
      body,
      signature: undefined,
      pathEventType: undefined,
    })

    expect(outcome).toEqual({ status: 'too_large', limitBytes: deps.settings.maxBodyBytes })
    expect(store.items.size).toBe(0)
  })

  it('fails closed when no secret is configured', async () => {
    const { deps } = fakeDeps('')

    const outcome = await receiveWebhook(deps, signed(seedEnvelope()))

    expect(outcome).toEqual({ status: 'not_configured' })
  })

  it('answers in flight while another delivery holds the claim', async () => {
    const { deps, store, clock, publisher } = fakeDeps()
    const body = seedEnvelope()
    const key = {
      transaction_id: JSON.parse(body).data.transaction.id,
      event_type: 'voucher.gift.transaction.created',
    }
    const otherDelivery = { token: 'other-delivery', expiresAt: clock.now.getTime() + 5_000 }
    await store.recordDelivery(key as TransactionRecord, otherDelivery, clock.now.toISOString())

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome.status).toBe('in_flight')
    expect(publisher.published).toHaveLength(0)
  })

  it('answers unavailable when publishing fails, and the next delivery publishes', async () => {
    const { deps, publisher } = fakeDeps()
    const body = seedEnvelope()
    publisher.failing = true

    const failed = await receiveWebhook(deps, signed(body))
    publisher.failing = false
    const retried = await receiveWebhook(deps, signed(body))

    expect(failed).toMatchObject({ status: 'unavailable', stage: 'publish' })
    expect(retried.status).toBe('accepted')
    expect(publisher.published).toHaveLength(1)
  })

  it('answers unavailable when the claim cannot be written', async () => {
    const { deps, store, publisher } = fakeDeps()
    store.failing.add('recordDelivery')

    const outcome = await receiveWebhook(deps, signed(seedEnvelope()))

    expect(outcome).toMatchObject({ status: 'unavailable', stage: 'claim' })
    expect(publisher.published).toHaveLength(0)
  })

  it('answers unavailable when a quarantine record cannot be written', async () => {
    const { deps, store } = fakeDeps()
    store.failing.add('quarantine')
    const body = JSON.stringify({ ...giftEventData('voucher.gift.balance_added'), balance: null })

    const outcome = await receiveWebhook(deps, signed(body, 'voucher.gift.balance_added'))

    expect(outcome).toMatchObject({ status: 'unavailable', stage: 'quarantine' })
  })

  it('accepts an unknown field nested 10 000 deep and forwards it as sent', async () => {
    const { deps, publisher } = fakeDeps()
    const deep = '['.repeat(10_000) + ']'.repeat(10_000)
    const body = seedEnvelope().replace('"data":{', `"data":{"deep":${deep},`)

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome).toMatchObject({ status: 'accepted' })
    expect(publisher.published[0]?.body).toContain(`"deep":${deep}`)
  })

  it('quarantines data nested too deeply to be serialised again when it must be', async () => {
    const { deps, publisher } = fakeDeps()
    const deep = '['.repeat(10_000) + ']'.repeat(10_000)
    // A key written with escapes hides where the data's text is, so the data is serialised again.
    const body = seedEnvelope()
      .replace('"project_id"', '"\\u0070roject_id"')
      .replace('"data":{', `"data":{"deep":${deep},`)

    const outcome = await receiveWebhook(deps, signed(body))

    expect(outcome).toMatchObject({
      status: 'invalid',
      issues: [{ path: 'data', message: 'is nested too deeply' }],
    })
    expect(publisher.published).toHaveLength(0)
  })

  it('forwards numbers exactly as written, so a body within the limit fits SNS', async () => {
    const { deps, publisher } = fakeDeps()
    // "1e20" is 4 bytes in the body and would be 21 if it were serialised again.
    const padding = Array.from({ length: 40_000 }, () => '1e20').join(',')
    const body = JSON.stringify(giftEventData('voucher.gift.balance_added')).replace(
      /}$/,
      `,"padding":[${padding}]}`,
    )

    const outcome = await receiveWebhook(deps, signed(body, 'voucher.gift.balance_added'))

    expect(outcome).toMatchObject({ status: 'accepted' })
    expect(publisher.published[0]?.body).toContain(`"padding":[${padding}]`)
  })

  it('answers too large when data that must be serialised again would outgrow SNS', async () => {
    const { deps } = fakeDeps()
    const padding = Array.from({ length: 40_000 }, () => '1e20').join(',')
    const envelope = JSON.stringify(
      envelopeFor('voucher.gift.balance_added', giftEventData('voucher.gift.balance_added')),
    )
    // A key written with escapes hides where the data's text is, so the data is serialised again.
    const body = envelope
      .replace('"project_id"', '"\\u0070roject_id"')
      .replace('"data":{', `"data":{"padding":[${padding}],`)

    const outcome = await receiveWebhook(deps, signed(body))

    expect(body.length).toBeLessThan(deps.settings.maxBodyBytes)
    expect(outcome).toMatchObject({ status: 'too_large' })
  })
})
