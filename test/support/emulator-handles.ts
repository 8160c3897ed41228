type Stop = () => Promise<void>

// Jest runs globalSetup and globalTeardown in one process but loads them as separate modules.
const KEY = Symbol.for('voucherify-gift-webhooks/local-emulators')

interface Holder {
  [KEY]?: Stop[]
}

/** Remembers what global setup started, for global teardown. */
export function keepForTeardown(stops: readonly Stop[]): void {
  const holder = globalThis as Holder
  holder[KEY] = [...(holder[KEY] ?? []), ...stops]
}

/** Stops everything, latest first, even when one of them fails; then reports the failures. */
export async function stopAll(stops: readonly Stop[]): Promise<void> {
  const failures: unknown[] = []
  for (const stop of [...stops].reverse()) {
    await stop().catch((error: unknown) => failures.push(error))
  }
  if (failures.length > 0) throw new AggregateError(failures, 'Could not stop every emulator')
}

export async function stopKeptEmulators(): Promise<void> {
  const holder = globalThis as Holder
  const stops = holder[KEY] ?? []
  delete holder[KEY]
  await stopAll(stops)
}
