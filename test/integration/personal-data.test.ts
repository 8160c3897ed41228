// Issue 21's "Done when", end to end on the local stack's pieces: signed deliveries through the
// real webhook handler into DynamoDB Local and fauxqs, `npm run erase`'s run on the same table,
// and a signed customer.deleted. Every assertion reads the table itself (payloads gunzipped).

import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { decodePayload } from '../../lib/aws/payload-encoding'
import type { SupportedEventType } from '../../lib/schemas/registry'
import type { CliIo } from '../../scripts/cli/command'
import { eraseCommandFor } from '../../scripts/erase/erase-command'
import { envelopeFor, giftEventData, randomId } from '../../scripts/sample-events'
import { type IsolatedStage, isolatedStage, scanTable } from '../support/emulators/isolated-stage'
import { localClients } from '../support/emulators/local-aws'

const clients = localClients()
const _documents = DynamoDBDocumentClient.from(clients.dynamodb)
const DAY_S = 86_400
/** The payload retention the stage runs with (serverless.yml's default). */
const RETENTION_DAYS = 30

afterAll(() => clients.destroy())

interface Customer {
  id: string
  name: string
  email: string
  sourceId: string
}

function newCustomer(label: string): Customer {
  const tag = randomId(label)
  return {
    id: randomId('cust'),
    name: `Name ${tag}`,
    email: `${tag}@example.invalid`,
    sourceId: `src-${tag}`,
  }
}

/** What of a customer must not outlive an erasure: the personal fields, and the id itself. */
const personalStrings = (customer: Customer) => [customer.name, customer.email, customer.sourceId]

const customerObject = (customer: Customer) => ({
  id: customer.id,
  name: customer.name,
  email: customer.email,
  source_id: customer.sourceId,
  metadata: { region: 'EMEA' },
  object: 'customer',
})

/** A gift event of `customer`'s card, carrying them where Voucherify puts them for its type. */
function giftEventOf(customer: Customer, eventType: SupportedEventType) {
  const data = giftEventData(eventType)
  const voucher = data.voucher as Record<string, unknown>
  voucher.holder_id = customer.id
  if (eventType === 'customer.voucher.gift.balance_added') data.customer = customerObject(customer)
  if (eventType === 'voucher.gift.transaction.created') data.holder = customerObject(customer)
  const transactionId = (data.transaction as { id: string }).id
  const voucherId = voucher.id as string
  return { data, eventType, transactionId, voucherId }
}

const EVENT_TYPES: SupportedEventType[] = [
  'customer.voucher.gift.balance_added',
  'voucher.gift.transaction.created',
  'voucher.gift.balance_added',
]

/** Delivers one event of each type for `customer` and one that fails its schema; all signed. */
async function deliverGiftEvents(stage: IsolatedStage, customer: Customer) {
  const events = EVENT_TYPES.map((eventType) => giftEventOf(customer, eventType))
  for (const { eventType, data } of events) {
    const answer = await stage.deliver(JSON.stringify(envelopeFor(eventType, data, 'webhook')))
    expect(answer).toMatchObject({ status: 200, body: { status: 'accepted' } })
  }
  const broken = giftEventOf(customer, 'voucher.gift.transaction.created').data
  delete broken.balance
  const quarantined = await stage.deliver(
    JSON.stringify(envelopeFor('voucher.gift.transaction.created', broken, 'webhook')),
  )
  expect(quarantined).toMatchObject({ status: 202, body: { status: 'quarantined' } })
  return events
}

/** Every item of the stage's table, with each gzipped payload as its text. */
async function scanWithPayloads(tableName: string): Promise<Array<Record<string, unknown>>> {
  return (await scanTable(tableName)).map(({ payload_gzip, ...rest }) =>
    payload_gzip instanceof Uint8Array ? { ...rest, payload: decodePayload(payload_gzip) } : rest,
  )
}

const holding = (items: Array<Record<string, unknown>>, text: string) =>
  items.filter((item) => JSON.stringify(item).includes(text))

const itemKey = (item: Record<string, unknown>) => `${item.transaction_id}|${item.event_type}`

function captured(): { io: CliIo; out: string[] } {
  const out: string[] = []
  return { io: { env: {}, stdout: (line) => out.push(line), stderr: { write: () => {} } }, out }
}

/** `npm run erase -- --customer <id> [--dry-run]` on the stage's table, without the settle wait. */
async function erase(stage: IsolatedStage, customerId: string, dryRun = false) {
  const { io, out } = captured()
  const target = {
    stage: 'local',
    region: String(process.env.AWS_REGION),
    tableName: stage.tableName,
    topicArnPrefix: stage.topicArnPrefix,
    topicNameSuffix: stage.topicNameSuffix,
  }
  const code = await eraseCommandFor({ settleMs: 0 }).run(
    { customerId, dryRun },
    { io, signal: new AbortController().signal, target, clients },
  )
  return { code, out }
}

const customerDeleted = (customer: Customer) =>
  JSON.stringify(
    envelopeFor(
      'customer.deleted',
      { customer: { ...customerObject(customer), address: { city: 'Nottingham' } } },
      'webhook',
    ),
  )

describe('personal data on the local stack', () => {
  it('keeps every item holding a name, e-mail or source id only until its retention ends', async () => {
    const stage = await isolatedStage()
    const [ada, bob] = [newCustomer('ada'), newCustomer('bob')]
    const before = Math.floor(Date.now() / 1000)

    await deliverGiftEvents(stage, ada)
    await deliverGiftEvents(stage, bob)

    const after = Math.floor(Date.now() / 1000)
    const items = await scanWithPayloads(stage.tableName)
    const personal = items.filter((item) =>
      [...personalStrings(ada), ...personalStrings(bob)].some((text) =>
        JSON.stringify(item).includes(text),
      ),
    )
    // Per customer: the customer's and the holder's payloads, and the quarantined one.
    expect(personal).toHaveLength(6)
    for (const item of personal) {
      expect(item.expires_at).toBeGreaterThanOrEqual(before + RETENTION_DAYS * DAY_S)
      expect(item.expires_at).toBeLessThanOrEqual(after + RETENTION_DAYS * DAY_S)
    }
  })

  it('lists what an erasure would take on a dry run and changes nothing', async () => {
    const stage = await isolatedStage()
    const ada = newCustomer('ada')
    await deliverGiftEvents(stage, ada)
    const before = await scanWithPayloads(stage.tableName)

    const { code, out } = await erase(stage, ada.id, true)

    expect(code).toBe(0)
    expect(out.at(-1)).toMatch(/^erase: would erase 4 item\(s\)/)
    expect(await scanWithPayloads(stage.tableName)).toEqual(before)
  })

  it('erases one customer’s personal data and keeps their ledger and the other customer’s data', async () => {
    const stage = await isolatedStage()
    const [ada, bob] = [newCustomer('ada'), newCustomer('bob')]
    const adaEvents = await deliverGiftEvents(stage, ada)
    await deliverGiftEvents(stage, bob)
    const bobItemsBefore = holding(await scanWithPayloads(stage.tableName), bob.id)

    const { code, out } = await erase(stage, ada.id)

    const items = await scanWithPayloads(stage.tableName)
    const keys = new Set(items.map(itemKey))
    expect(code).toBe(0)
    expect(out.at(-1)).toMatch(/^erase: erased 4 item\(s\)/)
    for (const text of [...personalStrings(ada), ada.id]) expect(holding(items, text)).toEqual([])
    for (const { eventType, transactionId, voucherId } of adaEvents) {
      expect(keys).toContain(`${transactionId}|${eventType}`)
      expect(keys).toContain(`${transactionId}|#ledger-step`)
      expect(keys).toContain(`${voucherId}|#ledger-head`)
    }
    expect(bobItemsBefore).toHaveLength(4)
    expect(holding(items, bob.id)).toEqual(bobItemsBefore)
  })

  it('erases a customer on a signed customer.deleted, and answers 200 to it again', async () => {
    const stage = await isolatedStage()
    const [ada, bob] = [newCustomer('ada'), newCustomer('bob')]
    await deliverGiftEvents(stage, ada)
    await deliverGiftEvents(stage, bob)

    const first = await stage.deliver(customerDeleted(bob))
    const again = await stage.deliver(customerDeleted(bob))

    const items = await scanWithPayloads(stage.tableName)
    expect(first).toEqual({
      status: 200,
      body: { status: 'erased', event_type: 'customer.deleted', items_erased: 4 },
    })
    expect(again).toMatchObject({ status: 200, body: { status: 'erased', items_erased: 0 } })
    for (const text of [...personalStrings(bob), bob.id]) expect(holding(items, text)).toEqual([])
    expect(holding(items, ada.name)).toHaveLength(3)
  })

  it('takes a late gift event of an erased customer in without keeping or publishing their personal data', async () => {
    // Messages carry personal data on this stage, so only the erasure can keep it out.
    const stage = await isolatedStage({ handlerEnv: { PUBLISH_PERSONAL_DATA: 'true' } })
    const [ada, bob] = [newCustomer('ada'), newCustomer('bob')]
    await deliverGiftEvents(stage, ada)
    await erase(stage, ada.id)
    const subscriber = await stage.subscribeAll()
    const late = giftEventOf(ada, 'voucher.gift.transaction.created')
    const control = giftEventOf(bob, 'voucher.gift.transaction.created')

    const answer = await stage.deliver(JSON.stringify(envelopeFor(late.eventType, late.data)))
    await stage.deliver(JSON.stringify(envelopeFor(control.eventType, control.data)))

    const messages = await subscriber.receiveAll(1_500)
    const messageOf = (transactionId: string) =>
      messages.find(({ attributes }) => attributes.transaction_id === transactionId)
    expect(answer).toMatchObject({ status: 200, body: { status: 'accepted' } })
    expect(await stage.item(late.transactionId, late.eventType)).toMatchObject({
      status: 'published',
    })
    expect(await stage.item(late.transactionId, `#payload:${late.eventType}`)).toBeUndefined()
    expect(holding(await scanWithPayloads(stage.tableName), ada.name)).toEqual([])
    const lateText = JSON.stringify(messageOf(late.transactionId)?.body)
    expect(lateText).toContain(late.transactionId)
    for (const text of personalStrings(ada)) expect(lateText).not.toContain(text)
    expect(JSON.stringify(messageOf(control.transactionId)?.body)).toContain(bob.name)
  })
})
