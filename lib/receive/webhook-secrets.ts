/** The secrets a signature may be made with: one, or two while a secret is being rotated. */
export interface WebhookSecrets {
  /** Empty when no secret is configured: the receiver then refuses everything. */
  current(signal?: AbortSignal): Promise<readonly string[]>
}

/** Splits a stored value such as `new-secret,old-secret` into its secrets. */
export function parseSecrets(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((secret) => secret.length > 0)
}

export function staticWebhookSecrets(value: string | undefined): WebhookSecrets {
  const secrets = parseSecrets(value)
  return { current: async () => secrets }
}
