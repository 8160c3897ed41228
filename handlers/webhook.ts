// The webhook Lambda's entry point (serverless.yml: handlers/webhook.handler): its dependencies
// built once per container from the environment serverless.yml sets.
import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { readConfig } from '../lib/config'
import { buildDeps } from '../lib/deps'
import { METRICS_NAMESPACE } from '../lib/outcome-metrics'
import { createWebhookHandler } from './webhook-handler'

/** serverless.yml names it per stage; the fallback serves tests and scripts. */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'voucherify-gift-webhooks'
const config = readConfig(process.env)

export const handler = createWebhookHandler({
  deps: buildDeps(config),
  allowedSourceIps: config.allowedSourceIps,
  logger: new Logger({ serviceName }),
  metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
})
