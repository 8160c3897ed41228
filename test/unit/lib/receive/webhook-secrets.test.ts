import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm'
import { realWebhookSecrets } from '../../../../lib/aws/ssm-webhook-secrets'
import { parseSecrets, staticWebhookSecrets } from '../../../../lib/receive/webhook-secrets'
import { ManualClock } from '../../../support/fakes/fake-deps'

/** There is no local SSM emulator, so these tests stub the client's `send`. */
function stubbedSsm(answers: Array<string | Error>) {
  const send = jest.fn(async (command: GetParameterCommand) => {
    expect(command).toBeInstanceOf(GetParameterCommand)
    const answer = answers.shift()
    if (answer instanceof Error) throw answer
    return { Parameter: { Value: answer } }
  })
  return { client: { send } as unknown as SSMClient, send }
}

describe('parseSecrets', () => {
  it('reads two comma-separated secrets during a rotation', () => {
    expect(parseSecrets(' new-secret, old-secret ')).toEqual(['new-secret', 'old-secret'])
  })

  it('reads nothing from an empty value', () => {
    expect(parseSecrets('')).toEqual([])
    expect(parseSecrets(undefined)).toEqual([])
  })
})

describe('staticWebhookSecrets', () => {
  it('holds no secret when the value is empty, so the receiver fails closed', async () => {
    expect(await staticWebhookSecrets('').current()).toEqual([])
  })
})

describe('realWebhookSecrets (SSM client stubbed: no local SSM emulator)', () => {
  const config = (clock: ManualClock) => ({
    parameterName: '/p',
    refreshMs: 60_000,
    clock: clock.read,
  })

  it('reads the parameter once per refresh interval', async () => {
    const clock = new ManualClock()
    const { client, send } = stubbedSsm(['first', 'second'])
    const secrets = realWebhookSecrets(client, config(clock))

    const early = [await secrets.current(), await secrets.current()]
    clock.advance(60_000)
    const later = await secrets.current()

    expect(early).toEqual([['first'], ['first']])
    expect(later).toEqual(['second'])
    expect(send).toHaveBeenCalledTimes(2)
  })

  it('holds no secret when the parameter does not exist', async () => {
    const { client } = stubbedSsm([new ParameterNotFound({ message: 'missing', $metadata: {} })])

    expect(await realWebhookSecrets(client, config(new ManualClock())).current()).toEqual([])
  })

  it('lets other SSM failures through, so the delivery is retried', async () => {
    const { client } = stubbedSsm([new Error('throttled')])

    await expect(realWebhookSecrets(client, config(new ManualClock())).current()).rejects.toThrow(
      'throttled',
    )
  })
})
