/** The lines written to stdout and stderr while `run` runs (Powertools writes there). */
export async function captureOutput(run: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = []
  const capture = (chunk: string | Uint8Array) => {
    written.push(chunk.toString())
    return true
  }
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture)
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture)
  try {
    await run()
  } finally {
    stdout.mockRestore()
    stderr.mockRestore()
  }
  return written.join('').split('\n').filter(Boolean)
}
