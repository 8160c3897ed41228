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
