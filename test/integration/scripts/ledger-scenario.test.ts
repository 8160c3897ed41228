// `npm run ledger:scenario` against DynamoDB Local and fauxqs, with standard and with FIFO
// topics. The webhooks go to the handler in this process; test/integration/local-stack.test.ts
// runs the command itself against `npm start`. Voucherify's API is a local stand-in: the real one
// is not reachable from where these tests run.

import { runOperatorCli } from '../../../scripts/cli/main'
import { ledgerScenarioCommand } from '../../../scripts/ledger-scenario/cli'
import { provisionLocalResources } from '../../../scripts/local/provision'
import { loadServerlessResources, stageSetting } from '../../../scripts/local/serverless-resources'
import { apiGatewayEventFor, LOCAL_WEBHOOK_SECRET } from '../../../scripts/sample-events'
import { localClients } from '../../support/emulators/local-aws'
import { type Handler, loadHandler } from '../../support/load-handler'

/** Runs the scenario in this process, delivering each webhook to `handler`. */
async function runScenario(handler: Handler, env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = []
  const stderr: string[] = []
  const inProcess = ledgerScenarioCommand(
    async (body) =>
      (await handler(apiGatewayEventFor({ body, secret: LOCAL_WEBHOOK_SECRET }))).statusCode ?? 0,
  )
  const code = await runOperatorCli(
    ['ledger:scenario'],
    {
      env: { ...process.env, ...env },
      stdout: (line) => stdout.push(...line.split('\n')),
      stderr: { write: (text: string) => stderr.push(text) },
    },
    { commands: [inProcess] },
  )
  /** The lines of step `n` ("n. …") up to the next step or the claims. */
  const step = (n: number) => {
    const start = stdout.findIndex((line) => line.startsWith(`${n}. `))
    const end = stdout.findIndex((line, index) => index > start && /^(\d\.|ok |FAIL)/.test(line))
    return stdout.slice(start, end === -1 ? undefined : end).filter((line) => line !== '')
  }
  const row = (n: number, number: number) =>
    step(n).find((line) => line.startsWith(`    #${number} `)) ?? ''
  return { code, stdout, stderr, step, row }
}

describe('npm run ledger:scenario on standard topics', () => {
  let run: Awaited<ReturnType<typeof runScenario>>

  beforeAll(async () => {
    run = await runScenario(loadHandler())
  }, 60_000)

  it('exits 0 with every claim held', () => {
    expect(run.stdout.filter((line) => line.startsWith('FAIL'))).toEqual([])
    expect(run.stdout.at(-1)).toMatch(/^Scenario held: 10 of 10 claims/)
    expect(run.code).toBe(0)
  })

  it('answers each of the eight webhooks 200', () => {
    const answers = run.step(1).slice(1)

    expect(answers.map((line) => line.trim().split(/\s+/)[0])).toEqual([
      '#1',
      '#2',
      '#3',
      '#4',
      '#6',
      '#8',
      '#7',
      '#9',
    ])
    expect(answers.every((line) => line.endsWith('-> 200'))).toBe(true)
  })

  it('shows a gap where #5 was lost, with the balance the chain expected', () => {
    expect(run.row(2, 6)).toContain('gap: -5.00 missing before (expected 40.00)')
  })

  it('shows the swap: #8 a gap on arrival since filled, #7 out of order', () => {
    expect(run.row(2, 8)).toContain('gap on arrival, since filled')
    expect(run.row(2, 7)).toContain('out of order')
  })

  it('says the chain is broken before the sweep, counting only #5 as never received', () => {
    expect(run.step(2).join('\n')).toContain(
      'the chain is broken, -5.00 in transactions never received',
    )
  })

  it('shows no trace of the lost last transaction: the ledger ends at #9', () => {
    expect(run.row(2, 10)).toBe('')
    expect(run.row(2, 9)).not.toBe('')
    expect(run.step(2).at(-1)?.trim()).toBe(
      "Nothing here shows #10 (-20.00) lost: the ledger ends at #9 and no later webhook came to show a gap; its balance, 20.00, is not Voucherify's, 0.00.",
    )
  })

  it('has the sweep, with no card named, take in #5 and #10 alone', () => {
    const lines = run.step(3).map((line) => line.trim())

    expect(lines).toContainEqual(
      expect.stringMatching(
        /^npm run sweep -- --campaign camp_\w+ --api-url http:\/\/127\.0\.0\.1:\d+$/,
      ),
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^camp_\w+: complete, walks incremental listed=10 found=8 taken_in=2 too_recent=0 not_gift=0 failed=0 parked=0$/,
      ),
    )
    expect(lines.at(-1)).toBe(
      'sweep: campaigns 1, listed 10, found 8, taken in 2, failed 0, parked 0',
    )
    expect(run.row(4, 5)).toContain('taken in by sweep')
    expect(run.row(4, 10)).toContain('taken in by sweep')
    expect(run.step(4).join('\n')).toContain("2 taken in from Voucherify's API")
  })

  it('says the chain is whole after the sweep, and the card attested', () => {
    const ledger = run.step(4).join('\n')

    expect(ledger).toContain('the chain is whole, every change accounted for')
    expect(ledger).toMatch(/Attested \S+: the balance equals Voucherify's \(0\.00\)\./)
  })
})

describe('npm run ledger:scenario on FIFO topics', () => {
  let run: Awaited<ReturnType<typeof runScenario>>

  beforeAll(async () => {
    const fifo = await loadServerlessResources('local', process.env, { fifoTopics: 'true' })
    await provisionLocalResources(fifo, localClients())
    const handler = loadHandler({ TOPIC_NAME_SUFFIX: stageSetting(fifo, 'TOPIC_NAME_SUFFIX') })
    run = await runScenario(handler, { FIFO_TOPICS: 'true' })
  }, 120_000)

  it('exits 0 with every claim held, the order kept among them', () => {
    expect(run.stdout.filter((line) => line.startsWith('FAIL'))).toEqual([])
    expect(run.stdout).toContainEqual(expect.stringMatching(/^ok {3}FIFO: /))
    expect(run.code).toBe(0)
  })

  it("delivers the card's messages in one group, in the order taken in, each with its verdict", () => {
    const voucherId = /Gift card (v_\w+)/.exec(run.stdout[0] ?? '')?.[1]
    const received = run
      .step(5)
      .slice(1)
      .map((line) => line.trim())

    expect(received).toEqual([
      `#1  ledger=ok group=${voucherId}`,
      `#2  ledger=ok group=${voucherId}`,
      `#3  ledger=ok group=${voucherId}`,
      `#4  ledger=ok group=${voucherId}`,
      `#6  ledger=gap group=${voucherId}`,
      `#8  ledger=gap group=${voucherId}`,
      `#7  ledger=out_of_order group=${voucherId}`,
      `#9  ledger=ok group=${voucherId}`,
      `#5  ledger=out_of_order origin=sweep group=${voucherId}`,
      `#10 ledger=ok origin=sweep group=${voucherId}`,
    ])
  })
})
