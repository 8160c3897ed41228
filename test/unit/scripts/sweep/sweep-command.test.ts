import type { CliIo, Command } from '../../../../scripts/cli/command'
import { runOperatorCli } from '../../../../scripts/cli/main'
import { sweepCommand } from '../../../../scripts/sweep/sweep-command'
import { fakeLookups } from '../../../support/fakes/fake-target-lookups'

/** `npm run sweep -- <args>` read as the CLI reads it; the options `run` was handed, if it ran. */
async function sweepWith(...args: string[]) {
  const handed: unknown[] = []
  const recording: Command = {
    ...sweepCommand,
    run: async (options) => {
      handed.push(options)
      return 0
    },
  }
  const err: string[] = []
  const io: CliIo = {
    env: { VOUCHERIFY_APP_ID: 'app', VOUCHERIFY_SECRET_KEY: 'secret' },
    stdout: () => {},
    stderr: { write: (text) => err.push(text) },
  }
  const code = await runOperatorCli(['sweep', ...args], io, {
    lookups: fakeLookups().lookups,
    commands: [recording],
  })
  return { code, options: handed[0] as Record<string, unknown> | undefined, err: err.join('') }
}

const DAY_MS = 24 * 60 * 60_000

describe('npm run sweep options', () => {
  it('walks from the start weekly and parks after 3 attempts when not told otherwise', async () => {
    const { code, options } = await sweepWith()

    expect(code).toBe(0)
    expect(options).toMatchObject({
      mode: 'sweep',
      settings: { fullWalkEveryMs: 7 * DAY_MS, parkAfterAttempts: 3 },
    })
  })

  it('takes --full-walk-days and --park-after-attempts within their bounds', async () => {
    const { options } = await sweepWith('--full-walk-days', '30', '--park-after-attempts', '2')

    expect(options).toMatchObject({
      settings: { fullWalkEveryMs: 30 * DAY_MS, parkAfterAttempts: 2 },
    })
  })

  it.each([
    ['--full-walk-days', '31', /--full-walk-days must be a whole number 1 to 30, got 31/],
    ['--full-walk-days', '0', /--full-walk-days must be a whole number 1 to 30, got 0/],
    ['--park-after-attempts', '1', /--park-after-attempts must be a whole number 2 to 20, got 1/],
    ['--park-after-attempts', '21', /--park-after-attempts must be a whole number 2 to 20/],
    ['--park-after-attempts', 'three', /--park-after-attempts must be a whole number, got "three"/],
  ])('refuses %s %s with exit 2 and says why', async (option, value, message) => {
    const { code, options, err } = await sweepWith(option, value)

    expect(code).toBe(2)
    expect(options).toBeUndefined()
    expect(err).toMatch(message)
  })

  it('reads --status as showing the state, sweeping nothing', async () => {
    const { options } = await sweepWith('--status')

    expect(options).toMatchObject({ mode: 'status' })
  })

  it('reads --retry-parked as taking the parked transactions in again, sweeping nothing', async () => {
    const { options } = await sweepWith('--retry-parked', '--campaign', 'camp_1')

    expect(options).toMatchObject({ mode: 'retry', campaignIds: ['camp_1'] })
  })

  it('refuses --status with --retry-parked, exit 2', async () => {
    const { code, err } = await sweepWith('--status', '--retry-parked')

    expect(code).toBe(2)
    expect(err).toMatch(/--status and --retry-parked do not go together/)
  })

  it('names --status, --retry-parked, --full-walk-days and --park-after-attempts in its usage', async () => {
    const { usage } = sweepCommand

    for (const option of [
      '--status',
      '--retry-parked',
      '--full-walk-days N',
      '--park-after-attempts N',
    ]) {
      expect(usage).toContain(option)
    }
  })
})
