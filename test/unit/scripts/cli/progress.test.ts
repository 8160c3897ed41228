import { createProgress } from '../../../../scripts/cli/progress'

function stream(isTTY: boolean) {
  const written: string[] = []
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } }
}

describe('createProgress', () => {
  it('writes only the summary line when not on a terminal', () => {
    const output = stream(false)
    const progress = createProgress({ stream: output.stream, total: 10 })

    progress.update({ read: 5, published: 5 })
    progress.finish('replay complete: published=5')

    expect(output.written).toEqual(['replay complete: published=5\n'])
  })

  it('redraws the bar in place on a terminal', () => {
    const output = stream(true)
    const progress = createProgress({ stream: output.stream, total: 10 })

    progress.update({ read: 5, published: 5 })

    expect(output.written).toEqual(['\r\x1b[2K[############------------]  50% read=5 published=5'])
  })

  it('redraws at most once per interval', () => {
    const output = stream(true)
    let now = 0
    const progress = createProgress({ stream: output.stream, now: () => now })

    progress.update({ published: 1 })
    now = 50
    progress.update({ published: 2 })
    now = 100
    progress.update({ published: 3 })

    expect(output.written).toEqual(['\r\x1b[2Kpublished=1', '\r\x1b[2Kpublished=3'])
  })

  it('prints a note above the bar and draws the bar again below it', () => {
    const output = stream(true)
    const progress = createProgress({ stream: output.stream })
    progress.update({ published: 1 })

    progress.note('unreadable (invalid): vtx_1')

    expect(output.written.at(-1)).toBe('\r\x1b[2Kunreadable (invalid): vtx_1\npublished=1')
  })

  it('keeps the bar below 100% until the run finishes, however far the estimate is off', () => {
    const output = stream(true)
    const progress = createProgress({ stream: output.stream, total: 100 })

    progress.update({ read: 150 })

    expect(output.written).toEqual(['\r\x1b[2K[########################]  99% read=150'])
  })
})
