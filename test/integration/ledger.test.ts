// The balance chain end to end: the handler against DynamoDB Local and fauxqs with one card's
// realistic ten transactions (one lost, two swapped), the metrics it emits, concurrent
// deliveries for one card, and `npm run ledger` reading the card back.
import { execFile } from 'node:child_process'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { type ItemKey, itemKeys } from '../../lib/aws/transactions-table'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { type SupportedEventType, supportedEventTypes } from '../../lib/schemas/registry'
import { type CardTransaction, cardHistory } from '../../scripts/card-history'
import { projectRoot } from '../../scripts/local/serverless-resources'
import { apiGatewayEventFor, envelopeFor, LOCAL_WEBHOOK_SECRET } from '../../scripts/sample-events'
import { captureOutput } from '../support/capture-output'
import {
  dynamoDbError,
  dynamoDbKind,
  type FaultProxy,
  startFaultProxy,
} from '../support/emulators/fault-proxy'
import { localClients, type ReceivedMessage, subscribeQueue } from '../support/emulators/local-aws'
import { type Handler, loadHandler } from '../support/load-handler'

const documents = DynamoDBDocumentClient.from(localClients().dynamodb)
const tableName = process.env.TABLE_NAME as string

const CREATED: SupportedEventType = 'voucher.gift.transaction.created'
const CUSTOMER: SupportedEventType = 'customer.voucher.gift.balance_added'

async function deliver(
  handler: Handler,
  transaction: CardTransaction,
  eventType: SupportedEventType,
) {
  const body = JSON.stringify(envelopeFor(eventType, transaction.dataFor(eventType)))
  const result = await handler(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }))
  return { status: result.statusCode ?? 0, body: JSON.parse(String(result.body)) }
}

const readItem = async (key: ItemKey) =>
  (await documents.send(new GetCommand({ TableName: tableName, Key: key }))).Item
const read = (transaction_id: string, event_type: string) =>
  readItem({ transaction_id, event_type })

/** Each CloudWatch metric in the handler's EMF lines, as `Name{dimension=value}`. */
function ledgerMetricsIn(lines: string[]): string[] {
  return lines
    .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
    .map((line) => JSON.parse(line))
    .flatMap((record) =>
      record._aws.CloudWatchMetrics.flatMap(
        (directive: { Dimensions: string[][]; Metrics: Array<{ Name: string }> }) =>
          directive.Metrics.filter(({ Name }) => Name.startsWith('Ledger')).map(({ Name }) => {
            const dimensions = (directive.Dimensions[0] ?? [])
              .filter((name) => name !== 'service')
              .map((name) => `${name}=${record[name]}`)
            return `${Name}{${dimensions.join(',')}}`
          }),
      ),
    )
}

/** `npm run ledger -- <args>` against this run's DynamoDB Local; resolves with its stdout. */
function runLedger(args: string[]): Promise<string> {
  const port = new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB as string).port
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/cli.ts', 'ledger', ...args],
      { cwd: projectRoot, env: { ...process.env, DYNAMODB_PORT: port } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  )
}

describe('a card’s ten transactions, one lost and two swapped, through the handler', () => {
  const handler = loadHandler({ POWERTOOLS_METRICS_DISABLED: 'false' })
  const card = cardHistory()
  // #5 (a removal of 5.00) is lost; #8 arrives before #7. Event types take turns.
  const arrivals = card.arriving([1, 2, 3, 4, 6, 8, 7, 9, 10])
  const eventTypeOf = (transaction: CardTransaction) =>
    supportedEventTypes[transaction.number % supportedEventTypes.length] as SupportedEventType
  let statuses: number[]
  let metrics: string[]
  let messages: ReceivedMessage[]

  beforeAll(async () => {
    const queue = await subscribeQueue(`${process.env.TOPIC_ARN_PREFIX}${topicNameFor(CREATED)}`, {
      voucher_id: [card.voucherId],
    })
    statuses = []
    const lines = await captureOutput(async () => {
      for (const transaction of arrivals) {
        statuses.push((await deliver(handler, transaction, eventTypeOf(transaction))).status)
      }
      // Every transaction again as voucher.gift.transaction.created: already applied, counted once.
      for (const transaction of arrivals) await deliver(handler, transaction, CREATED)
    })
    metrics = ledgerMetricsIn(lines)
    messages = await queue.receiveAll(1_000)
  })

  it('accepts every delivery', () => {
    expect(statuses).toEqual(Array(arrivals.length).fill(200))
  })

  it('flags the transaction after the lost one as a gap, with the balance the chain expected', async () => {
    const item = await read(card.at(6).id, eventTypeOf(card.at(6)))

    expect(item).toMatchObject({
      ledger_status: 'gap',
      expected_balance: 4_000,
      previous_transaction_id: card.at(4).id,
      amount: 1_000,
      balance_after: 4_500,
    })
  })

  it('flags the swapped pair: the later as a gap on arrival, the earlier as out of order', async () => {
    const later = await read(card.at(8).id, eventTypeOf(card.at(8)))
    const earlier = await read(card.at(7).id, eventTypeOf(card.at(7)))

    expect([later?.ledger_status, earlier?.ledger_status]).toEqual(['gap', 'out_of_order'])
    expect(earlier?.previous_transaction_id).toBe(card.at(8).id)
  })

  it('finds the chain whole everywhere else', async () => {
    const others = card.arriving([1, 2, 3, 4, 9, 10])

    const items = await Promise.all(others.map((transaction) => read(transaction.id, CREATED)))

    expect(items.map((item) => item?.ledger_status)).toEqual(Array(6).fill('ok'))
  })

  it('records the same verdict on the item of the second event type that delivered it', async () => {
    // #8 came first as voucher.gift.balance_added, then as voucher.gift.transaction.created.
    const second = await read(card.at(8).id, CREATED)

    expect(eventTypeOf(card.at(8))).not.toBe(CREATED)
    expect(second).toMatchObject({ ledger_status: 'gap', expected_balance: 4_500 })
  })

  it('counts each gap and the out-of-order arrival once, by the event type that applied it', () => {
    expect(metrics.sort()).toEqual(
      [
        `LedgerGap{event_type=${eventTypeOf(card.at(6))}}`,
        `LedgerGap{event_type=${eventTypeOf(card.at(8))}}`,
        'LedgerGap{}',
        'LedgerGap{}',
        `LedgerOutOfOrder{event_type=${eventTypeOf(card.at(7))}}`,
        'LedgerOutOfOrder{}',
      ].sort(),
    )
  })

  it('keeps the card’s head at its latest transaction, with the counts', async () => {
    const head = await readItem(itemKeys.ledgerHead(card.voucherId))

    expect(head).toMatchObject({
      head_transaction_id: card.at(10).id,
      head_balance: 0,
      applied_count: 9,
      gap_count: 2,
      out_of_order_count: 1,
    })
  })

  it('publishes each verdict as the `ledger` message attribute', () => {
    const ledgerOf = new Map(
      messages.map((message) => [message.attributes.transaction_id, message.attributes.ledger]),
    )

    expect(arrivals.map((transaction) => ledgerOf.get(transaction.id))).toEqual([
      'ok', // #1
      'ok', // #2
      'ok', // #3
      'ok', // #4
      'gap', // #6
      'gap', // #8
      'out_of_order', // #7
      'ok', // #9
      'ok', // #10
    ])
  })

  describe('npm run ledger', () => {
    it('prints the card’s transactions in time order with running balances and flags', async () => {
      const output = await runLedger([card.voucherId])

      const rows = output.split('\n').slice(1, 10)
      expect(rows.map((row) => row.split(/\s+/).slice(1, 6))).toEqual([
        [card.at(1).id, 'CREDITS_ADDITION', '+20.00', '70.00', '70.00'],
        [card.at(2).id, 'CREDITS_REDEMPTION', '-15.00', '55.00', '55.00'],
        [card.at(3).id, 'CREDITS_REFUND', '+15.00', '70.00', '70.00'],
        [card.at(4).id, 'CREDITS_REDEMPTION', '-30.00', '40.00', '40.00'],
        [card.at(6).id, 'CREDITS_ADDITION', '+10.00', '45.00', '50.00'],
        [card.at(7).id, 'CREDITS_REDEMPTION', '-25.00', '20.00', '25.00'],
        [card.at(8).id, 'CREDITS_REDEMPTION', '-8.00', '12.00', '17.00'],
        [card.at(9).id, 'CREDITS_REFUND', '+8.00', '20.00', '25.00'],
        [card.at(10).id, 'CREDITS_REMOVAL', '-20.00', '0.00', '5.00'],
      ])
    })

    it('names the gap, the filled gap and the out-of-order arrival, and what is unaccounted', async () => {
      const output = await runLedger([card.voucherId])

      const lines = output.trimEnd().split('\n')
      expect(lines[5]).toMatch(/gap: -5\.00 missing before \(expected 40\.00\)$/)
      expect(lines[6]).toMatch(new RegExp(`out of order \\(arrived after ${card.at(8).id}\\)$`))
      expect(lines[7]).toMatch(/gap on arrival, since filled$/)
      expect(lines.slice(-2)).toEqual([
        `Gift card ${card.voucherId}: 9 transactions; on arrival 2 gaps and 1 out of order.`,
        'Opening 50.00, balance 0.00, running 5.00: ' +
          'the chain is broken, -5.00 in transactions never received.',
      ])
    })

    it('prints the same ledger as JSON with --json', async () => {
      const output = await runLedger([card.voucherId, '--json'])

      const ledger = JSON.parse(output)
      expect(ledger).toMatchObject({
        voucher_id: card.voucherId,
        opening_balance: 5_000,
        closing_balance: 0,
        running_balance: 500,
        transactions: 9,
        gaps: 2,
        out_of_order: 1,
        backfilled: 0,
        whole: false,
      })
      expect(
        ledger.rows.map((row: { transaction_id: string; flags: string[] }) => [
          row.transaction_id,
          row.flags,
        ]),
      ).toEqual([
        [card.at(1).id, []],
        [card.at(2).id, []],
        [card.at(3).id, []],
        [card.at(4).id, []],
        [card.at(6).id, ['gap']],
        [card.at(7).id, ['out_of_order']],
        [card.at(8).id, ['gap', 'gap_filled']],
        [card.at(9).id, []],
        [card.at(10).id, []],
      ])
      expect(ledger.rows[2]).toMatchObject({
        transaction_type: 'CREDITS_REFUND',
        related_transaction_id: card.at(2).id,
        origin: null,
      })
    })

    it('prints no personal data and no voucher code', async () => {
      const data = card.at(1).dataFor(CUSTOMER)
      const personal = [
        (data.voucher as { code: string }).code,
        (data.customer as { id: string; name: string }).id,
        (data.customer as { id: string; name: string }).name,
      ]

      const outputs = await Promise.all([
        runLedger([card.voucherId]),
        runLedger([card.voucherId, '--json']),
      ])

      for (const output of outputs) {
        for (const value of personal) expect(output).not.toContain(value)
      }
    })
  })
})

describe('concurrent deliveries for one card', () => {
  const handler = loadHandler()

  it('apply each transaction once, and leave the head at the latest', async () => {
    const card = cardHistory()

    // Every transaction under all three event types at once; answers that ask for a retry are
    // retried, as Voucherify retries them.
    const answers = await Promise.all(
      card.transactions.flatMap((transaction) =>
        supportedEventTypes.map(async (type) => {
          let answer = await deliver(handler, transaction, type)
          for (let retry = 0; retry < 10 && answer.status !== 200; retry++) {
            answer = await deliver(handler, transaction, type)
          }
          return answer.status
        }),
      ),
    )
    const head = await readItem(itemKeys.ledgerHead(card.voucherId))
    const steps = await Promise.all(
      card.transactions.map((t) => readItem(itemKeys.ledgerStep(t.id))),
    )

    expect(answers).toEqual(Array(30).fill(200))
    expect(head).toMatchObject({
      head_transaction_id: card.at(10).id,
      head_balance: 0,
      applied_count: 10,
    })
    expect(steps.every((step) => step?.ledger_status !== undefined)).toBe(true)
  })

  it('record on every event type’s item the verdict its transaction got', async () => {
    const card = cardHistory()

    await Promise.all(
      card.transactions.flatMap((transaction) =>
        supportedEventTypes.map((type) => deliver(handler, transaction, type)),
      ),
    )
    const mismatches = []
    for (const transaction of card.transactions) {
      const step = await readItem(itemKeys.ledgerStep(transaction.id))
      for (const type of supportedEventTypes) {
        const item = await read(transaction.id, type)
        if (item?.status === 'published' && item.ledger_status !== step?.ledger_status) {
          mismatches.push(`${transaction.number} ${type}`)
        }
      }
    }

    expect(mismatches).toEqual([])
  })
})

describe('when DynamoDB fails the ledger step', () => {
  let proxy: FaultProxy

  beforeEach(async () => {
    proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
      kindOf: dynamoDbKind,
    })
  })
  afterEach(() => proxy.close())

  it('answers 503 and publishes nothing, and the redelivery applies the step once', async () => {
    const handler = loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: proxy.url })
    const card = cardHistory()
    const queue = await subscribeQueue(`${process.env.TOPIC_ARN_PREFIX}${topicNameFor(CREATED)}`, {
      voucher_id: [card.voucherId],
    })
    proxy.inject({
      when: (request) => request.kind === 'TransactWriteItems',
      fault: dynamoDbError('InternalServerError'),
    })

    const failed = await deliver(handler, card.at(1), CREATED)
    proxy.clearRules()
    const redelivered = await deliver(handler, card.at(1), CREATED)
    const messages = await queue.receiveAll(1_000)

    expect([failed.status, redelivered.body.status]).toEqual([503, 'accepted'])
    expect(messages.map((message) => message.attributes.ledger)).toEqual(['ok'])
    expect(await readItem(itemKeys.ledgerHead(card.voucherId))).toMatchObject({ applied_count: 1 })
  })

  it('counts a gap once when the answer of the call that applied it is lost', async () => {
    const handler = loadHandler({
      AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
      POWERTOOLS_METRICS_DISABLED: 'false',
    })
    const card = cardHistory()
    await deliver(handler, card.at(1), CREATED)
    // The attempt that writes #3's gap goes through and its answer never comes back; the SDK
    // resends it with the same ClientRequestToken, which DynamoDB answers as applied.
    proxy.inject({
      when: (request) => request.kind === 'TransactWriteItems' && request.body.includes('"gap"'),
      fault: { type: 'lose-response' },
      times: 1,
    })

    const lines = await captureOutput(() => deliver(handler, card.at(3), CREATED))

    expect(proxy.applied).toHaveLength(1)
    expect(ledgerMetricsIn(lines)).toEqual([`LedgerGap{event_type=${CREATED}}`, 'LedgerGap{}'])
    expect(await read(card.at(3).id, CREATED)).toMatchObject({ ledger_status: 'gap' })
  })
})
