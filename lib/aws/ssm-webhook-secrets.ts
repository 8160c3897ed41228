import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm'
import { parseSecrets, type WebhookSecrets } from '../receive/webhook-secrets'

export interface SsmSecretsConfig {
  parameterName: string
  /** How long a fetched value is trusted before it is read again, so rotations take effect. */
  refreshMs: number
  clock: () => Date
}

/** Reads the SecureString once per container and again after `refreshMs`. */
export function realWebhookSecrets(client: SSMClient, config: SsmSecretsConfig): WebhookSecrets {
  let cached: { secrets: string[]; fetchedAt: number } | undefined
  return {
    async current(signal) {
      const now = config.clock().getTime()
      if (cached && now - cached.fetchedAt < config.refreshMs) return cached.secrets
      try {
        const { Parameter } = await client.send(
          new GetParameterCommand({ Name: config.parameterName, WithDecryption: true }),
          { abortSignal: signal },
        )
        cached = { secrets: parseSecrets(Parameter?.Value), fetchedAt: now }
      } catch (error) {
        if (!(error instanceof ParameterNotFound)) throw error
        cached = { secrets: [], fetchedAt: now }
      }
      return cached.secrets
    },
  }
}
