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

/**
 * The deploy parameters the local stack takes from the environment, for `serverless print` and
 * `serverless offline` alike: FIFO_TOPICS=true is `--param fifoTopics=true`.
 */
export function localParams(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const fifoTopics = env.FIFO_TOPICS
  if (fifoTopics === undefined || fifoTopics === '' || fifoTopics === 'false') return {}
  if (fifoTopics === 'true') return { fifoTopics: 'true' }
  throw new Error(`FIFO_TOPICS must be true or false, got "${fifoTopics}"`)
}

/** Deploy parameters as serverless's `--param name=value` arguments. */
export function paramArguments(params: Readonly<Record<string, string>> = {}): string[] {
  return Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`])
}
