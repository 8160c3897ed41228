import { stopKeptEmulators } from './emulator-handles'

/** Stops the DynamoDB Local and fauxqs that global setup started. */
export default async function globalTeardown(): Promise<void> {
  await stopKeptEmulators()
}
