import * as v from 'valibot'
import { eventTypeOf, WebhookEnvelopeSchema } from '../../../../lib/schemas/webhook-envelope'
import { envelopeFor, giftEventData } from '../../../../scripts/sample-events'

const data = giftEventData('customer.voucher.gift.balance_added')

function issuePaths(envelope: unknown): string[] {
  const result = v.safeParse(WebhookEnvelopeSchema, envelope)
  return result.success ? [] : result.issues.map((issue) => v.getDotPath(issue) ?? '')
}

describe('the webhook envelope', () => {
  it('takes the event type of a project-settings webhook from its type', () => {
    const envelope = v.parse(
      WebhookEnvelopeSchema,
      envelopeFor('voucher.gift.balance_added', data, 'webhook'),
    )

    expect(eventTypeOf(envelope)).toBe('voucher.gift.balance_added')
  })

  it('takes the event type of a distribution webhook from its event, not its typed-in name', () => {
    const sent = envelopeFor('customer.voucher.gift.balance_added', data, 'distribution')

    const envelope = v.parse(WebhookEnvelopeSchema, sent)

    expect(sent.type).not.toBe('customer.voucher.gift.balance_added')
    expect(eventTypeOf(envelope)).toBe('customer.voucher.gift.balance_added')
  })

  it('refuses a distribution webhook without its event', () => {
    const { event: _, ...envelope } = envelopeFor(
      'customer.voucher.gift.balance_added',
      data,
      'distribution',
    )

    expect(issuePaths(envelope)).toEqual(['event'])
  })

  it.each(['id', 'project_id', 'created_at', 'type', 'data', 'source'])('requires %s', (field) => {
    const envelope: Record<string, unknown> = envelopeFor(
      'voucher.gift.balance_added',
      data,
      'webhook',
    )
    delete envelope[field]

    expect(issuePaths(envelope)).toContain(field)
  })

  it('refuses a source that is neither a webhook nor a distribution', () => {
    const envelope = {
      ...envelopeFor('voucher.gift.balance_added', data, 'webhook'),
      source: { object: 'email' },
    }

    expect(issuePaths(envelope)).toEqual(['source.object'])
  })

  it('accepts fields Voucherify adds to the envelope', () => {
    const sent = {
      ...envelopeFor('voucher.gift.balance_added', data, 'webhook'),
      api_version: '2025-01-01',
    }

    expect(v.safeParse(WebhookEnvelopeSchema, sent).success).toBe(true)
  })
})
