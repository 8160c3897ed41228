// `npm start` end to end: the whole local stack comes up on free ports, takes a signed webhook
// through serverless offline, and goes away completely on Ctrl-C.

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SIGNATURE_HEADER, signPayload } from '../../../lib/receive/signature'
import { sampleWebhookBody } from '../../../scripts/events-command'
import { findFreePorts } from '../../../scripts/local/ports'
import { projectRoot, serverlessCommand } from '../../../scripts/local/serverless-resources'
import { localApiKeys } from '../../../scripts/local/voucherify-sample-project'
import {
  envelopeFor,
  giftEventData,
  LOCAL_WEBHOOK_SECRET,
  randomId,
} from '../../../scripts/sample-events'

const READY_LINE = 'local stack ready'
const READY_TIMEOUT_MS = 90_000
const EXIT_TIMEOUT_MS = 15_000
// Set by global setup for the in-process tests; the stack under test configures its own.
const GLOBAL_SETUP_VARIABLES = [
  'TABLE_NAME',
  'TOPIC_ARN_PREFIX',
  'VOUCHERIFY_WEBHOOK_SECRET',
  'CLAIM_LEASE_SECONDS',
  'LOCAL_RESOURCES_JSON',
]

interface Ports {
  DYNAMODB_PORT: string
  FAUXQS_PORT: string
  HTTP_PORT: string
  LAMBDA_PORT: string
  VOUCHERIFY_PORT: string
}

let ports: Ports
let stack: ChildProcess | undefined
let output = ''
let exitCode: Promise<number | null>

/** Four different free ports, none of them a developer's `npm start` defaults. */
async function freePorts(): Promise<Ports> {
  const [DYNAMODB_PORT, FAUXQS_PORT, HTTP_PORT, LAMBDA_PORT, VOUCHERIFY_PORT] = (
    await findFreePorts(5)
  ).map(String) as [string, string, string, string, string]
  return { DYNAMODB_PORT, FAUXQS_PORT, HTTP_PORT, LAMBDA_PORT, VOUCHERIFY_PORT }
}

function stackEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !GLOBAL_SETUP_VARIABLES.includes(name)) env[name] = value
  }
  return { ...env, ...ports }
}

function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`No "${text}" within ${timeoutMs / 1000} s. Output:\n${output}`)),
      timeoutMs,
    )
    const check = () => {
      if (!output.includes(text)) return
      clearTimeout(timer)
      resolve()
    }
    child.stdout?.on('data', check)
    void exitCode.then((code) => {
      clearTimeout(timer)
      reject(new Error(`npm start exited (${code}) before "${text}". Output:\n${output}`))
    })
    check()
  })
}

async function exitWithin(timeoutMs: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), timeoutMs)
  })
  try {
    return await Promise.race([exitCode, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `npm run <command> -- <args>` against this test's stack; resolves with stdout. */
function runOperatorCommand(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/cli.ts', ...args],
      { cwd: projectRoot, env: stackEnvironment() },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  )
}

/** `npm run <command> -- <args>`: its exit code and output, whatever the code. */
function runOperatorCommandToExit(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/cli.ts', ...args],
      { cwd: projectRoot, env: stackEnvironment() },
      (error, stdout) => resolve({ code: Number(error?.code ?? 0), stdout }),
    ),
  )
}

function javaCommandLines(): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'java'], { encoding: 'utf8' }).split('\n')
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}

beforeAll(async () => {
  ports = await freePorts()
  // `npm start` is `tsx scripts/local/start.ts`; here start.ts is loaded through tsx's hooks in
  // a direct child instead, because npm does not pass on a SIGINT sent to it alone, and a
  // direct child notices (by being re-parented) if this worker dies, and then stops the stack.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local/start.ts'], {
    cwd: projectRoot,
    env: stackEnvironment(),
    detached: false,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  stack = child
  exitCode = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  const record = (chunk: Buffer) => {
    output += chunk.toString('utf8')
  }
  child.stdout.on('data', record)
  child.stderr.on('data', record)
  await waitForOutput(child, READY_LINE, READY_TIMEOUT_MS)
}, READY_TIMEOUT_MS + 10_000)

afterAll(async () => {
  // Only when a test failed before stopping it; its watchdogs then take java down with it.
  if (stack && stack.exitCode === null && stack.signalCode === null) {
    stack.kill('SIGTERM')
    if ((await exitWithin(EXIT_TIMEOUT_MS)) === 'still running') stack.kill('SIGKILL')
  }
})

describe('npm start', () => {
  it('prints a ready-to-paste signed curl for the local webhook URL', () => {
    const curl = output.split('\n').find((line) => line.startsWith('curl '))

    expect(curl).toContain(`http://127.0.0.1:${ports.HTTP_PORT}/webhooks/voucherify`)
    expect(curl).toContain(`${SIGNATURE_HEADER}: `)
  })

  it('accepts a validly signed webhook on the local URL', async () => {
    const body = sampleWebhookBody()

    const response = await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/webhooks/voucherify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signPayload(LOCAL_WEBHOOK_SECRET, body),
      },
      body,
    })

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'accepted' })
  })

  it('runs serverless invoke local with a sample event against the running stack', async () => {
    const { command, args } = serverlessCommand([
      'invoke',
      'local',
      '--function',
      'webhook',
      '--path',
      'events/voucher.gift.balance_added.raw.json',
    ])

    const printed = await new Promise<string>((resolve, reject) =>
      execFile(command, args, { cwd: projectRoot, env: stackEnvironment() }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    )

    expect(printed).toContain('"statusCode": 200')
    expect(printed).toContain('\\"status\\":\\"accepted\\"')
  }, 60_000)

  it("runs the sweep with serverless invoke local: the stand-in's ten lost transactions in the ledger", async () => {
    // An event of its own: with none, invoke local waits for one on its standard input.
    const { command, args } = serverlessCommand([
      'invoke',
      'local',
      '--function',
      'sweep',
      '--data',
      '{}',
    ])

    const printed = await new Promise<string>((resolve, reject) =>
      execFile(command, args, { cwd: projectRoot, env: stackEnvironment() }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    )

    // The stack's own scheduled sweep (every 15 minutes) may have taken them in first: found.
    const count = (name: string) => Number(new RegExp(`"${name}": (\\d+)`).exec(printed)?.[1])
    expect(printed).toMatch(/"status": "complete"/)
    expect(count('takenIn') + count('found')).toBe(10)
    expect(printed).toMatch(/"failed": 0/)
  }, 60_000)

  it('prints each transactions request the stand-in answered for the sweep above, its order named, no keys', () => {
    const listings = output
      .split('\n')
      .filter((line) => /^Voucherify stand-in: GET \/v1\/campaigns\/[^/]+\/transactions/.test(line))

    expect(listings.length).toBeGreaterThan(0)
    for (const line of listings) expect(line).toMatch(/[?&]order=-?id[&\s]/)
    expect(output).not.toContain(localApiKeys(stackEnvironment()).secretKey)
  })

  it('delivers what npm run send generates, and npm run tap shows it on the topic', async () => {
    const sent = await runOperatorCommand([
      'send',
      'voucher.gift.transaction.created',
      '--raw',
      '--transaction-type',
      'CREDITS_REDEMPTION',
      '--repeat',
      '2',
    ])
    const tapped = await runOperatorCommand(['tap', '--once'])

    const answers = sent.trim().split('\n')
    const ids = answers.map((line) => JSON.parse(line.slice(line.indexOf('{'))).transaction_id)
    expect(answers).toHaveLength(2)
    expect(answers.every((line) => line.includes('200 {"status":"accepted"'))).toBe(true)
    expect(new Set(ids).size).toBe(2)
    for (const id of ids) {
      expect(tapped).toMatch(
        new RegExp(
          `voucher-gift-transaction-created .*transaction_type=CREDITS_REDEMPTION transaction_id=${id}`,
        ),
      )
    }
  }, 60_000)

  it('exits 1 from npm run send when the event it posts is quarantined', async () => {
    const data = giftEventData('voucher.gift.transaction.created')
    ;(data.balance as Record<string, unknown>).amount = '700'
    const file = join(tmpdir(), `${randomId('quarantined')}.json`)
    writeFileSync(file, JSON.stringify(envelopeFor('voucher.gift.transaction.created', data)))

    const run = await runOperatorCommandToExit(['send', file])
    rmSync(file)

    expect(run).toEqual({ code: 1, stdout: expect.stringContaining('202 {"status":"quarantined"') })
  }, 60_000)

  it('runs npm run ledger:scenario over HTTP: the broken chain shown, then mended by the sweep', async () => {
    const printed = await runOperatorCommand(['ledger:scenario'])

    const lines = printed.trimEnd().split('\n')
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([])
    expect(lines.at(-1)).toMatch(/^Scenario held: 10 of 10 claims/)
  }, 60_000)

  it(
    'stops everything on SIGINT and exits 0, leaving no DynamoDB Local behind',
    async () => {
      stack?.kill('SIGINT')
      const code = await exitWithin(EXIT_TIMEOUT_MS)

      expect(code).toBe(0)
      expect(
        javaCommandLines().filter((line) => line.includes(`-port ${ports.DYNAMODB_PORT}`)),
      ).toEqual([])
    },
    EXIT_TIMEOUT_MS + 5_000,
  )
})
