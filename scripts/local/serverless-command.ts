import { join } from 'node:path'

/** The repository root, where serverless.yml lives. */
export const projectRoot = join(__dirname, '..', '..')

/**
 * `npx serverless <args>` without npx: the project's own osls binary run by this Node, so
 * signals reach it directly and npm's warnings stay out of its output.
 */
export function serverlessCommand(args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [require.resolve('osls/bin/serverless.js'), ...args] }
}

/** Deploy parameters as serverless's `--param name=value` arguments. */
export function paramArguments(params: Readonly<Record<string, string>> = {}): string[] {
  return Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`])
}
