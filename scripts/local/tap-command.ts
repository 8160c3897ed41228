import { GetQueueUrlCommand, type Message } from '@aws-sdk/client-sqs'
import { defineCommand, EXIT, flag, UsageError } from '../cli/command'
import { SERVICE } from '../cli/stage-target'
import { type SnsEnvelope, takeMessages } from './subscriber-queue'

const PRINTED_ATTRIBUTES = ['event_type', 'transaction_type', 'transaction_id', 'voucher_id']

/** One line per message: topic, the attributes subscribers filter on, SNS message id. */
function describe(message: Message): string {
  let envelope: Partial<SnsEnvelope>
  try {
    envelope = JSON.parse(message.Body ?? '')
  } catch {
    return `(not an SNS envelope) ${message.Body}`
  }
  const topic = envelope.TopicArn?.split(':').at(-1) ?? '(no topic)'
  const attributes = PRINTED_ATTRIBUTES.map(
    (name) => `${name}=${envelope.MessageAttributes?.[name]?.Value ?? '-'}`,
  )
  return [topic, ...attributes, `message_id=${envelope.MessageId ?? '-'}`].join(' ')
}

/** `npm run tap`: prints what arrives on the local stack's event topics, through its tap queue. */
export const tapCommand = defineCommand({
  name: 'tap',
  summary: "print what arrives on the local stack's event topics",
  usage: `[--once]

  --once  print what is waiting and stop (default: keep printing until Ctrl-C)`,
  options: { once: { type: 'boolean', default: false } },
  usesStage: true,
  read: ({ values }) => ({ once: flag(values, 'once') }),
  async run({ once }, { target, clients, io, signal }) {
    if (!target?.endpoints || !clients) {
      throw new UsageError('The tap queue is part of the local stack only (--stage local)')
    }
    const queueName = `${SERVICE}-${target.stage}-tap`
    const { QueueUrl } = await clients.sqs
      .send(new GetQueueUrlCommand({ QueueName: queueName }))
      .catch((error: Error) => {
        throw new Error(
          `No tap queue ${queueName} at ${target.endpoints?.sqs} (is \`npm start\` running?)`,
          { cause: error },
        )
      })
    if (!QueueUrl) throw new Error(`GetQueueUrl ${queueName} returned no URL`)
    if (!once) io.stderr.write(`Tapping ${queueName}; Ctrl-C to stop.\n`)
    while (!signal.aborted) {
      const messages = await takeMessages(clients.sqs, QueueUrl, once ? 1 : 20, signal).catch(
        (error: Error) => {
          if (signal.aborted) return []
          throw new Error(`${error.message} (did \`npm start\` stop?)`, { cause: error })
        },
      )
      for (const message of messages) io.stdout(describe(message))
      if (once && messages.length === 0) break
    }
    // Ctrl-C is how a tap ends.
    return EXIT.done
  },
})
