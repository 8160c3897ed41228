// What a forged request costs: the deployed handler against the HMAC floor in one process, and
// `npm start` under 40 parallel senders of forged requests with signed ones among them.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { type FloodSummary, flood, summariseFlood } from '../local/flood'
import { startLocalStackProcess } from '../local/local-stack-process'
import { LOCAL_WEBHOOK_SECRET } from '../sample-events'
import { buildScript, projectRoot } from './bundles'
import type { ForgedResult } from './forged-child'

export type { ForgedResult } from './forged-child'

export interface ForgedOptions {
  workDir: string
  /** The handler bundle as serverless.yml builds it (section 2). */
  handlerBundle: string
  budgetMs: number
  warmupMs: number
}

/**
 * Runs scripts/bench/forged-child.ts on the handler bundle with a local stage's environment:
 * forged requests never reach AWS, so no endpoint is needed. Its stdout and stderr (the
 * function's log and metric lines) go nowhere but the last of stderr, kept for an error; the
 * results come over IPC.
 */
export async function measureForged(options: ForgedOptions): Promise<ForgedResult[]> {
  const childScript = await buildScript(
    'scripts/bench/forged-child.ts',
    join(options.workDir, 'forged-child.js'),
  )
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      childScript,
      options.handlerBundle,
      String(options.budgetMs),
      String(options.warmupMs),
    ],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: 'voucherify-gift-webhooks-bench-transactions',
        TOPIC_ARN_PREFIX: 'arn:aws:sns:eu-central-1:000000000000:voucherify-gift-webhooks-bench-',
        VOUCHERIFY_WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET,
        POWERTOOLS_SERVICE_NAME: 'voucherify-gift-webhooks-bench',
        AWS_REGION: 'eu-central-1',
      },
    },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000)
  })
  return new Promise((resolve, reject) => {
    child.once('message', (results: ForgedResult[]) => resolve(results))
    child.once('error', reject)
    child.once('exit', (code) => {
      reject(new Error(`forged-request child exited with ${code}: ${stderr}`))
    })
  })
}

/** The local stack's flood: as the flood test sends it, forged and signed from 40 senders. */
export const LOCAL_FLOOD = { forged: 2_000, signed: 40, senders: 40, retryDelayMs: 2_000 }

export interface LocalFloodResult extends FloodSummary {
  plan: typeof LOCAL_FLOOD
}

/** Starts `npm start` on free ports, floods it, stops it. */
export async function measureLocalFlood(): Promise<LocalFloodResult> {
  const stack = await startLocalStackProcess()
  try {
    const result = await flood({
      url: stack.webhookUrl,
      secret: LOCAL_WEBHOOK_SECRET,
      ...LOCAL_FLOOD,
    })
    return { plan: LOCAL_FLOOD, ...summariseFlood(result) }
  } finally {
    await stack.stop()
  }
}
