import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { topicNameFor } from '../../lib/receive/event-publisher'
import { RECONCILE_EVENT_TYPE } from '../../lib/voucherify/transaction-payload'
import { type CardTransaction, cardHistory } from '../card-history'
import {
  type Command,
  type CommandContext,
  defineCommand,
  EXIT,
  text,
  UsageError,
} from '../cli/command'
import {
  buildLedger,
  type CardLedger,
  formatTable,
  money,
  readCardItems,
} from '../ledger/card-ledger'
import { localWebhookUrl } from '../local/local-ports'
import { subscribeQueue } from '../local/subscriber-queue'
import { startVoucherifyStandIn } from '../local/voucherify-stand-in'
import { postWebhook } from '../post-webhook'
import { reconcileCommand } from '../reconcile/cli'
import { envelopeFor, LOCAL_WEBHOOK_SECRET, randomId } from '../sample-events'
import { ACCEPTED, ARRIVALS, checkScenario, LOST, type ReceivedStep } from './check-scenario'

export const USAGE = `[--url URL]

Against the local stack (npm start): a gift card's ten transactions sent as signed webhooks,
#${LOST} lost and #7/#8 swapped; the ledger shows the gap and the swap; reconcile takes #${LOST} in
from a Voucherify stand-in; the ledger is whole again. Exit code 0 when every claim holds.
With FIFO_TOPICS=true (as for \`FIFO_TOPICS=true npm start\`) the subscriber also shows each
card's order kept.

  --url URL  where to post the webhooks (default http://127.0.0.1:$HTTP_PORT/webhooks/voucherify)`

/** The event type every webhook of the scenario comes as: the one reconcile compares. */
const EVENT_TYPE = RECONCILE_EVENT_TYPE
/** The stand-in's API keys, handed to reconcile as VOUCHERIFY_APP_ID/VOUCHERIFY_SECRET_KEY. */
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
    summary: 'a ledger broken by lost and swapped webhooks, shown, then mended by reconcile',
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
    const ledgerNow = async () =>
      buildLedger(card.voucherId, await readCardItems(documents, target.tableName, card.voucherId))

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
    say(`1. Voucherify sends ${EVENT_TYPE} webhooks: #${LOST} is lost, #8 arrives before #7.`)
    const answers: number[] = []
    for (const transaction of card.arriving(ARRIVALS)) {
      signal.throwIfAborted()
      const body = JSON.stringify(envelopeFor(EVENT_TYPE, transaction.dataFor(EVENT_TYPE)))
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

    say('')
    const code = randomId('GIFT')
    const standIn = await startVoucherifyStandIn({
      ...STAND_IN_KEYS,
      cards: [
        {
          id: card.voucherId,
          code,
          transactions: card.transactions.map(
            (transaction) => transaction.dataFor(EVENT_TYPE).transaction as Record<string, unknown>,
          ),
        },
      ],
    })
    cleanups.push(() => standIn.close())
    say(`3. Reconcile against a Voucherify stand-in at ${standIn.url} that knows all ten:`)
    say(`   npm run reconcile -- --voucher ${code} --api-url ${standIn.url}`)
    // The same stage and clients as this command: what the line above would resolve to.
    const reconcileOptions = reconcileCommand.read({
      values: { voucher: code, 'api-url': standIn.url },
      positionals: [],
      env: io.env,
    })
    const reconcileExitCode = await reconcileCommand.run(reconcileOptions, {
      ...context,
      io: {
        env: {
          ...io.env,
          VOUCHERIFY_APP_ID: STAND_IN_KEYS.appId,
          VOUCHERIFY_SECRET_KEY: STAND_IN_KEYS.secretKey,
        },
        stdout: (line) => say(indent(line)),
        stderr: { write: (line) => io.stderr.write(indent(line)) },
      },
    })

    say('')
    say('4. The ledger again:')
    const after = await ledgerNow()
    say(indent(numberedTable(after, card.transactions)))

    say('')
    say('5. What the subscriber received, in order (attributes ledger and origin):')
    const numberOf = new Map(card.transactions.map(({ id, number }) => [id, number]))
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

    const checks = checkScenario({
      card,
      fifo,
      answers,
      before,
      reconcileExitCode,
      after,
      received,
    })
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
