import { localPorts, localWebhookUrl, portVariables } from '../../../../scripts/local/ports'

describe('localPorts', () => {
  it("takes serverless.yml's defaults when no variable is set", () => {
    expect(localPorts({})).toEqual({
      dynamodb: 8000,
      fauxqs: 4566,
      http: 3000,
      lambda: 3002,
      voucherify: 4010,
    })
  })

  it('reads each port from its variable, an empty one meaning the default', () => {
    expect(localPorts({ DYNAMODB_PORT: '9000', HTTP_PORT: '', VOUCHERIFY_PORT: '5010' })).toEqual({
      dynamodb: 9000,
      fauxqs: 4566,
      http: 3000,
      lambda: 3002,
      voucherify: 5010,
    })
  })

  it('refuses what is not a port, naming the variable', () => {
    expect(() => localPorts({ FAUXQS_PORT: '70000' })).toThrow(
      'FAUXQS_PORT must be a port number between 1 and 65535, got "70000"',
    )
    expect(() => localPorts({ LAMBDA_PORT: 'x' })).toThrow(/LAMBDA_PORT must be a port number/)
  })

  it('gives back the variables serverless.yml reads, which read back as the same ports', () => {
    const ports = localPorts({ HTTP_PORT: '3100' })

    expect(portVariables(ports)).toEqual({
      DYNAMODB_PORT: '8000',
      FAUXQS_PORT: '4566',
      HTTP_PORT: '3100',
      LAMBDA_PORT: '3002',
      VOUCHERIFY_PORT: '4010',
    })
    expect(localPorts(portVariables(ports))).toEqual(ports)
    expect(localWebhookUrl(portVariables(ports))).toBe('http://127.0.0.1:3100/webhooks/voucherify')
  })
})
