// The sweep Lambda's entry point (serverless.yml: handlers/sweep.handler), run on a schedule:
// its dependencies built once per container from the environment serverless.yml sets.
import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { realAttestationStore } from '../lib/aws/dynamodb-attestation-store'
import { realSweepStore } from '../lib/aws/dynamodb-sweep-store'
import { readConfig } from '../lib/config'
import { awsClients, buildDeps } from '../lib/deps'
import { METRICS_NAMESPACE } from '../lib/outcome-metrics'
import { voucherifySweepApi } from '../lib/sweep/sweep-api'
import type { SweepDeps } from '../lib/sweep/sweep-campaigns'
import { readSweepConfig } from '../lib/sweep/sweep-config'
import { resolveApiKeys, ssmParameterReader } from '../lib/voucherify/api-keys'
import { createSweepHandler } from './sweep-handler'

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'voucherify-gift-webhooks'
const config = readConfig(process.env)
const sweepConfig = readSweepConfig(process.env)
const clients = awsClients()
const receiver = buildDeps(config, clients)

let sweepDeps: Promise<SweepDeps> | undefined
async function buildSweepDeps(): Promise<SweepDeps> {
  const { keyParameters } = sweepConfig
  const keys = await resolveApiKeys(
    process.env,
    keyParameters && { ...keyParameters, read: ssmParameterReader(clients.ssm) },
  )
  return {
    receiver,
    sweeps: realSweepStore(clients.dynamodb, { tableName: config.tableName }),
    attestations: realAttestationStore(clients.dynamodb, { tableName: config.tableName }),
    api: voucherifySweepApi({
      baseUrl: sweepConfig.apiUrl,
      ...keys,
      requestsPerMinute: sweepConfig.requestsPerMinute,
    }),
  }
}

export const handler = createSweepHandler({
  // A failure (keys not readable yet) is not kept: the next run reads them again.
  sweepDeps: () => {
    sweepDeps ??= buildSweepDeps().catch((error) => {
      sweepDeps = undefined
      throw error
    })
    return sweepDeps
  },
  settings: { graceMs: sweepConfig.graceMs, overlapMs: sweepConfig.overlapMs },
  campaignIds: sweepConfig.campaignIds,
  logger: new Logger({ serviceName }),
  metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
})
