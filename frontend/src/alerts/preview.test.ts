import { describe, expect, it } from 'vitest'
import { previewOption } from './chart'
import { axisDays, firingCounts, firingMarkers, levelRank, thresholdLines, thresholdProblems, type PreviewData } from './preview'

const days = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']
const preview: PreviewData = {
  metric: 'count', window_days: 7, thresholds: { blue: 2, yellow: 4, red: 6 }, days, total_groups: 2,
  groups: [
    { group_key: 'p1', group_label: '手机', max_level: 'red',
      counts: [1, 2, 4, 6, 3, 1, 2, 4], values: [1, 2, 4, 6, 3, 1, 2, 4],
      levels: [null, 'blue', 'yellow', 'red', 'blue', null, 'blue', 'yellow'] },
    { group_key: 'p2', group_label: '耳机', max_level: 'blue',
      counts: [0, 0, 2, 3, 2, 2, 0, 0], values: [0, 0, 2, 3, 2, 2, 0, 0],
      levels: [null, null, 'blue', 'blue', 'blue', 'blue', null, null] },
  ],
}
const t = (key: string, named?: Record<string, unknown>) => (named ? `${key}:${JSON.stringify(named)}` : key)

describe('firing markers', () => {
  it('marks an opening and every rise, not the quiet lowering, and fires again after clearing', () => {
    const markers = firingMarkers(preview)
    const phone = markers.filter((m) => m.group_key === 'p1').map((m) => [m.day.slice(5), m.level, m.escalation])
    expect(phone).toEqual([
      ['11-17', 'blue', false], ['11-18', 'yellow', true], ['11-19', 'red', true],
      // 11-20 lowered to blue (quiet), 11-21 cleared, 11-22 opens again, 11-23 rises
      ['11-22', 'blue', false], ['11-23', 'yellow', true],
    ])
    expect(markers.filter((m) => m.group_key === 'p2').map((m) => m.day)).toEqual(['2026-11-18'])
    expect(markers[0]).toMatchObject({ index: 1, value: 2, group_label: '手机' })
    expect(firingCounts(markers)).toEqual({ blue: 3, yellow: 2, red: 1 })
    // Sorted by day.
    expect(markers.map((m) => m.index)).toEqual([...markers.map((m) => m.index)].sort((a, b) => a - b))
  })

  it('jumps straight to red as one firing', () => {
    const jump: PreviewData = { ...preview, groups: [{ ...preview.groups[0]!, levels: [null, 'red', 'red', null, null, null, null, null] }] }
    expect(firingMarkers(jump).map((m) => [m.index, m.level, m.escalation])).toEqual([[1, 'red', false]])
  })

  it('ranks levels and lists thresholds that are set', () => {
    expect([null, 'blue', 'yellow', 'red'].map(levelRank)).toEqual([0, 1, 2, 3])
    expect(thresholdLines({ blue: 5, yellow: null, red: 20 })).toEqual([['blue', 5], ['red', 20]])
    expect(axisDays(['2026-03-10'])).toEqual(['03-10'])
  })

  it('sees threshold problems before the server', () => {
    expect(thresholdProblems({ blue: 5, yellow: 10, red: 20 }, 'count')).toEqual([])
    expect(thresholdProblems({ blue: null, yellow: null, red: null }, 'count')).toEqual(['none'])
    expect(thresholdProblems({ blue: 10, yellow: 10, red: 20 }, 'count')).toEqual(['order'])
    expect(thresholdProblems({ blue: 0, red: 3 }, 'count')).toEqual(['count_min'])
    expect(thresholdProblems({ blue: 0, red: 50 }, 'growth')).toEqual([])
  })
})

describe('chart option', () => {
  it('draws one line per group, the thresholds as mark lines and the markers as scatter points', () => {
    const option = previewOption(preview, t, false)
    const series = option.series as { type: string; data: unknown[]; markLine?: { data: { yAxis: number }[] } }[]
    expect(series.filter((s) => s.type === 'line')).toHaveLength(2)
    expect(series[0]!.markLine!.data.map((d) => d.yAxis)).toEqual([2, 4, 6])
    const scatter = series.filter((s) => s.type === 'scatter')
    expect(scatter.map((s) => s.data.length)).toEqual([3, 2, 1])
    expect((scatter[2]!.data[0] as { value: number[] }).value).toEqual([3, 6])
    expect((option.xAxis as { data: string[] }).data[0]).toBe('11-16')
    // Only the groups shown get markers.
    const one = previewOption(preview, t, true, 1).series as { type: string; data: unknown[] }[]
    expect(one.filter((s) => s.type === 'scatter').map((s) => s.data.length)).toEqual([2, 2, 1])
  })
})
