import { describe, expect, it } from 'vitest'
import { categoryBars, categoryOption, channelOption, shortDay, trendOption, type Overview } from './charts'
import { formatPercent, formatSeconds, rateTone } from './kpi'

const t = (key: string, named?: Record<string, unknown>) =>
  ({ 'sla.day': `${named?.n}d`, 'sla.hour': `${named?.n}h`, 'sla.minute': `${named?.n}m` }[key] ?? key)

const overview: Overview = {
  generated_at: '2026-03-10T02:00:00Z', time_zone: 'Asia/Shanghai', days: 3, window_start: '2026-03-07T16:00:00Z',
  open: 2, new_today: 1, overdue: 1, created_in_window: 5, closed_in_window: 1,
  first_response_sla: { met: 1, breached: 1, rate: 50 }, resolution_sla: { met: 0, breached: 0, rate: null },
  first_response: { count: 2, median_seconds: 3600, mean_seconds: 3600 },
  resolution: { count: 0, median_seconds: null, mean_seconds: null },
  csat: null,
  by_channel: [{ key: 'phone', count: 3 }, { key: 'web_form', count: 2 }],
  by_category: [{ id: 4, name: '产品质量', name_en: 'Product quality', count: 3 }, { id: null, name: '', name_en: '', count: 1 }],
  other_categories: 1,
  by_day: [{ date: '2026-03-08', new: 2, closed: 1 }, { date: '2026-03-09', new: 2, closed: 0 }, { date: '2026-03-10', new: 1, closed: 0 }],
}

describe('dashboard charts', () => {
  it('draws new and closed per day', () => {
    const option = trendOption(overview, t) as { xAxis: { data: string[] }; series: { data: number[] }[] }
    expect(option.xAxis.data).toEqual(['03-08', '03-09', '03-10'])
    expect(option.series.map((s) => s.data)).toEqual([[2, 2, 1], [1, 0, 0]])
    expect(shortDay('x')).toBe('x')
  })

  it('labels channels and categories in the UI language, uncategorised and others included', () => {
    const pie = channelOption(overview, (k) => `#${k}`, false) as { series: { data: { name: string; value: number }[] }[] }
    expect(pie.series[0]!.data).toEqual([{ name: '#phone', value: 3 }, { name: '#web_form', value: 2 }])
    expect(categoryBars(overview, 'en', t)).toEqual([
      { name: 'Product quality', count: 3 }, { name: 'dashboard.chart.uncategorised', count: 1 },
      { name: 'dashboard.chart.others', count: 1 }])
    expect(categoryBars(overview, 'zh-CN', t)[0]!.name).toBe('产品质量')
    const bars = categoryOption(categoryBars(overview, 'zh-CN', t)) as { yAxis: { data: string[] }; series: { data: number[] }[] }
    expect(bars.yAxis.data[bars.yAxis.data.length - 1]).toBe('产品质量') // largest drawn at the top
    expect(bars.series[0]!.data).toEqual([1, 1, 3])
  })
})

describe('dashboard figures', () => {
  it('formats rates and durations, with a dash for no data', () => {
    expect(formatPercent(33.333)).toBe('33.3%')
    expect(formatPercent(null)).toBe('—')
    expect(formatSeconds(3600, t)).toBe('1h')
    expect(formatSeconds(12600, t)).toBe('3h30m')
    expect(formatSeconds(90000, t, ' ')).toBe('1d 1h')
    expect(formatSeconds(null, t)).toBe('—')
    expect([rateTone(95), rateTone(80), rateTone(10), rateTone(null)]).toEqual(['good', 'warn', 'bad', 'none'])
  })
})
