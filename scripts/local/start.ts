import { SIGNATURE_HEADER, signPayload } from '../../lib/receive/signature'
import { SAMPLE_WEBHOOK_EVENT, sampleWebhookBody } from '../events-command'
import { startLocalAws } from './local-aws'
import {
  assertPortFree,
  canConnect,
  localPorts,
  localWebhookUrl,
  portVariables,
  waitUntil,
} from './ports'
import { localParams, paramArguments, projectRoot, serverlessCommand } from './serverless-resources'
import { spawnWithWatchdog } from './spawn-with-watchdog'
import { sampleVoucherifyProject } from './voucherify-sample-project'
import { describeStandInRequest, startVoucherifyStandIn } from './voucherify-stand-in'

const STAGE = 'local'
/** Tests wait for exactly this line. */
const READY_LINE = 'local stack ready'
// The first start of serverless offline bundles the handler with esbuild, which can take a while
// on a cold cache.
const OFFLINE_READY_TIMEOUT_MS = 90_000

type Stop = () => Promise<void>

/** Everything started so far, stopped in reverse order; late starters are stopped on arrival. */
const running: Stop[] = []
let shuttingDown: Promise<void> | undefined

function track(stop: Stop): void {
  if (shuttingDown !== undefined) void stop()
  else running.push(stop)
}

function shutdown(exitCode: number): Promise<void> {
  shuttingDown ??= (async () => {
    for (const stop of running.reverse()) {
      await stop().catch((error: Error) => console.error(`While stopping: ${error.message}`))
    }
    process.exit(exitCode)
  })()
  return shuttingDown
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`

/** A copy-and-paste `curl` that posts `body` with a valid Voucherify signature. */
function signedCurl(url: string, body: string, secret: string): string {
  return [
    'curl -sS -i -X POST',
    shellQuote(url),
    `-H ${shellQuote('content-type: application/json')}`,
    `-H ${shellQuote(`${SIGNATURE_HEADER}: ${signPayload(secret, body)}`)}`,
    `--data-raw ${shellQuote(body)}`,
  ].join(' ')
}

async function start(): Promise<void> {
  const ports = localPorts(process.env)
  const params = localParams(process.env)
  const variables = portVariables(ports)
  // Checked up front so a second `npm start` fails clearly instead of half-starting.
  await Promise.all(
    Object.entries(variables).map(([name, port]) => assertPortFree(Number(port), name)),
  )
  const env = { ...process.env, ...variables }

  const localAws = await startLocalAws({
    dynamodbPort: ports.dynamodb,
    fauxqsPort: ports.fauxqs,
    env,
    params,
  })
  track(localAws.stop)
  const { resources, provisioned } = localAws
  const secret = resources.environment.VOUCHERIFY_WEBHOOK_SECRET
  if (typeof secret !== 'string') {
    throw new Error('serverless.yml sets no VOUCHERIFY_WEBHOOK_SECRET for the local stage')
  }

  const project = sampleVoucherifyProject(env)
  // Each request on its own line, so that what the sweep asks for (`order=…`) shows.
  const standIn = await startVoucherifyStandIn(project, ports.voucherify, (request) =>
    console.log(`Voucherify stand-in: ${describeStandInRequest(request)}`),
  )
  track(standIn.close)

  // Readiness is "the HTTP port accepts", so nothing else may hold it when offline starts.
  await assertPortFree(ports.http, 'HTTP_PORT')
  await assertPortFree(ports.lambda, 'LAMBDA_PORT')
  const { command, args } = serverlessCommand([
    'offline',
    'start',
    '--stage',
    STAGE,
    ...paramArguments(params),
  ])
  const offline = spawnWithWatchdog(command, args, { cwd: projectRoot, env, echo: true })
  track(offline.stop)
  await waitUntil(() => canConnect(ports.http), {
    timeoutMs: OFFLINE_READY_TIMEOUT_MS,
    gaveUp: () =>
      offline.exitCode === undefined
        ? undefined
        : `serverless offline exited (${offline.exitCode}) before it was ready`,
    notReady: `Nothing listened on port ${ports.http}`,
  })
  void offline.exited.then((code) => {
    if (shuttingDown !== undefined) return
    console.error(`serverless offline stopped unexpectedly (${code}); stopping the local stack.`)
    void shutdown(1)
  })

  const webhookUrl = localWebhookUrl(env)
  console.log(
    [
      '',
      `Voucherify gift webhooks, stage ${STAGE} (${resources.region}):`,
      `  POST ${webhookUrl}`,
      `  POST ${webhookUrl}/{eventType}`,
      `DynamoDB Local  http://127.0.0.1:${ports.dynamodb}`,
      `  table ${provisioned.tableName}`,
      `fauxqs (SNS+SQS) http://127.0.0.1:${ports.fauxqs}`,
      ...Object.values(provisioned.topicArns).map((arn) => `  topic ${arn}`),
      `  tap queue ${provisioned.tapQueueUrl} (watch it with \`npm run tap\`)`,
      `Voucherify stand-in ${standIn.url}`,
      `  gift campaign ${project.giftCampaignId}: ten transactions no webhook delivered ` +
        '(`npm run sweep` takes them in)',
      `Signed sample webhook (events/${SAMPLE_WEBHOOK_EVENT}.json):`,
      signedCurl(webhookUrl, sampleWebhookBody(), secret),
      '',
      READY_LINE,
    ].join('\n'),
  )
}

// A parent killed outright (SIGKILL) sends no signal; noticing the orphaning avoids lingering.
const parentPid = process.ppid
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(1)
}, 1_000).unref()

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown === undefined) console.log(`\n${signal}: stopping the local stack...`)
    void shutdown(0)
  })
}

start().catch((error: Error) => {
  if (shuttingDown !== undefined) return
  console.error(`\nCould not start the local stack: ${error.message}`)
  void shutdown(1)
})
