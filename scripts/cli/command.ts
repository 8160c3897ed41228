import type { ParseArgsOptionsConfig } from 'node:util'
import type { AwsClients } from './aws-clients'
import type { StageTarget } from './stage-target'

/** Every operator command ends with one of these. */
export const EXIT = { done: 0, failed: 1, usage: 2, interrupted: 130 } as const

/** A command line that cannot be run: said with the usage, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Where a command writes: results on stdout, progress, notes and errors on stderr. */
export interface CliIo {
  env: NodeJS.ProcessEnv
  stdout: (line: string) => void
  stderr: { write(text: string): void; isTTY?: boolean }
}

/** What parseArgs read of a command's own options and arguments. */
export interface CommandLine {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
  env: NodeJS.ProcessEnv
}

/** What a command runs with: the stage resolved once, the clients made once. */
export interface CommandContext {
  io: CliIo
  /** Ctrl-C: stop after the work under way. */
  signal: AbortSignal
  /** Set for commands that work on a stage (`usesStage`). */
  target?: StageTarget
  clients?: AwsClients
}

/**
 * One subcommand of `scripts/cli.ts`, behind its `npm run` name. Its options are read and
 * checked (`read`, throwing UsageError) before any stage is resolved; then it runs.
 */
export interface Command<Options = unknown> {
  /** The subcommand, as `npm run <name>` names it. */
  name: string
  summary: string
  /** The lines after `Usage: npm run <name> -- `: arguments, then one line per option. */
  usage: string
  options: ParseArgsOptionsConfig
  positionals?: boolean
  /** Resolves --stage, --region, --table and --topic-arn-prefix and makes the clients first. */
  usesStage: boolean
  read(commandLine: CommandLine): Options
  run(options: Options, context: CommandContext): Promise<number>
}

/** Declares a command, keeping its options' type between `read` and `run`. */
export const defineCommand = <Options>(command: Command<Options>): Command => command as Command

/** A command's option as a string, or undefined; for the values parseArgs hands over. */
export const text = (values: CommandLine['values'], name: string) => {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

export const flag = (values: CommandLine['values'], name: string) => values[name] === true

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/

/**
 * An ISO 8601 date (`2026-01-01`, midnight UTC) or date and time with `Z` or an offset, in
 * `toISOString()` form; undefined for anything else (a time without a zone is ambiguous).
 */
export function parseInstant(text: string): string | undefined {
  if (!ISO_INSTANT.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
}

/** Option `--<name>` as `parseInstant` reads it; undefined when not given. */
export function instantOption(values: CommandLine['values'], name: string): string | undefined {
  const given = text(values, name)
  if (given === undefined) return undefined
  const instant = parseInstant(given)
  if (instant === undefined) {
    throw new UsageError(
      `--${name} must be an ISO 8601 date or a date and time with Z or an offset, got "${given}"`,
    )
  }
  return instant
}
