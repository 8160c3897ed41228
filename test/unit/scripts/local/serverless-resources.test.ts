import { localParams } from '../../../../scripts/local/serverless-resources'

describe('localParams', () => {
  it('passes no parameter when FIFO_TOPICS is not set: standard topics', () => {
    expect(localParams({})).toEqual({})
  })

  it('passes fifoTopics=true when FIFO_TOPICS is true', () => {
    expect(localParams({ FIFO_TOPICS: 'true' })).toEqual({ fifoTopics: 'true' })
  })

  it('passes no parameter when FIFO_TOPICS is false', () => {
    expect(localParams({ FIFO_TOPICS: 'false' })).toEqual({})
  })

  it('refuses any other value, naming the variable', () => {
    expect(() => localParams({ FIFO_TOPICS: 'yes' })).toThrow(/FIFO_TOPICS must be true or false/)
  })
})
