import { main } from '../../scripts/replay/cli'
import type { TargetLookups } from '../../scripts/replay/target'

/** Lookups that fail the test if the CLI gets as far as resolving a target. */
const unreachable: TargetLookups = {
  serverlessResources: () => Promise.reject(new Error('resolved a target')),
  defaultRegion: () => Promise.reject(new Error('resolved a target')),
  callerIdentity: () => Promise.reject(new Error('resolved a target')),
}

async function run(argv: string[]) {
  const stdout: string[] = []
  const stderr: string[] = []
  const code = await main(argv, {
    env: {},
    stdout: (line) => stdout.push(line),
    stderr: { write: (text: string) => stderr.push(text), isTTY: false },
    lookups: unreachable,
  })
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('') }
}

describe('npm run replay', () => {
  it('exits 2 with the problem and the usage on a wrong option', async () => {
    const result = await run(['--all', '--rate', 'fast'])

    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^--rate must be a number above 0, got "fast"\n\nUsage: /)
  })

  it('prints the usage on stdout and exits 0 on --help', async () => {
    const result = await run(['--help'])

    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage: npm run replay/)
  })
})
