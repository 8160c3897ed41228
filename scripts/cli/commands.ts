import { eventsCommand } from '../events-command'
import { ledgerCommand } from '../ledger/ledger-command'
import { ledgerScenarioCommand } from '../ledger-scenario/cli'
import { tapCommand } from '../local/tap-command'
import { reconcileCommand } from '../reconcile/cli'
import { replayCommand } from '../replay/replay-command'
import { sendCommand } from '../send-command'
import { sweepCommand } from '../sweep/sweep-command'
import type { Command } from './command'

/** Every operator command, in the order `npm run <command>` lists them. */
export const COMMANDS: readonly Command[] = [
  sendCommand,
  tapCommand,
  eventsCommand,
  ledgerCommand,
  ledgerScenarioCommand(),
  replayCommand,
  reconcileCommand,
  sweepCommand,
]
