import { receiveWebhook, type WebhookDelivery } from '../../../../lib/receive/receive-webhook'
import { signPayload } from '../../../../lib/receive/signature'
import { envelopeFor, giftEventData } from '../../../../scripts/sample-events'
import { fakeDeps, TEST_SECRET } from '../../../support/fakes/fake-deps'

// The pipeline's part in keeping personal data only where it expires (issue 21).

function signed(body: string): WebhookDelivery {
  const bytes = Buffer.from(body)
  return { body: bytes, signature: signPayload(TEST_SECRET, bytes), pathEventType: undefined }
}

const HOLDER = 'cust_PL4iqfS8K5Ej2LuBNV1RqlfJ'

const giftWebhook = (transactionId?: string) =>
  JSON.stringify(
    envelopeFor(
      'voucher.gift.transaction.created',
      giftEventData('voucher.gift.transaction.created', transactionId ? { transactionId } : {}),
    ),
  )

const customerDeleted = (customerId: string) =>
  JSON.stringify({
    ...(envelopeFor('customer.deleted', { customer: {} }) as object),
    data: { customer: { id: customerId, name: 'John Demo 23-01', email: 'john@example.com' } },
  })

describe('receiveWebhook and personal data', () => {
  it('publishes the holder as an id only by default', async () => {
    const { deps, publisher } = fakeDeps()

    await receiveWebhook(deps, signed(giftWebhook()))

    const { data } = JSON.parse(publisher.published[0]?.body ?? '{}')
    expect(data.holder).toEqual({ id: HOLDER, object: 'customer' })
  })

  it('publishes the holder whole when publishPersonalData is on', async () => {
    const { deps, publisher } = fakeDeps()
    deps.settings.publishPersonalData = true

    await receiveWebhook(deps, signed(giftWebhook()))

    const { data } = JSON.parse(publisher.published[0]?.body ?? '{}')
    expect(data.holder).toMatchObject({ id: HOLDER, name: 'John Demo 23-01' })
  })

  it('keeps a payload forever when the retention is 0', async () => {
    const { deps, store } = fakeDeps()
    deps.settings.retention = { payloadDays: 0, quarantineDays: 0 }
    const body = giftWebhook('vtx_forever')

    await receiveWebhook(deps, signed(body))

    const payload = store.payloadOf({
      transaction_id: 'vtx_forever',
      event_type: 'voucher.gift.transaction.created',
    })
    expect(payload?.payload).toBe(body)
    expect(payload).not.toHaveProperty('expires_at')
  })

  it('stores no payload of an erased customer and publishes no personal field, even when asked', async () => {
    const { deps, store, erasures, publisher } = fakeDeps()
    deps.settings.publishPersonalData = true
    await erasures.recordErasure(HOLDER, {
      at: '2026-01-01T00:00:00.000Z',
      requestedBy: 'operator',
    })

    const outcome = await receiveWebhook(deps, signed(giftWebhook('vtx_late')))

    expect(outcome.status).toBe('accepted')
    expect(
      store.payloadOf({
        transaction_id: 'vtx_late',
        event_type: 'voucher.gift.transaction.created',
      }),
    ).toBeUndefined()
    expect(publisher.published[0]?.body).not.toContain('John Demo')
  })

  it('answers unavailable and lets the retry publish when the payload cannot be stored', async () => {
    const { deps, store, publisher } = fakeDeps()
    store.failing.add('storePayload')
    const body = giftWebhook()

    const first = await receiveWebhook(deps, signed(body))
    store.failing.clear()
    const retry = await receiveWebhook(deps, signed(body))

    expect(first).toMatchObject({ status: 'unavailable', stage: 'payload' })
    expect(retry.status).toBe('accepted')
    expect(publisher.published).toHaveLength(1)
  })

  it('answers unavailable when it cannot tell whether the customer was erased', async () => {
    const { deps, erasures, publisher } = fakeDeps()
    erasures.failing = true

    const outcome = await receiveWebhook(deps, signed(giftWebhook()))

    expect(outcome).toMatchObject({ status: 'unavailable', stage: 'payload' })
    expect(publisher.published).toHaveLength(0)
  })

  it('quarantines with the customer and the quarantine expiry', async () => {
    const { deps, store, clock } = fakeDeps()
    deps.settings.retention = { payloadDays: 30, quarantineDays: 7 }
    const envelope = JSON.parse(giftWebhook())
    envelope.data.balance.amount = 10.5

    await receiveWebhook(deps, signed(JSON.stringify(envelope)))

    expect([...store.items.values()]).toEqual([
      expect.objectContaining({
        status: 'quarantined',
        customer_id: HOLDER,
        expires_at: clock.now.getTime() / 1000 + 7 * 86_400,
      }),
    ])
  })

  it("quarantines an erased customer's payload without it", async () => {
    const { deps, store, erasures } = fakeDeps()
    await erasures.recordErasure(HOLDER, {
      at: '2026-01-01T00:00:00.000Z',
      requestedBy: 'operator',
    })
    const envelope = JSON.parse(giftWebhook())
    envelope.data.balance.amount = 10.5

    await receiveWebhook(deps, signed(JSON.stringify(envelope)))

    const [item] = [...store.items.values()]
    expect(item).toMatchObject({ status: 'quarantined' })
    expect(JSON.stringify(item)).not.toMatch(/John Demo|cust_/)
  })
})

describe('receiveWebhook of a customer.deleted', () => {
  it("erases the customer's payloads and keeps their records", async () => {
    const { deps, store, publisher } = fakeDeps()
    await receiveWebhook(deps, signed(giftWebhook('vtx_kept')))

    const outcome = await receiveWebhook(deps, signed(customerDeleted(HOLDER)))

    expect(outcome).toEqual({ status: 'erased', eventType: 'customer.deleted', itemsErased: 1 })
    expect([...store.items.keys()]).toEqual(['vtx_kept|voucher.gift.transaction.created'])
    expect(publisher.published).toHaveLength(1)
  })

  it('answers erased again, erasing nothing more, when it comes twice', async () => {
    const { deps } = fakeDeps()
    await receiveWebhook(deps, signed(customerDeleted(HOLDER)))

    const again = await receiveWebhook(deps, signed(customerDeleted(HOLDER)))

    expect(again).toMatchObject({ status: 'erased', itemsErased: 0 })
  })

  it('stores nothing of itself', async () => {
    const { deps, store } = fakeDeps()

    await receiveWebhook(deps, signed(customerDeleted('cust_other')))

    expect(store.items.size).toBe(0)
  })

  it('refuses one that names no customer, keeping nothing', async () => {
    const { deps, store } = fakeDeps()

    const outcome = await receiveWebhook(deps, signed(customerDeleted('')))

    expect(outcome).toMatchObject({ status: 'bad_request', reason: 'customer_id_missing' })
    expect(store.items.size).toBe(0)
  })

  it('is not taken without a valid signature', async () => {
    const { deps, erasures } = fakeDeps()

    const outcome = await receiveWebhook(deps, {
      body: Buffer.from(customerDeleted(HOLDER)),
      signature: 'forged',
      pathEventType: undefined,
    })

    expect(outcome.status).toBe('unauthorized')
    expect(await erasures.isErased(HOLDER)).toBe(false)
  })
})
