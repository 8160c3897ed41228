import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm'

export interface ApiKeys {
  appId: string
  secretKey: string
  /** Where they came from, for the report (never the keys themselves). */
  from: 'environment' | 'ssm'
}

/** The SSM SecureStrings holding the keys, with the reader of a deployed stage's SSM. */
export interface ApiKeyParameters {
  appIdParameter: string
  secretKeyParameter: string
  read: ReadParameter
}

/** Reads a SecureString (decrypted); undefined when there is no such parameter. */
export type ReadParameter = (name: string) => Promise<string | undefined>

export class ApiKeyError extends Error {
  override name = 'ApiKeyError'
}

export function ssmParameterReader(ssm: SSMClient): ReadParameter {
  return async (name) => {
    try {
      const { Parameter } = await ssm.send(
        new GetParameterCommand({ Name: name, WithDecryption: true }),
      )
      return Parameter?.Value || undefined
    } catch (error) {
      if (error instanceof ParameterNotFound) return undefined
      throw error
    }
  }
}

/**
 * The project's Voucherify API keys: VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY when both are
 * set, else (deployed stages) the two SSM parameters. The local stage has no SSM: `parameters`
 * is undefined there.
 */
export async function resolveApiKeys(
  env: NodeJS.ProcessEnv,
  parameters: ApiKeyParameters | undefined,
): Promise<ApiKeys> {
  const appId = env.VOUCHERIFY_APP_ID
  const secretKey = env.VOUCHERIFY_SECRET_KEY
  if (appId && secretKey) return { appId, secretKey, from: 'environment' }
  if (appId || secretKey) {
    throw new ApiKeyError('Set both VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY, or neither')
  }
  if (parameters === undefined) {
    throw new ApiKeyError(
      'Set VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY: the local stage reads no SSM',
    )
  }
  const names = parameters
  const [fromSsmAppId, fromSsmSecretKey] = await Promise.all([
    parameters.read(names.appIdParameter),
    parameters.read(names.secretKeyParameter),
  ])
  if (!fromSsmAppId || !fromSsmSecretKey) {
    const absent = [
      fromSsmAppId ? undefined : names.appIdParameter,
      fromSsmSecretKey ? undefined : names.secretKeyParameter,
    ].filter(Boolean)
    throw new ApiKeyError(
      `No Voucherify API keys: set VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY, or store them ` +
        `in SSM (missing or empty: ${absent.join(', ')})`,
    )
  }
  return { appId: fromSsmAppId, secretKey: fromSsmSecretKey, from: 'ssm' }
}
