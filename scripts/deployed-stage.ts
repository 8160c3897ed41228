// The names serverless.yml gives a deployed stage, for the operator tools that reach one.

/** serverless.yml's `service`: every deployed resource's name starts with it. */
export const SERVICE = 'voucherify-gift-webhooks'
/** serverless.yml's region when none is given. */
export const DEFAULT_REGION = 'eu-central-1'
export const LOCAL_STAGE = 'local'

/** The stage's transactions table (serverless.yml `custom.tableName`). */
export function tableNameFor(stage: string): string {
  return `${SERVICE}-${stage}-transactions`
}

/** Where a deployed stage keeps its Voucherify API keys (SSM SecureStrings), unless told otherwise. */
export function apiKeyParameterNames(stage: string) {
  return {
    appIdParameter: `/${SERVICE}/${stage}/voucherify-app-id`,
    secretKeyParameter: `/${SERVICE}/${stage}/voucherify-secret-key`,
  }
}
