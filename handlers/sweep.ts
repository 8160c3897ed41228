// The sweep Lambda's entry point (serverless.yml: handlers/sweep.handler), run on a schedule:
// its dependencies built once per container from the environment serverless.yml sets.
import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { readConfig } from '../lib/config'
import { awsClients, buildDeps } from '../lib/deps'
import { METRICS_NAMESPACE } from '../lib/outcome-metrics'
import type { SweepDeps } from '../lib/sweep/campaign-sweep'
import { readSweepConfig } from '../lib/sweep/sweep-config'
import { buildSweepDeps } from '../lib/sweep-deps'
import { resolveApiKeys, ssmParameterReader } from '../lib/voucherify/api-keys'
import { createSweepHandler } from './sweep-handler'

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'voucherify-gift-webhooks'
const config = readConfig(process.env)
const sweepConfig = readSweepConfig(process.env)
const clients = awsClients()
const receiver = buildDeps(config, clients)

let sweepDeps: Promise<SweepDeps> | undefined
async function sweepDepsWithKeys(): Promise<SweepDeps> {
  const { keyParameters } = sweepConfig
  const keys = await resolveApiKeys(
    process.env,
    keyParameters && { ...keyParameters, read: ssmParameterReader(clients.ssm) },
  )
  return buildSweepDeps(receiver, clients.dynamodb, config.tableName, {
    baseUrl: sweepConfig.apiUrl,
    ...keys,
    requestsPerMinute: sweepConfig.requestsPerMinute,
  })
}

export const handler = createSweepHandler({
  // A failure (keys not readable yet) is not kept: the next run reads them again.
  sweepDeps: () => {
    sweepDeps ??= sweepDepsWithKeys().catch((error) => {
      sweepDeps = undefined
      throw error
    })
    return sweepDeps
  },
  settings: sweepConfig.settings,
  campaignIds: sweepConfig.campaignIds,
  logger: new Logger({ serviceName }),
  metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
})
