import { startLocalAws } from './local-aws'
import {
  assertPortFree,
  type LocalPorts,
  localPorts,
  localWebhookUrl,
  portVariables,
} from './ports'
import type { ProvisionedResources } from './provision'
import { loadSampleWebhook, signedCurl } from './sample-webhook'
import { localParams, projectRoot } from './serverless-command'
import { startServerlessOffline } from './serverless-offline'
import type { ServerlessResources } from './serverless-resources'
import { sampleVoucherifyProject } from './voucherify-sample-project'
import { startVoucherifyStandIn } from './voucherify-stand-in'

const STAGE = 'local'
/** Tests wait for exactly this line. */
const READY_LINE = 'local stack ready'

type Stop = () => Promise<void>

/** Everything started so far, stopped in reverse order; late starters are stopped on arrival. */
const running: Stop[] = []
let shuttingDown: Promise<void> | undefined

function track<T extends { stop: Stop }>(service: T): T {
  if (shuttingDown !== undefined) void service.stop()
  else running.push(service.stop)
  return service
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

function printSummary(
  ports: LocalPorts,
  resources: ServerlessResources,
  provisioned: ProvisionedResources,
  secret: string,
  voucherify: { url: string; giftCampaignId: string },
): void {
  const webhookUrl = localWebhookUrl(portVariables(ports))
  const lines = [
    '',
    `Voucherify gift webhooks, stage ${STAGE} (${resources.region}):`,
    `  POST ${webhookUrl}`,
    `  POST ${webhookUrl}/{eventType}`,
    `DynamoDB Local  http://127.0.0.1:${ports.dynamodb}`,
    `  table ${provisioned.tableName}`,
    `fauxqs (SNS+SQS) http://127.0.0.1:${ports.fauxqs}`,
    ...Object.values(provisioned.topicArns).map((arn) => `  topic ${arn}`),
    `  tap queue ${provisioned.tapQueueUrl} (watch it with \`npm run tap\`)`,
    `Voucherify stand-in ${voucherify.url}`,
    `  gift campaign ${voucherify.giftCampaignId}: ten transactions no webhook delivered ` +
      '(`npm run sweep` takes them in)',
  ]
  const sample = loadSampleWebhook(projectRoot)
  lines.push(
    `Signed sample webhook (${sample.source}):`,
    signedCurl(webhookUrl, sample.body, secret),
    '',
    READY_LINE,
  )
  console.log(lines.join('\n'))
}

async function start(): Promise<void> {
  const ports = localPorts(process.env)
  const params = localParams(process.env)
  // Checked up front so a second `npm start` fails clearly instead of half-starting.
  const variables = portVariables(ports)
  await Promise.all(
    Object.entries(variables).map(([name, port]) => assertPortFree(Number(port), name)),
  )
  const env = { ...process.env, ...variables }

  const localAws = track(
    await startLocalAws({
      stage: STAGE,
      dynamodbPort: ports.dynamodb,
      fauxqsPort: ports.fauxqs,
      env,
      params,
    }),
  )
  const { resources, provisioned } = localAws
  const secret = resources.environment.VOUCHERIFY_WEBHOOK_SECRET
  if (typeof secret !== 'string') {
    throw new Error('serverless.yml sets no VOUCHERIFY_WEBHOOK_SECRET for the local stage')
  }

  const project = sampleVoucherifyProject(env)
  const standIn = await startVoucherifyStandIn(project, ports.voucherify)
  track({ stop: standIn.close })

  const offline = track(
    await startServerlessOffline({
      stage: STAGE,
      env,
      httpPort: ports.http,
      lambdaPort: ports.lambda,
      params,
    }),
  )
  void offline.exited.then((code) => {
    if (shuttingDown !== undefined) return
    console.error(`serverless offline stopped unexpectedly (${code}); stopping the local stack.`)
    void shutdown(1)
  })

  printSummary(ports, resources, provisioned, secret, {
    url: standIn.url,
    giftCampaignId: project.giftCampaignId,
  })
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
