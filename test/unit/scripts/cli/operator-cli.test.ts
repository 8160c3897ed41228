import type { CliIo, Command } from '../../../../scripts/cli/command'
import { COMMANDS, runOperatorCli } from '../../../../scripts/cli/main'
import type { StageTarget } from '../../../../scripts/cli/stage-target'
import { fakeLookups } from '../../../support/fakes/fake-target-lookups'

/** Every command, its work replaced by noting the stage it was handed. */
function recordingCommands() {
  const handed = new Map<string, StageTarget | undefined>()
  const commands: Command[] = COMMANDS.map((command) => ({
    ...command,
    run: async (_options, { target }) => {
      handed.set(command.name, target)
      return 0
    },
  }))
  return { commands, handed }
}

function captured(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { env, stdout: (line) => out.push(line), stderr: { write: (t) => err.push(t) } }
  return { io, out, err: () => err.join('') }
}

const stageCommands = COMMANDS.filter((command) => command.usesStage).map(({ name }) => name)
const stagelessCommands = COMMANDS.filter((command) => !command.usesStage).map(({ name }) => name)

/** What each command needs besides the stage options to get as far as its work. */
const OWN_ARGUMENTS: Record<string, string[]> = {
  ledger: ['v_1'],
  replay: ['--all'],
  reconcile: ['--voucher', 'GIFT-CODE'],
  send: ['voucher.gift.transaction.created'],
  erase: ['--customer', 'cust_1'],
}

describe('the operator CLI', () => {
  it('has every npm run name: send, tap, events, ledger, ledger:scenario, replay, reconcile, sweep, erase, migrate', () => {
    expect(COMMANDS.map(({ name }) => name).sort()).toEqual(
      [
        'erase',
        'events',
        'ledger',
        'ledger:scenario',
        'migrate',
        'reconcile',
        'replay',
        'send',
        'sweep',
        'tap',
      ].sort(),
    )
  })

  it('hands every stage command the same target for the same flags and environment', async () => {
    const { commands, handed } = recordingCommands()
    const flags = ['--stage', 'prod', '--region', 'eu-west-1', '--table', 'ops-table']

    for (const name of stageCommands) {
      const { io } = captured({ AWS_REGION: 'us-east-1' })
      const code = await runOperatorCli([name, ...(OWN_ARGUMENTS[name] ?? []), ...flags], io, {
        lookups: fakeLookups().lookups,
        commands,
      })
      expect(code).toBe(0)
    }

    const targets = stageCommands.map((name) => handed.get(name))
    expect(targets).toHaveLength(8)
    for (const target of targets) {
      expect(target).toEqual({
        stage: 'prod',
        region: 'eu-west-1',
        tableName: 'ops-table',
        topicArnPrefix: 'arn:aws:sns:eu-west-1:123456789012:voucherify-gift-webhooks-prod-',
        topicNameSuffix: '',
      })
    }
  })

  it('resolves the stage once per run, before the command starts', async () => {
    const { commands } = recordingCommands()
    const { lookups, asked } = fakeLookups()

    await runOperatorCli(['replay', '--all', '--stage', 'prod'], captured().io, {
      lookups,
      commands,
    })

    expect(asked).toEqual(['outputs voucherify-gift-webhooks-prod eu-west-1'])
  })

  it.each(stagelessCommands)(
    'refuses stage options on %s, which works without a stage',
    async (name) => {
      const { io, err } = captured()

      const code = await runOperatorCli(
        [name, ...(OWN_ARGUMENTS[name] ?? []), '--stage', 'prod'],
        io,
        {
          lookups: fakeLookups().lookups,
        },
      )

      expect(code).toBe(2)
      expect(err()).toMatch(/works without a stage/)
    },
  )

  it.each(COMMANDS.map(({ name }) => name))(
    'prints the usage of %s on --help and exits 0',
    async (name) => {
      const { io, out } = captured()

      const code = await runOperatorCli([name, '--help'], io, { lookups: fakeLookups().lookups })

      expect(code).toBe(0)
      expect(out.join('\n')).toMatch(new RegExp(`^Usage: npm run ${name} -- `))
    },
  )

  it.each(COMMANDS.map(({ name }) => name))(
    'exits 2 with the usage on an unknown option of %s',
    async (name) => {
      const { io, err } = captured()

      const code = await runOperatorCli([name, '--no-such-option'], io, {
        lookups: fakeLookups().lookups,
      })

      expect(code).toBe(2)
      expect(err()).toMatch(/no-such-option[\s\S]*Usage: npm run /)
    },
  )

  it('exits 1 and says what is wrong when the stage is not deployed', async () => {
    const { commands } = recordingCommands()
    const { io, err } = captured()

    const code = await runOperatorCli(['ledger', 'v_1', '--stage', 'staging'], io, {
      lookups: fakeLookups().lookups,
      commands,
    })

    expect(code).toBe(1)
    expect(err()).toMatch(/^npm run ledger: No stack voucherify-gift-webhooks-staging in eu-west-1/)
  })

  it('exits 2 and lists the commands for an unknown one', async () => {
    const { io, err } = captured()

    const code = await runOperatorCli(['replya'], io)

    expect(code).toBe(2)
    expect(err()).toMatch(/Unknown command "replya"[\s\S]*npm run replay/)
  })
})
