import type { CliIo, Command } from '../../../../scripts/cli/command'
import { runOperatorCli } from '../../../../scripts/cli/main'
import { eraseCommand, runErase } from '../../../../scripts/erase/erase-command'
import { fakeDeps } from '../../../support/fakes/fake-deps'
import { fakeLookups } from '../../../support/fakes/fake-target-lookups'

function captured() {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = {
    env: {},
    stdout: (line) => out.push(line),
    stderr: { write: (t) => err.push(t) },
  }
  return { io, out, err, all: () => [...err, ...out].join('\n') }
}

/** `npm run erase -- <args>` read as the CLI reads it; the options `run` was handed, if it ran. */
async function eraseWith(...args: string[]) {
  const handed: unknown[] = []
  const recording: Command = {
    ...eraseCommand,
    run: async (options) => {
      handed.push(options)
      return 0
    },
  }
  const { io, err } = captured()
  const code = await runOperatorCli(['erase', ...args], io, {
    lookups: fakeLookups().lookups,
    commands: [recording],
  })
  return { code, options: handed[0], err: err.join('') }
}

/** A fake table holding one payload and one quarantine item of Ada's, and one of Bob's. */
async function tableWithAda() {
  const world = fakeDeps()
  await world.store.storePayload({
    transaction_id: 'vtx_ada',
    event_type: 'voucher.gift.transaction.created',
    payload: '{"holder":{"id":"cust_ada","name":"Ada Lovelace","email":"ada@example.invalid"}}',
    customer_id: 'cust_ada',
  })
  await world.store.quarantine({
    transaction_id: 'quarantine:sha256:abc',
    event_type: 'voucher.gift.balance_added',
    delivery: 'envelope',
    payload: '{"customer":{"id":"cust_ada","name":"Ada Lovelace"}}',
    issues: [],
    received_at: '2026-01-01T00:00:00.000Z',
    customer_id: 'cust_ada',
  })
  await world.store.storePayload({
    transaction_id: 'vtx_bob',
    event_type: 'voucher.gift.transaction.created',
    payload: '{"holder":{"id":"cust_bob","name":"Bob"}}',
    customer_id: 'cust_bob',
  })
  return world
}

describe('npm run erase options', () => {
  it('hands the customer to erase, not a dry run, when told --customer', async () => {
    const { code, options } = await eraseWith('--customer', 'cust_1')

    expect(code).toBe(0)
    expect(options).toEqual({ customerId: 'cust_1', dryRun: false })
  })

  it('reads --dry-run', async () => {
    const { options } = await eraseWith('--customer', 'cust_1', '--dry-run')

    expect(options).toEqual({ customerId: 'cust_1', dryRun: true })
  })

  it.each([[[]], [['--customer', '']], [['--customer', '  ']]])(
    'refuses %j with exit 2 and asks for the customer',
    async (args) => {
      const { code, options, err } = await eraseWith(...args)

      expect(code).toBe(2)
      expect(options).toBeUndefined()
      expect(err).toMatch(/Name the customer: --customer ID[\s\S]*Usage: npm run erase -- /)
    },
  )
})

describe('npm run erase', () => {
  it('lists each item it erased by kind and key and says how many, exit 0', async () => {
    const world = await tableWithAda()
    const { io, out } = captured()

    const code = await runErase(world.deps, { customerId: 'cust_ada', dryRun: false }, io, {
      settleMs: 0,
      where: 'stage test',
    })

    expect(code).toBe(0)
    expect(out).toEqual([
      'found:',
      '  payload vtx_ada voucher.gift.transaction.created',
      '  quarantine quarantine:sha256:abc voucher.gift.balance_added',
      expect.stringMatching(/^erase: erased 2 item\(s\); erasure recorded/),
    ])
    expect(world.store.items.size).toBe(1)
    expect(await world.erasures.isErased('cust_ada')).toBe(true)
  })

  it('says what it would erase on a dry run and changes nothing', async () => {
    const world = await tableWithAda()
    const { io, out } = captured()

    const code = await runErase(world.deps, { customerId: 'cust_ada', dryRun: true }, io, {
      settleMs: 10_000,
      where: 'stage test',
    })

    expect(code).toBe(0)
    expect(out.at(-1)).toMatch(/^erase: would erase 2 item\(s\); dry run: nothing erased/)
    expect(world.store.items.size).toBe(3)
    expect(await world.erasures.isErased('cust_ada')).toBe(false)
  })

  it('prints none of the customer’s data and names the customer once', async () => {
    const world = await tableWithAda()
    const { io, all } = captured()

    await runErase(world.deps, { customerId: 'cust_ada', dryRun: false }, io, {
      settleMs: 0,
      where: 'stage test',
    })

    expect(all()).not.toMatch(/Ada Lovelace|ada@example/)
    expect(all().split('cust_ada')).toHaveLength(2)
  })

  it('says so when nothing holds the customer’s data', async () => {
    const world = await tableWithAda()
    const { io, out } = captured()

    await runErase(world.deps, { customerId: 'cust_nobody', dryRun: false }, io, {
      settleMs: 0,
      where: 'stage test',
    })

    expect(out[0]).toBe('erase: no item holds personal data of this customer')
    expect(out.at(-1)).toMatch(/^erase: erased 0 item\(s\)/)
  })
})
