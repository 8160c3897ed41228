export interface LocalPorts {
  dynamodb: number
  fauxqs: number
  http: number
  lambda: number
  /** The Voucherify stand-in the sweep reads locally. */
  voucherify: number
}

/** Same variables and defaults as serverless.yml's `${env:..., '<default>'}` for the local stage. */
const PORT_VARIABLES: Record<keyof LocalPorts, [name: string, fallback: number]> = {
  dynamodb: ['DYNAMODB_PORT', 8000],
  fauxqs: ['FAUXQS_PORT', 4566],
  http: ['HTTP_PORT', 3000],
  lambda: ['LAMBDA_PORT', 3002],
  voucherify: ['VOUCHERIFY_PORT', 4010],
}

function port(env: NodeJS.ProcessEnv, [name, fallback]: [string, number]): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${name} must be a port number between 1 and 65535, got "${raw}"`)
  }
  return value
}

export function localPorts(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  return {
    dynamodb: port(env, PORT_VARIABLES.dynamodb),
    fauxqs: port(env, PORT_VARIABLES.fauxqs),
    http: port(env, PORT_VARIABLES.http),
    lambda: port(env, PORT_VARIABLES.lambda),
    voucherify: port(env, PORT_VARIABLES.voucherify),
  }
}

/** The variables serverless.yml reads, so that it and the emulators agree on every port. */
export function portVariables(ports: LocalPorts): Record<string, string> {
  return {
    DYNAMODB_PORT: String(ports.dynamodb),
    FAUXQS_PORT: String(ports.fauxqs),
    HTTP_PORT: String(ports.http),
    LAMBDA_PORT: String(ports.lambda),
    VOUCHERIFY_PORT: String(ports.voucherify),
  }
}

/** The emulators' URLs: AWS_ENDPOINT_URL_* when set (the tests set them), else the ports. */
export function localEndpoints(env: NodeJS.ProcessEnv = process.env): {
  dynamodb: string
  sns: string
  sqs: string
} {
  const ports = localPorts(env)
  const fauxqs = `http://127.0.0.1:${ports.fauxqs}`
  return {
    dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB || `http://127.0.0.1:${ports.dynamodb}`,
    sns: env.AWS_ENDPOINT_URL_SNS || fauxqs,
    sqs: env.AWS_ENDPOINT_URL_SQS || fauxqs,
  }
}

/** Where `npm start` takes webhooks (serverless offline's HTTP API route). */
export function localWebhookUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${localPorts(env).http}/webhooks/voucherify`
}
