import type { ParseArgsOptionsConfig } from 'node:util'
import { type ApiKeys, resolveApiKeys, ssmParameterReader } from '../../lib/voucherify/api-keys'
import { VOUCHERIFY_API_URLS, type VoucherifyRegion } from '../../lib/voucherify/voucherify-api'
import { localPorts } from '../local/ports'
import { localApiKeys } from '../local/voucherify-sample-project'
import type { AwsClients } from './aws-clients'
import { type CommandLine, text, UsageError } from './command'
import { SERVICE, type StageTarget } from './stage-target'

// How the commands that read Voucherify's API (reconcile, sweep) reach it: one set of options.

/** Where a deployed stage keeps its Voucherify API keys (SSM SecureStrings), unless told otherwise. */
export function apiKeyParameterNames(stage: string) {
  return {
    appIdParameter: `/${SERVICE}/${stage}/voucherify-app-id`,
    secretKeyParameter: `/${SERVICE}/${stage}/voucherify-secret-key`,
  }
}

const defaults = apiKeyParameterNames('<stage>')

export const VOUCHERIFY_OPTIONS = {
  'voucherify-region': { type: 'string' },
  'api-url': { type: 'string' },
  'app-id-parameter': { type: 'string' },
  'secret-key-parameter': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig

export const VOUCHERIFY_USAGE = `  --voucherify-region R     eu1 (default), us1 or as1: your Voucherify project's region
  --api-url URL             the API at another address (default VOUCHERIFY_API_URL, else the
                            region's host)
  --app-id-parameter P      SSM parameter with the Application ID (default ${defaults.appIdParameter})
  --secret-key-parameter P  SSM parameter with the Secret Key (default ${defaults.secretKeyParameter})

API keys: VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY when set, else the two SSM parameters
(deployed stages only).`

export interface VoucherifyAccess {
  /** --api-url, else VOUCHERIFY_API_URL, else the region's host. */
  apiUrl: string
  /** Named by --api-url or VOUCHERIFY_API_URL rather than taken from the region. */
  apiUrlGiven: boolean
  appIdParameter?: string
  secretKeyParameter?: string
}

function apiUrlOf(region: string | undefined, apiUrl: string | undefined): string {
  if (apiUrl !== undefined) {
    let url: URL
    try {
      url = new URL(apiUrl)
    } catch {
      throw new UsageError(`--api-url must be a URL, got "${apiUrl}"`)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UsageError(`--api-url must be an http(s) URL, got "${apiUrl}"`)
    }
    return url.origin
  }
  const key = (region ?? 'eu1') as VoucherifyRegion
  if (!Object.hasOwn(VOUCHERIFY_API_URLS, key)) {
    throw new UsageError(`--voucherify-region must be eu1, us1 or as1, got "${region}"`)
  }
  return VOUCHERIFY_API_URLS[key]
}

/** The API's address: --api-url, else VOUCHERIFY_API_URL, else --voucherify-region's host. */
export function readVoucherifyAccess(
  values: CommandLine['values'],
  env: NodeJS.ProcessEnv,
): VoucherifyAccess {
  const explicit = text(values, 'api-url') ?? (env.VOUCHERIFY_API_URL || undefined)
  return {
    apiUrl: apiUrlOf(text(values, 'voucherify-region'), explicit),
    apiUrlGiven: explicit !== undefined,
    appIdParameter: text(values, 'app-id-parameter'),
    secretKeyParameter: text(values, 'secret-key-parameter'),
  }
}

/**
 * The API and the project's keys for `target`: the keys from the environment, else the stage's
 * SSM parameters. The local stage, unless told another address, reads the stand-in `npm start`
 * runs (VOUCHERIFY_PORT), with its keys.
 */
export async function connectVoucherify(
  access: VoucherifyAccess,
  target: StageTarget,
  clients: AwsClients,
  env: NodeJS.ProcessEnv,
): Promise<ApiKeys & { baseUrl: string }> {
  if (target.endpoints && !access.apiUrlGiven) {
    return {
      ...localApiKeys(env),
      from: 'environment',
      baseUrl: `http://127.0.0.1:${localPorts(env).voucherify}`,
    }
  }
  const names = apiKeyParameterNames(target.stage)
  const keys = await resolveApiKeys(
    env,
    clients.ssm && {
      appIdParameter: access.appIdParameter ?? names.appIdParameter,
      secretKeyParameter: access.secretKeyParameter ?? names.secretKeyParameter,
      read: ssmParameterReader(clients.ssm),
    },
  )
  return { ...keys, baseUrl: access.apiUrl }
}
