/**
 * Runs an operator tool's `main` and exits with its code. The first Ctrl-C (or SIGTERM) asks it
 * to stop after `inFlight`, a second one exits at once; a thrown error is printed with `name`.
 */
export function runCli(
  name: string,
  inFlight: string,
  main: (signal: AbortSignal) => Promise<number>,
): void {
  const abort = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (abort.signal.aborted) process.exit(130)
      process.stderr.write(`\n${signal}: stopping after ${inFlight}…\n`)
      abort.abort()
    })
  }
  main(abort.signal).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`${name}: ${error.message}`)
      process.exit(1)
    },
  )
}
