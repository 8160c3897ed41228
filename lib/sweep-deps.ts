import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { realAttestationStore } from './aws/dynamodb-attestation-store'
import { realSweepStore } from './aws/dynamodb-sweep-store'
import type { Deps } from './deps'
import type { SweepDeps } from './sweep/campaign-sweep'
import { type SweepApiConfig, voucherifySweepApi } from './sweep/sweep-api'

/**
 * The sweep's dependencies on top of the receiver's: the one place the sweep function and
 * `npm run sweep` both build them, so that neither drifts from the other. Apart from deps.ts,
 * so that the webhook function's bundle reaches none of the sweep's table commands.
 */
export function buildSweepDeps(
  receiver: Deps,
  dynamodb: DynamoDBClient,
  tableName: string,
  api: SweepApiConfig,
): SweepDeps {
  return {
    receiver,
    sweeps: realSweepStore(dynamodb, { tableName }),
    attestations: realAttestationStore(dynamodb, { tableName }),
    api: voucherifySweepApi(api),
  }
}
