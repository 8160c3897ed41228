import type { LedgerEntry } from '../../../../lib/ledger/ledger-entry'
import { buildMessages, messageFits, messageSize } from '../../../../lib/receive/build-message'
import { topicNameFor } from '../../../../lib/receive/event-publisher'
import type { ReceivedEvent } from '../../../../lib/receive/received-event'

/** The message with the data as sent (what publishPersonalData publishes). */
const buildMessage = (event: ReceivedEvent) => buildMessages(event).withPersonalData

const entry: LedgerEntry = {
  transaction_id: 'vtx_1',
  transaction_type: 'CREDITS_REDEMPTION',
  amount: -700,
  balance_after: 1300,
  total: 2000,
  voucher_id: 'v_1',
  campaign_id: 'camp_1',
  campaign_name: 'Gifts',
  created_at: '2026-01-01T00:00:00.000Z',
}

function receivedEvent(overrides: Partial<ReceivedEvent> = {}): ReceivedEvent {
  return {
    eventType: 'voucher.gift.transaction.created',
    delivery: 'envelope',
    webhookId: 'whs_1',
    eventId: 'evgt_1',
    projectId: 'proj_1',
    createdAt: '2026-01-01T00:00:01.000Z',
    receivedAt: '2026-01-01T00:00:02.000Z',
    idempotency: { key: 'vtx_1', source: 'transaction' },
    entry,
    dataJson: '{"transaction":{"id":"vtx_1"},"extra":{"kept":true}}',
    dataJsonWithoutPersonalData: '{"transaction":{"id":"vtx_1"},"extra":{"kept":true}}',
    payload: '{}',
    customerId: undefined,
    ...overrides,
  }
}

describe('buildMessage', () => {
  it('carries the filter attributes subscribers need', () => {
    expect(buildMessage(receivedEvent()).attributes).toEqual({
      event_type: 'voucher.gift.transaction.created',
      transaction_type: 'CREDITS_REDEMPTION',
      transaction_id: 'vtx_1',
      voucher_id: 'v_1',
      campaign_id: 'camp_1',
      idempotency_key: 'vtx_1',
    })
  })

  it('leaves out attributes that have no value', () => {
    const event = receivedEvent({
      entry: {
        ...entry,
        transaction_id: null,
        transaction_type: undefined,
        campaign_id: undefined,
      },
      idempotency: { key: 'event:evgt_1', source: 'event' },
    })

    expect(Object.keys(buildMessage(event).attributes).sort()).toEqual([
      'event_type',
      'idempotency_key',
      'voucher_id',
    ])
  })

  it('forwards the data as received, unknown fields included', () => {
    const body = JSON.parse(buildMessage(receivedEvent()).body)

    expect(body).toEqual({
      event_type: 'voucher.gift.transaction.created',
      delivery: 'envelope',
      webhook_id: 'whs_1',
      event_id: 'evgt_1',
      project_id: 'proj_1',
      created_at: '2026-01-01T00:00:01.000Z',
      idempotency_key: 'vtx_1',
      data: { transaction: { id: 'vtx_1' }, extra: { kept: true } },
    })
  })

  it('forwards the data text byte for byte, as Voucherify wrote it', () => {
    const dataJson = '{ "amount": 1e400, "note": "caf\\u00e9" }'

    const { body } = buildMessage(receivedEvent({ dataJson }))

    expect(body.endsWith(`,"data":${dataJson}}`)).toBe(true)
  })

  it('says when the delivery was a raw payload without an envelope', () => {
    const event = receivedEvent({
      delivery: 'raw',
      webhookId: null,
      eventId: null,
      projectId: null,
    })

    expect(JSON.parse(buildMessage(event).body)).toMatchObject({
      delivery: 'raw',
      webhook_id: null,
    })
  })
})

describe('messageSize', () => {
  it('counts the body and every attribute in bytes', () => {
    const message = {
      eventType: 'voucher.gift.balance_added' as const,
      body: 'é',
      attributes: { a: 'bc' },
    }

    expect(messageSize(message)).toBe(2 + 1 + 'String'.length + 2)
  })
})

describe('messageFits', () => {
  it('agrees with messageSize at the limit, for one-, two- and three-byte characters', () => {
    for (const character of ['a', 'é', '€']) {
      const message = { body: character.repeat(1_000), attributes: { a: 'bc' } }
      const size = messageSize(message)

      expect(messageFits(message, size)).toBe(true)
      expect(messageFits(message, size - 1)).toBe(false)
    }
  })
})

describe('topicNameFor', () => {
  it('replaces every dot of the event type with a dash', () => {
    expect(topicNameFor('customer.voucher.gift.balance_added')).toBe(
      'customer-voucher-gift-balance_added',
    )
  })
})
