// A small SVG renderer for BENCHMARKS.svg: horizontal bars, no dependencies.

export interface RatioBar {
  label: string
  value: number
  target: number
}

export interface StackedBar {
  label: string
  parts: Array<{ name: string; value: number }>
}

const WIDTH = 1040
const LABEL_WIDTH = 400
/** What is left once labels and the value written after the longest bar have their room. */
const BAR_WIDTH = WIDTH - LABEL_WIDTH - 250
const ROW_HEIGHT = 26
const COLOURS = ['#1565c0', '#64b5f6', '#ef6c00', '#8e24aa', '#00897b', '#6d4c41']
const MET = '#2e7d32'
const MISSED = '#c62828'

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x}" y="${y}" ${attributes}>${escapeXml(content)}</text>`
}

function ratioPanel(title: string, bars: RatioBar[], top: number): { svg: string; height: number } {
  const scaleMax = Math.max(...bars.flatMap((bar) => [bar.value, bar.target])) * 1.1
  const x = (value: number) => LABEL_WIDTH + (value / scaleMax) * BAR_WIDTH
  const parts = [text(10, top + 18, title, 'class="title"')]
  bars.forEach((bar, index) => {
    const y = top + 34 + index * ROW_HEIGHT
    const met = bar.value <= bar.target
    parts.push(
      text(LABEL_WIDTH - 8, y + 14, bar.label, 'text-anchor="end"'),
      `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${(x(bar.value) - LABEL_WIDTH).toFixed(1)}" ` +
        `height="${ROW_HEIGHT - 8}" fill="${met ? MET : MISSED}"/>`,
      `<line x1="${x(bar.target).toFixed(1)}" x2="${x(bar.target).toFixed(1)}" y1="${y}" ` +
        `y2="${y + ROW_HEIGHT - 2}" stroke="#000" stroke-width="2"/>`,
      text(
        Math.max(x(bar.value), x(bar.target)) + 6,
        y + 14,
        `${bar.value.toFixed(2)}× (target ≤ ${bar.target}×) ${met ? 'met' : 'missed'}`,
      ),
    )
  })
  const axisY = top + 34 + bars.length * ROW_HEIGHT
  parts.push(
    `<line x1="${x(1).toFixed(1)}" x2="${x(1).toFixed(1)}" y1="${top + 30}" y2="${axisY}" ` +
      'stroke="#888" stroke-dasharray="4 3"/>',
    text(x(1) - 4, axisY + 14, '1× = floor', 'class="note"'),
  )
  return { svg: parts.join('\n'), height: axisY + 24 - top }
}

function stackedPanel(
  title: string,
  bars: StackedBar[],
  unit: (value: number) => string,
  top: number,
): { svg: string; height: number } {
  const totals = bars.map((bar) => bar.parts.reduce((sum, part) => sum + part.value, 0))
  const scaleMax = Math.max(...totals) * 1.05
  const width = (value: number) => (value / scaleMax) * BAR_WIDTH
  const names = [...new Set(bars.flatMap((bar) => bar.parts.map((part) => part.name)))]
  const colour = (name: string) => COLOURS[names.indexOf(name) % COLOURS.length]
  const parts = [text(10, top + 18, title, 'class="title"')]
  bars.forEach((bar, index) => {
    const y = top + 34 + index * ROW_HEIGHT
    parts.push(text(LABEL_WIDTH - 8, y + 14, bar.label, 'text-anchor="end"'))
    let left = LABEL_WIDTH
    for (const part of bar.parts) {
      const w = width(part.value)
      parts.push(
        `<rect x="${left.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" ` +
          `height="${ROW_HEIGHT - 8}" fill="${colour(part.name)}"/>`,
      )
      left += w
    }
    parts.push(text(left + 6, y + 14, unit(totals[index] ?? 0)))
  })
  const legendY = top + 34 + bars.length * ROW_HEIGHT + 8
  let legendX = LABEL_WIDTH
  for (const name of names) {
    parts.push(
      `<rect x="${legendX}" y="${legendY}" width="12" height="12" fill="${colour(name)}"/>`,
      text(legendX + 16, legendY + 11, name, 'class="note"'),
    )
    // About 6.5 px per character at 11 px, then a gap before the next entry.
    legendX += 16 + name.length * 6.5 + 24
  }
  return { svg: parts.join('\n'), height: legendY + 24 - top }
}

export function renderChart(options: {
  heading: string
  ratioTitle: string
  ratios: RatioBar[]
  costTitle: string
  costs: StackedBar[]
}): string {
  const first = ratioPanel(options.ratioTitle, options.ratios, 40)
  const second = stackedPanel(
    options.costTitle,
    options.costs,
    (usd) => `$${usd.toFixed(2)}`,
    40 + first.height + 20,
  )
  const height = 40 + first.height + 20 + second.height + 10
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" ` +
      `viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.title{font-weight:bold;font-size:14px}.note{fill:#555;font-size:11px}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    text(10, 24, options.heading, 'font-size="16" font-weight="bold"'),
    first.svg,
    second.svg,
    '</svg>',
    '',
  ].join('\n')
}
