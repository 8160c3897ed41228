import { parseArgs } from 'node:util'
import { type CommandLine, UsageError } from '../../../../scripts/cli/command'
import { runOperatorCli } from '../../../../scripts/cli/main'
import { replayCommand } from '../../../../scripts/replay/replay-command'
import { fakeLookups } from '../../../support/fakes/fake-target-lookups'

/** The options the command reads from `args`, as it reads them before resolving any stage. */
const parseReplayArgs = (args: string[]) =>
  replayCommand.read({
    values: parseArgs({ args, options: replayCommand.options }).values as CommandLine['values'],
    positionals: [],
    env: {},
  })

describe('reading the replay options', () => {
  it('defaults to the default rate', () => {
    const options = parseReplayArgs(['--voucher', 'v_1'])

    expect(options).toMatchObject({
      mode: 'replay',
      voucherId: 'v_1',
      rate: 25,
      dryRun: false,
      resume: false,
    })
  })

  it('normalises --since and --until to UTC', () => {
    const options = parseReplayArgs([
      '--since',
      '2026-01-01',
      '--until',
      '2026-01-02T02:00:00+02:00',
    ])

    expect(options).toMatchObject({
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-01-02T00:00:00.000Z',
    })
  })

  it('reads --from-ledger for a replay', () => {
    const options = parseReplayArgs(['--all', '--from-ledger'])

    expect(options).toMatchObject({ mode: 'replay', fromLedger: true })
  })

  it('reads the quarantine mode with its filters', () => {
    const options = parseReplayArgs(['--quarantined', '--event-type', 'voucher.gift.balance_added'])

    expect(options).toMatchObject({ mode: 'quarantined', eventType: 'voucher.gift.balance_added' })
  })

  it('reads the unpublished mode with its filters', () => {
    const options = parseReplayArgs(['--unpublished', '--since', '2026-01-01'])

    expect(options).toMatchObject({ mode: 'unpublished', since: '2026-01-01T00:00:00.000Z' })
  })

  it('takes --unpublished alone as a selection of every unpublished event', () => {
    const options = parseReplayArgs(['--unpublished'])

    expect(options).toMatchObject({ mode: 'unpublished', eventType: undefined, since: undefined })
  })

  it.each([
    [[], /Select what to replay/],
    [['--event-type', 'voucher.redeemed'], /Unknown --event-type/],
    [['--all', '--since', '2026-01-01T10:00:00'], /--since must be an ISO 8601/],
    [['--since', '2026-01-02', '--until', '2026-01-01'], /--since must be before --until/],
    [['--quarantined', '--voucher', 'v_1'], /--quarantined takes/],
    [['--unpublished', '--voucher', 'v_1'], /--unpublished takes/],
    [['--unpublished', '--all'], /--unpublished takes/],
    [['--unpublished', '--quarantined'], /separate runs: pass one/],
    [['--quarantined', '--from-ledger'], /--from-ledger republishes stored events/],
    [['--all', '--resume'], /--resume needs --checkpoint/],
    [['--all', '--rate', '0'], /--rate must be a number above 0/],
    [['--all', '--page-size', '2.5'], /--page-size must be a whole number/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(UsageError)
    expect(() => parseReplayArgs(argv)).toThrow(message)
  })
})

async function replay(argv: string[]) {
  const stdout: string[] = []
  const stderr: string[] = []
  const { lookups, asked } = fakeLookups()
  const code = await runOperatorCli(
    ['replay', ...argv],
    {
      env: {},
      stdout: (line) => stdout.push(line),
      stderr: { write: (text: string) => stderr.push(text), isTTY: false },
    },
    { lookups },
  )
  return { code, stdout: stdout.join('\n'), stderr: stderr.join(''), asked }
}

describe('npm run replay', () => {
  it('exits 2 with the problem and the usage on a wrong option, before resolving any stage', async () => {
    const result = await replay(['--all', '--rate', 'fast'])

    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^--rate must be a number above 0, got "fast"\n\nUsage: /)
    expect(result.asked).toEqual([])
  })

  it('says in its help that replayed messages carry no personal data', async () => {
    const result = await replay(['--help'])

    expect(result.stdout + result.stderr).toMatch(/without the customer's\s+personal data/)
    expect(result.stdout + result.stderr).toContain('--from-ledger')
  })
})
