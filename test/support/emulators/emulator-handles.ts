import { stopAll } from '../../../scripts/local/local-aws'

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

export async function stopKeptEmulators(): Promise<void> {
  const holder = globalThis as Holder
  const stops = holder[KEY] ?? []
  delete holder[KEY]
  await stopAll(stops)
}
