import { createHash } from 'node:crypto'
import { fifoMessageId } from '../../../../lib/aws/fifo-ids'
import { readConfig } from '../../../../lib/config'
import type { LedgerEntry } from '../../../../lib/ledger/ledger-entry'
import { buildMessages } from '../../../../lib/receive/build-message'
import type { ReceivedEvent } from '../../../../lib/receive/received-event'

/** The message with the data as sent (what publishPersonalData publishes). */
const buildMessage = (event: ReceivedEvent) => buildMessages(event).withPersonalData

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`

describe('fifoMessageId', () => {
  it('keeps a Voucherify id as it is', () => {
    expect(fifoMessageId('v_Wi8kP8EW4f1L2yT2N7tfFXxMzZOp7EsS')).toBe(
      'v_Wi8kP8EW4f1L2yT2N7tfFXxMzZOp7EsS',
    )
  })

  it('keeps the punctuation of an idempotency key made from an event id', () => {
    expect(fifoMessageId('event:evgt_0f1c4589b8cd1c07b2')).toBe('event:evgt_0f1c4589b8cd1c07b2')
  })

  it('keeps an id of exactly 128 characters', () => {
    const id = 'a'.repeat(128)

    expect(fifoMessageId(id)).toBe(id)
  })

  it('turns an id of 129 characters into its SHA-256 digest', () => {
    const id = 'a'.repeat(129)

    expect(fifoMessageId(id)).toBe(sha256(id))
  })

  it('turns an id with a space into its SHA-256 digest', () => {
    expect(fifoMessageId('v 1')).toBe(sha256('v 1'))
  })

  it('turns an id with a non-ASCII character into the SHA-256 digest of its UTF-8 bytes', () => {
    expect(fifoMessageId('v_é')).toBe(sha256('v_é'))
  })

  it('gives a digest that SNS accepts as a FIFO id', () => {
    expect(fifoMessageId('x'.repeat(1_000))).toMatch(/^[\x21-\x7e]{1,128}$/)
  })
})

const entry: LedgerEntry = {
  transaction_id: 'vtx_1',
  transaction_type: 'CREDITS_ADDITION',
  amount: 1000,
  balance_after: 1000,
  total: 1000,
  voucher_id: 'v_card',
  source: 'API',
  created_at: '2026-01-01T00:00:00.000Z',
}

function receivedEvent(overrides: Partial<ReceivedEvent> = {}): ReceivedEvent {
  return {
    eventType: 'voucher.gift.transaction.created',
    delivery: 'raw',
    webhookId: null,
    eventId: null,
    projectId: null,
    createdAt: entry.created_at,
    receivedAt: '2026-01-01T00:00:01.000Z',
    idempotency: { key: 'vtx_1', source: 'transaction' },
    entry,
    dataJson: '{}',
    dataJsonWithoutPersonalData: '{}',
    payload: '{}',
    customerId: undefined,
    ...overrides,
  }
}

describe('buildMessage for FIFO topics', () => {
  it("groups the message by the gift card's voucher id", () => {
    expect(buildMessage(receivedEvent()).messageGroupId).toBe('v_card')
  })

  it('deduplicates the message by its idempotency key', () => {
    const event = receivedEvent({ idempotency: { key: 'event:evgt_1', source: 'event' } })

    expect(buildMessage(event).deduplicationId).toBe('event:evgt_1')
  })
})

describe('buildMessage origin attribute', () => {
  it('marks a message that reconcile took in with origin=reconcile', () => {
    expect(buildMessage(receivedEvent({ origin: 'reconcile' })).attributes.origin).toBe('reconcile')
  })

  it('leaves the origin attribute out of a webhook delivery', () => {
    expect(buildMessage(receivedEvent()).attributes).not.toHaveProperty('origin')
  })
})

describe('readConfig topic name suffix', () => {
  const base = { TABLE_NAME: 'table', TOPIC_ARN_PREFIX: 'arn:aws:sns:eu-central-1:1:svc-prod-' }

  it('means standard topics when TOPIC_NAME_SUFFIX is not set', () => {
    expect(readConfig(base).topicNameSuffix).toBe('')
  })

  it('means FIFO topics when TOPIC_NAME_SUFFIX is .fifo', () => {
    expect(readConfig({ ...base, TOPIC_NAME_SUFFIX: '.fifo' }).topicNameSuffix).toBe('.fifo')
  })

  it('throws, naming the setting, on any other suffix', () => {
    expect(() => readConfig({ ...base, TOPIC_NAME_SUFFIX: '-fifo' })).toThrow(/TOPIC_NAME_SUFFIX/)
  })
})
