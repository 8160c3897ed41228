import { parseArgs } from 'node:util'
import { ApiKeyError, resolveApiKeys } from '../../../../lib/voucherify/api-keys'
import { UsageError } from '../../../../scripts/cli/command'
import { apiKeyParameterNames } from '../../../../scripts/cli/voucherify-access'
import {
  RECONCILE_OPTIONS,
  readReconcileOptions,
} from '../../../../scripts/reconcile/reconcile-command'

const read = (args: string[]) =>
  readReconcileOptions(parseArgs({ args, options: RECONCILE_OPTIONS }).values)
const parse = (args: string[]) => read(['--voucher', 'GIFT-CODE', ...args])

describe('readReconcileOptions', () => {
  it('asks Voucherify in eu1 (api.voucherify.io) unless told otherwise', () => {
    expect(parse([])?.apiUrl).toBe('https://api.voucherify.io')
  })

  it.each([
    ['us1', 'https://us1.api.voucherify.io'],
    ['as1', 'https://as1.api.voucherify.io'],
  ])('asks Voucherify in %s at %s', (region, url) => {
    expect(parse(['--voucherify-region', region])?.apiUrl).toBe(url)
  })

  it('takes another API address from --api-url', () => {
    expect(parse(['--api-url', 'http://127.0.0.1:4010'])?.apiUrl).toBe('http://127.0.0.1:4010')
  })

  it('refuses a Voucherify region it does not know', () => {
    expect(() => parse(['--voucherify-region', 'eu2'])).toThrow(UsageError)
  })

  it('requires --voucher', () => {
    expect(() => read([])).toThrow('--voucher <code|id> is required')
  })

  it('reads --since as an instant, a bare date meaning midnight UTC', () => {
    expect(parse(['--since', '2026-03-01'])?.since).toBe('2026-03-01T00:00:00.000Z')
  })

  it('refuses a --since without a time zone', () => {
    expect(() => parse(['--since', '2026-03-01T10:00'])).toThrow(UsageError)
  })

  it('refuses a page size over the 100 the API allows', () => {
    expect(() => parse(['--page-size', '101'])).toThrow(UsageError)
  })
})

const never = async (_name: string): Promise<string | undefined> => {
  throw new Error('SSM must not be read')
}
const prod = (read = never) => ({ ...apiKeyParameterNames('prod'), read })

describe('resolveApiKeys', () => {
  it('takes the keys from VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY when both are set', async () => {
    const keys = await resolveApiKeys(
      { VOUCHERIFY_APP_ID: 'id', VOUCHERIFY_SECRET_KEY: 'key' },
      prod(),
    )

    expect(keys).toEqual({ appId: 'id', secretKey: 'key', from: 'environment' })
  })

  it("reads a deployed stage's keys from its two SSM parameters", async () => {
    const read: string[] = []
    const keys = await resolveApiKeys(
      {},
      prod(async (name) => {
        read.push(name)
        return `value of ${name}`
      }),
    )

    expect(read.sort()).toEqual([
      '/voucherify-gift-webhooks/prod/voucherify-app-id',
      '/voucherify-gift-webhooks/prod/voucherify-secret-key',
    ])
    expect(keys.from).toBe('ssm')
  })

  it('names the SSM parameter it could not find', async () => {
    const keys = resolveApiKeys(
      {},
      {
        ...prod(async (name) => (name === '/other/key' ? undefined : 'id')),
        secretKeyParameter: '/other/key',
      },
    )

    await expect(keys).rejects.toThrow(/missing or empty: \/other\/key/)
  })

  it('asks for the environment variables on the local stage, which has no SSM', async () => {
    await expect(resolveApiKeys({}, undefined)).rejects.toThrow(
      'Set VOUCHERIFY_APP_ID and VOUCHERIFY_SECRET_KEY: the local stage reads no SSM',
    )
  })

  it('refuses one of the two variables without the other', async () => {
    await expect(resolveApiKeys({ VOUCHERIFY_APP_ID: 'id' }, prod())).rejects.toThrow(ApiKeyError)
  })
})
