import { type ParseArgsOptionsConfig, parseArgs } from 'node:util'
import { eraseCommand } from '../erase/erase-command'
import { eventsCommand } from '../events-command'
import { ledgerCommand } from '../ledger/ledger-command'
import { ledgerScenarioCommand } from '../ledger-scenario/cli'
import { tapCommand } from '../local/tap-command'
import { migrateCommand } from '../migrate/migrate-command'
import { reconcileCommand } from '../reconcile/reconcile-command'
import { replayCommand } from '../replay/replay-command'
import { sendCommand } from '../send-command'
import { sweepCommand } from '../sweep/sweep-command'
import { type AwsClients, awsClientsFor } from './aws-clients'
import { type CliIo, type Command, EXIT, UsageError } from './command'
import {
  DEFAULT_REGION,
  LOCAL_STAGE,
  realTargetLookups,
  resolveStageTarget,
  SERVICE,
  type StageTarget,
  type TargetLookups,
  type TargetOptions,
} from './stage-target'

/** Every operator command, in the order `npm run <command>` lists them. */
export const COMMANDS: readonly Command[] = [
  sendCommand,
  tapCommand,
  eventsCommand,
  ledgerCommand,
  ledgerScenarioCommand(),
  replayCommand,
  reconcileCommand,
  sweepCommand,
  eraseCommand,
  migrateCommand,
]

/** The options every operator command takes, read once, before the command's own. */
const GLOBAL_OPTIONS = {
  stage: { type: 'string', default: LOCAL_STAGE },
  region: { type: 'string' },
  table: { type: 'string' },
  'topic-arn-prefix': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig

const HELP_USAGE = '  --help, -h            this text'

const STAGE_USAGE = `Stage options (every command that reads or writes a stage):
  --stage STAGE         default ${LOCAL_STAGE}: the emulators of \`npm start\` (DYNAMODB_PORT, FAUXQS_PORT);
                        any other stage is the deployed stack, reached with the standard AWS
                        credential chain; its table, topics and FIFO come from the stack's outputs
  --region R            default: the SDK's chain (AWS_REGION, the profile's region), else ${DEFAULT_REGION}
  --table NAME          override the table (default the stack's, e.g. ${SERVICE}-<stage>-transactions)
  --topic-arn-prefix P  override the topics (arn:aws:sns:<region>:<account>:<service>-<stage>-)
${HELP_USAGE}`

const EXIT_USAGE = 'Exit codes: 0 done, 1 failed, 2 wrong options, 130 interrupted.'

function commandUsage(command: Command): string {
  const common = command.usesStage ? STAGE_USAGE : HELP_USAGE
  return `Usage: npm run ${command.name} -- ${command.usage}\n\n${common}\n${EXIT_USAGE}`
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map(({ name }) => name.length))
  const lines = commands.map(({ name, summary }) => `  npm run ${name.padEnd(width)}  ${summary}`)
  return `The operator commands (\`npm run <command> -- --help\` for one):\n${lines.join('\n')}\n\n${STAGE_USAGE}\n${EXIT_USAGE}`
}

/** Expected failures say what to do; anything else is named for a bug report. */
function failureText(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const expected = [
    'TargetError',
    'VoucherifyApiError',
    'CursorRefusedError',
    'RateLimitedError',
    'ApiKeyError',
  ].includes(error.name)
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
  return `${expected ? error.message : `${error.name}: ${error.message}`}${cause}`
}

/**
 * Runs `<command> [options]`: reads the global options and the command's own in one pass,
 * resolves the stage once, makes the SDK clients once, and returns the exit code.
 */
export async function runOperatorCli(
  argv: readonly string[],
  io: CliIo,
  setup: { signal?: AbortSignal; lookups?: TargetLookups; commands?: readonly Command[] } = {},
): Promise<number> {
  const commands = setup.commands ?? COMMANDS
  const [name, ...rest] = argv
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) {
    if (name === undefined || name === '--help' || name === '-h') {
      io.stdout(overview(commands))
      return EXIT.done
    }
    io.stderr.write(`Unknown command "${name}"\n\n${overview(commands)}\n`)
    return EXIT.usage
  }
  const say = (line: string) => io.stderr.write(`${line}\n`)
  const signal = setup.signal ?? new AbortController().signal
  let clients: AwsClients | undefined
  try {
    const { values, positionals } = readCommandLine(command, rest)
    if (values.help) {
      io.stdout(commandUsage(command))
      return EXIT.done
    }
    const { stage, region, table, 'topic-arn-prefix': topicArnPrefix, help, ...own } = values
    if (!command.usesStage && (stage !== LOCAL_STAGE || region || table || topicArnPrefix)) {
      throw new UsageError(
        `npm run ${command.name} works without a stage: drop --stage, --region, --table and --topic-arn-prefix`,
      )
    }
    // Wrong options are found before any stage is looked up.
    const options = command.read({ values: own, positionals, env: io.env })
    let target: StageTarget | undefined
    if (command.usesStage) {
      const given = { stage, region, table, topicArnPrefix } as TargetOptions
      target = await resolveStageTarget(given, io.env, setup.lookups ?? realTargetLookups)
      clients = awsClientsFor(target)
    }
    return await command.run(options, { io, signal, target, clients })
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${commandUsage(command)}\n`)
      return EXIT.usage
    }
    if (signal.aborted) {
      say(
        `npm run ${command.name}: interrupted; what is done stays done, run it again for the rest`,
      )
      return EXIT.interrupted
    }
    say(`npm run ${command.name}: ${failureText(error)}`)
    return EXIT.failed
  } finally {
    clients?.destroy()
  }
}

function readCommandLine(command: Command, argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: command.positionals ?? false,
      strict: true,
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}
