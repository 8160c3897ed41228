import { type ChildProcessByStdio, spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Runs "$@" in the background and stops it when stdin reaches end-of-file.
 * stdin is a pipe whose only writer is the Node parent, so EOF also arrives when the parent
 * is SIGKILLed: the child can never outlive it.
 */
const WATCHDOG_SCRIPT = `
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
( while read -r _; do :; done; kill "$child" 2>/dev/null ) <&3 &
watcher=$!
exec 3<&-
trap 'kill "$child" 2>/dev/null' TERM HUP
trap '' INT
wait "$child"
code=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
kill "$watcher" 2>/dev/null
exit "$code"
`

const OUTPUT_TAIL_CHARS = 8_000
const STOP_TIMEOUT_MS = 15_000

export interface WatchedProcess {
  /** Resolves with the exit code (or signal name) once the command has exited. */
  readonly exited: Promise<number | string>
  /** The exit code (or signal name) once the command has exited, else undefined. */
  readonly exitCode: number | string | undefined
  /** The last few kilobytes of stdout and stderr, for error messages. */
  output(): string
  /** Asks the command to stop (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>
}

/** Runs `command`; `echo` passes its output on to this process's stdout and stderr. */
export function spawnWithWatchdog(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean } = {},
): WatchedProcess {
  const shell: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    '/bin/sh',
    ['-c', WATCHDOG_SCRIPT, 'watchdog', command, ...args],
    { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let tail = ''
  const record = (echo: Writable) => (data: Buffer) => {
    const chunk = data.toString('utf8')
    tail = (tail + chunk).slice(-OUTPUT_TAIL_CHARS)
    if (options.echo) echo.write(chunk)
  }
  shell.stdout.on('data', record(process.stdout))
  shell.stderr.on('data', record(process.stderr))
  // The pipe breaks when the shell is gone; that is expected and must not crash the parent.
  shell.stdin.on('error', () => {})

  let exitCode: number | string | undefined
  const exited = new Promise<number | string>((resolve) => {
    shell.once('error', (error) => {
      tail += `\n${error.message}`
      resolve('spawn-error')
    })
    shell.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'))
  }).then((code) => {
    exitCode = code
    return code
  })

  // Waits that do not keep this process alive by themselves.
  const exitWithin = (ms: number) => Promise.race([exited, sleep(ms, undefined, { ref: false })])
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      shell.stdin.end()
      await exitWithin(STOP_TIMEOUT_MS)
      if (exitCode === undefined) {
        // The trap forwards SIGTERM; SIGKILL as a last resort if even that is ignored.
        shell.kill('SIGTERM')
        await exitWithin(2_000)
        shell.kill('SIGKILL')
        await exited
      }
    })()
    return stopping
  }

  return {
    exited,
    get exitCode() {
      return exitCode
    },
    output: () => tail,
    stop,
  }
}
