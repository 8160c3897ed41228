// `npm start` in a child process on free ports, for what measures or tests the whole local stack
// over HTTP (the flood test, `npm run bench -- --only flood`).
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { findFreePorts, portVariables } from './ports'
import { projectRoot } from './serverless-resources'

/** start.ts prints it once everything listens. */
const READY_LINE = 'local stack ready'
const READY_TIMEOUT_MS = 90_000
const STOP_TIMEOUT_MS = 15_000

export interface LocalStackProcess {
  webhookUrl: string
  /** The emulators, for reading what the stack stored and published. */
  endpoints: { dynamodb: string; fauxqs: string }
  output(): string
  /** Ctrl-C, as a developer stops `npm start`; SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>
}

function waitForReady(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`npm start not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`))
    }, READY_TIMEOUT_MS)
    const check = () => {
      if (!output().includes(READY_LINE)) return
      clearTimeout(timer)
      resolve()
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output()}`))
    })
  })
}

/**
 * Starts `scripts/local/start.ts` through tsx's hooks in a direct child (it notices being
 * orphaned and stops the stack), with `env` less every `AWS_` variable of this process.
 */
export async function startLocalStackProcess(
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalStackProcess> {
  const [dynamodb = 0, fauxqs = 0, http = 0, lambda = 0, voucherify = 0] = await findFreePorts(5)
  const ports = portVariables({ dynamodb, fauxqs, http, lambda, voucherify })
  const childEnv = Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith('AWS_')),
  )
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local/start.ts'], {
    cwd: projectRoot,
    env: { ...childEnv, ...ports },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const record = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64_000)
  }
  child.stdout.on('data', record)
  child.stderr.on('data', record)
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGINT')
    const stopped = await Promise.race([
      exited,
      sleep(STOP_TIMEOUT_MS, 'still running', { ref: false }),
    ])
    if (stopped === 'still running') child.kill('SIGKILL')
  }
  try {
    await waitForReady(child, () => output)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    webhookUrl: `http://127.0.0.1:${http}/webhooks/voucherify`,
    endpoints: { dynamodb: `http://127.0.0.1:${dynamodb}`, fauxqs: `http://127.0.0.1:${fauxqs}` },
    output: () => output,
    stop,
  }
}
