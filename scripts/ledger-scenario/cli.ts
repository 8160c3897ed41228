import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { API_TRANSACTION_EVENT_TYPE } from '../../lib/voucherify/transaction-payload'
import { type CardTransaction, cardHistory } from '../card-history'
import {
  type Command,
  type CommandContext,
  defineCommand,
  EXIT,
  text,
  UsageError,
} from '../cli/command'
import { type CardLedger, formatTable, money, readCardLedger } from '../ledger/card-ledger'
import { localWebhookUrl } from '../local/ports'
import { subscribeQueue } from '../local/subscriber-queue'
import { startVoucherifyStandIn } from '../local/voucherify-stand-in'
import { envelopeFor, LOCAL_WEBHOOK_SECRET, randomId } from '../sample-events'
import { postWebhook } from '../send-command'
import { sweepCommand } from '../sweep/sweep-command'
import {
  ACCEPTED,
  ARRIVALS,
  checkScenario,
  LOST_LAST,
  LOST_MIDDLE,
  type ReceivedStep,
} from './check-scenario'

export const USAGE = `[--url URL]

Against the local stack (npm start): a gift card's ten transactions sent as signed webhooks,
#${LOST_MIDDLE} and the last, #${LOST_LAST}, lost and #7/#8 swapped; the ledger shows the gap and the
swap but not #${LOST_LAST}'s loss; the sweep, with no card named, takes #${LOST_MIDDLE} and #${LOST_LAST} in from
a Voucherify stand-in and attests the card; the ledger is whole again. Exit code 0 when every
claim holds.
With FIFO_TOPICS=true (as for \`FIFO_TOPICS=true npm start\`) the subscriber also shows each
card's order kept.

  --url URL  where to post the webhooks (default http://127.0.0.1:$HTTP_PORT/webhooks/voucherify)`

/** The event type every webhook of the scenario comes as: the one the sweep compares. */
const EVENT_TYPE = API_TRANSACTION_EVENT_TYPE
/** The stand-in's API keys, handed to the sweep as VOUCHERIFY_APP_ID/VOUCHERIFY_SECRET_KEY. */
const STAND_IN_KEYS = { appId: 'scenario-app-id', secretKey: 'scenario-secret-key' }
/** How long the subscriber waits for one more message before it counts what it has. */
const QUIET_MS = 1_000

/** Posts one webhook body, signed; resolves with the HTTP status. */
export type Deliver = (body: string) => Promise<number>

function httpDelivery(url: string, secret: string): Deliver {
  return async (body) => {
    const answer = await postWebhook(url, body, secret).catch((error: Error) => {
      throw new Error(`Could not post to ${url} (is npm start running?): ${error.message}`)
    })
    return answer.status
  }
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => (line ? `    ${line}` : line))
    .join('\n')

type Json = Record<string, unknown>

/** The gift card campaign the card belongs to: new each run, so its first sweep walks it all. */
type Campaign = { id: string; name: string }

/**
 * Transaction #n's data as Voucherify sends it, the card and its transaction in `campaign`: the
 * webhooks and the stand-in's API tell the same story.
 */
function dataOf(transaction: CardTransaction, campaign: Campaign, code: string): Json {
  const data = transaction.dataFor(EVENT_TYPE)
  const part = (name: string) => data[name] as Json | null | undefined
  Object.assign(part('transaction') ?? {}, { campaign_id: campaign.id })
  const voucher = part('voucher')
  if (voucher) Object.assign(voucher, { code, campaign: campaign.name, campaign_id: campaign.id })
  const campaignPart = part('campaign')
  if (campaignPart) Object.assign(campaignPart, { id: campaign.id, name: campaign.name })
  return data
}

/** The ledger's table with each row's number in the card's history in front. */
function numberedTable(ledger: CardLedger, transactions: readonly CardTransaction[]): string {
  const numberOf = new Map(transactions.map(({ id, number }) => [id, `#${number}`]))
  const lines = formatTable(ledger).split('\n')
  return lines
    .map((line, index) => {
      const row = index === 0 ? undefined : ledger.rows[index - 1]
      const label = index === 0 ? '' : row ? (numberOf.get(row.transaction_id) ?? '?') : ''
      return line ? `${label.padEnd(4)}${line}` : line
    })
    .join('\n')
}

/**
 * `npm run ledger:scenario`, on the local stage only. `deliver` posts each webhook: by default
 * over HTTP to the local stack; tests hand in the handler itself.
 */
export function ledgerScenarioCommand(deliver?: Deliver): Command {
  return defineCommand({
    name: 'ledger:scenario',
    summary: 'a ledger broken by lost and swapped webhooks, shown, then mended by the sweep',
    usage: USAGE,
    options: { url: { type: 'string' } },
    usesStage: true,
    read: ({ values, env }) => ({ url: text(values, 'url') ?? localWebhookUrl(env) }),
    run: ({ url }, context) => runScenario(context, url, deliver),
  })
}

async function runScenario(
  context: CommandContext,
  url: string,
  deliverTo?: Deliver,
): Promise<number> {
  const { target, clients, io, signal } = context
  if (!target?.endpoints || !clients) {
    throw new UsageError('The scenario runs against the local stack only (--stage local)')
  }
  const fifo = target.topicNameSuffix === '.fifo'
  const say = io.stdout
  const documents = DynamoDBDocumentClient.from(clients.dynamodb)
  const deliver =
    deliverTo ?? httpDelivery(url, io.env.VOUCHERIFY_WEBHOOK_SECRET || LOCAL_WEBHOOK_SECRET)
  const cleanups: Array<() => Promise<void>> = []
  try {
    const topicArn = `${target.topicArnPrefix}${topicNameFor(EVENT_TYPE)}${target.topicNameSuffix}`
    const card = cardHistory()
    const campaign: Campaign = { id: randomId('camp'), name: `ledger scenario ${card.voucherId}` }
    const code = randomId('GIFT')
    const ledgerNow = () => readCardLedger(documents, target.tableName, card.voucherId, signal)

    say(`Gift card ${card.voucherId}: opening balance ${money(card.opening)}, ten transactions.`)
    const subscriber = await subscribeQueue(clients, topicArn, {
      name: `ledger-scenario-${card.voucherId}`,
      fifo,
      filterPolicy: { voucher_id: [card.voucherId] },
    })
    cleanups.push(() => subscriber.remove())
    say(
      `A subscriber's ${fifo ? 'FIFO' : 'standard'} queue listens on ${topicArn.split(':').at(-1)}` +
        ` for this card (filter policy voucher_id).`,
    )

    say('')
    say(
      `1. Voucherify sends ${EVENT_TYPE} webhooks: #${LOST_MIDDLE} is lost, #8 arrives before #7,` +
        ` and the last, #${LOST_LAST}, is lost too.`,
    )
    const answers: number[] = []
    for (const transaction of card.arriving(ARRIVALS)) {
      signal.throwIfAborted()
      const body = JSON.stringify(envelopeFor(EVENT_TYPE, dataOf(transaction, campaign, code)))
      const status = await deliver(body)
      answers.push(status)
      say(
        `    #${String(transaction.number).padEnd(3)}${transaction.type.padEnd(20)}` +
          `${money(transaction.amount, true).padStart(7)}  -> ${status}`,
      )
    }

    say('')
    say(`2. The ledger: npm run ledger -- ${card.voucherId}`)
    const before = await ledgerNow()
    say(indent(numberedTable(before, card.transactions)))
    const numberOf = new Map(card.transactions.map(({ id, number }) => [id, number]))
    const lastShown = numberOf.get(before.rows.at(-1)?.transaction_id ?? '')
    const last = card.at(LOST_LAST)
    say(
      `   Nothing here shows #${LOST_LAST} (${money(last.amount, true)}) lost: the ledger ends at` +
        ` #${lastShown ?? '?'} and no later webhook came to show a gap; its balance,` +
        ` ${money(before.closing_balance ?? 0)}, is not Voucherify's, ${money(last.balanceAfter)}.`,
    )

    say('')
    const standIn = await startVoucherifyStandIn({
      ...STAND_IN_KEYS,
      campaigns: [{ ...campaign, campaign_type: 'GIFT_VOUCHERS' }],
      cards: [
        {
          id: card.voucherId,
          code,
          transactions: card.transactions.map(
            (transaction) => dataOf(transaction, campaign, code).transaction as Json,
          ),
        },
      ],
    })
    cleanups.push(() => standIn.close())
    say('3. The sweep runs, as the scheduled function would: no one names a card.')
    say(
      `   A Voucherify stand-in at ${standIn.url} knows all ten, in gift campaign ${campaign.id};` +
        ' no sweep has seen that campaign, so this one walks its whole history:',
    )
    const sweepLine = ['--campaign', campaign.id, '--api-url', standIn.url]
    say(`   npm run sweep -- ${sweepLine.join(' ')}`)
    // The same stage and clients as this command: what the line above would resolve to. Both of
    // its streams are shown, as a terminal would.
    const sweepOptions = sweepCommand.read({
      values: { campaign: [campaign.id], 'api-url': standIn.url },
      positionals: [],
      env: io.env,
    })
    const sweepExitCode = await sweepCommand.run(sweepOptions, {
      ...context,
      io: {
        env: {
          ...io.env,
          VOUCHERIFY_APP_ID: STAND_IN_KEYS.appId,
          VOUCHERIFY_SECRET_KEY: STAND_IN_KEYS.secretKey,
        },
        stdout: (line) => say(indent(line)),
        stderr: { write: (text) => say(indent(text.replace(/\n$/, ''))) },
      },
    })

    say('')
    say('4. The ledger again:')
    const after = await ledgerNow()
    say(indent(numberedTable(after, card.transactions)))

    say('')
    say('5. What the subscriber received, in order (attributes ledger and origin):')
    const received: ReceivedStep[] = (await subscriber.receiveAll(QUIET_MS)).map((message) => ({
      number: numberOf.get(message.attributes.transaction_id ?? ''),
      ledger: message.attributes.ledger,
      origin: message.attributes.origin,
      groupId: message.messageGroupId,
    }))
    for (const step of received) {
      const origin = step.origin ? ` origin=${step.origin}` : ''
      const group = step.groupId ? ` group=${step.groupId}` : ''
      say(
        `    #${String(step.number ?? '?').padEnd(3)}ledger=${step.ledger ?? '-'}${origin}${group}`,
      )
    }
    if (!fifo) say('    (a standard topic promises no order; FIFO_TOPICS=true shows it kept)')

    const checks = checkScenario({ card, fifo, answers, before, sweepExitCode, after, received })
    say('')
    for (const { claim, held } of checks) say(`${held ? 'ok  ' : 'FAIL'} ${claim}`)
    const failed = checks.filter((check) => !check.held).length
    say(
      failed === 0
        ? `Scenario held: ${checks.length} of ${checks.length} claims (taken in as ${ACCEPTED.map((n) => `#${n}`).join(' ')}).`
        : `Scenario failed: ${failed} of ${checks.length} claims did not hold.`,
    )
    return failed === 0 ? EXIT.done : EXIT.failed
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  }
}
