import { GetQueueUrlCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs'
import { createLocalClients, destroyLocalClients } from './create-local-clients'
import { localEndpoints } from './local-ports'
import { loadServerlessResources } from './serverless-resources'
import { takeMessages } from './take-messages'

const STAGE = 'local'
const PRINTED_ATTRIBUTES = ['event_type', 'transaction_type', 'transaction_id', 'voucher_id']

interface SnsEnvelope {
  MessageId?: string
  TopicArn?: string
  MessageAttributes?: Record<string, { Type?: string; Value?: string }>
}

/** One line per message: topic, the attributes subscribers filter on, SNS message id. */
function describe(message: Message): string {
  let envelope: SnsEnvelope
  try {
    envelope = JSON.parse(message.Body ?? '') as SnsEnvelope
  } catch {
    return `(not an SNS envelope) ${message.Body}`
  }
  const topic = envelope.TopicArn?.split(':').at(-1) ?? '(no topic)'
  const attributes = PRINTED_ATTRIBUTES.map(
    (name) => `${name}=${envelope.MessageAttributes?.[name]?.Value ?? '-'}`,
  )
  return [topic, ...attributes, `message_id=${envelope.MessageId ?? '-'}`].join(' ')
}

async function printBatch(
  sqs: SQSClient,
  queueUrl: string,
  waitTimeSeconds: number,
  abortSignal: AbortSignal,
): Promise<number> {
  const messages = await takeMessages(sqs, queueUrl, waitTimeSeconds, abortSignal)
  for (const message of messages) console.log(describe(message))
  return messages.length
}

async function tap(once: boolean, abortSignal: AbortSignal): Promise<void> {
  const resources = await loadServerlessResources(STAGE, process.env)
  const endpoints = localEndpoints(process.env)
  const clients = createLocalClients({ region: resources.region, ...endpoints })
  try {
    const queueName = `${resources.service}-${STAGE}-tap`
    const { QueueUrl } = await clients.sqs
      .send(new GetQueueUrlCommand({ QueueName: queueName }))
      .catch((error: Error) => {
        throw new Error(
          `No tap queue ${queueName} at ${endpoints.sqs} (is \`npm start\` running?)`,
          {
            cause: error,
          },
        )
      })
    if (!QueueUrl) throw new Error(`GetQueueUrl ${queueName} returned no URL`)
    if (!once) console.error(`Tapping ${queueName}; Ctrl-C to stop.`)
    while (!abortSignal.aborted) {
      const received = await printBatch(clients.sqs, QueueUrl, once ? 1 : 20, abortSignal).catch(
        (error: Error) => {
          if (abortSignal.aborted) return 0
          throw new Error(`${error.message} (did \`npm start\` stop?)`, { cause: error })
        },
      )
      if (once && received === 0) return
    }
  } finally {
    destroyLocalClients(clients)
  }
}

const abort = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => abort.abort())
}

tap(process.argv.includes('--once'), abort.signal).then(
  () => process.exit(0),
  (error: Error) => {
    if (abort.signal.aborted) process.exit(0)
    console.error(`npm run tap: ${error.message}`)
    process.exit(1)
  },
)
