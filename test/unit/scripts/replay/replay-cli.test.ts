import { runOperatorCli } from '../../../../scripts/cli/main'
import { fakeLookups } from '../../../support/fakes/fake-target-lookups'

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
})
