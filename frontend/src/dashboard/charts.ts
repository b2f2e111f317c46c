/**
 * The dashboard's charts: ECharts through vue-echarts, with only the pieces used registered
 * (`echarts/core`), so the bundle carries three chart types on a canvas and not the whole
 * library. Option builders are pure functions of the overview (unit-tested). No animation: the
 * page redraws every 30 s (wall screens) and a chart should not wiggle each time.
 */
import { use, type ComposeOption } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts'
import {
  GridComponent, LegendComponent, TooltipComponent,
  type GridComponentOption, type LegendComponentOption, type TooltipComponentOption,
} from 'echarts/components'
import type { Schemas } from '@/api/client'

use([CanvasRenderer, LineChart, PieChart, BarChart, GridComponent, LegendComponent, TooltipComponent])

export type Overview = Schemas['DashboardOverviewOut']
export type ChartOption = ComposeOption<
  LineSeriesOption | PieSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>
type Translate = (key: string, named?: Record<string, unknown>) => string

const NEW_COLOUR = '#1677ff'
const CLOSED_COLOUR = '#52c41a'

/** "2026-03-10" → "03-10" (the axis has no room for the year). */
export function shortDay(day: string): string {
  return day.length >= 10 ? day.slice(5, 10) : day
}

export function trendOption(o: Overview, t: Translate): ChartOption {
  const newName = t('dashboard.chart.new')
  const closedName = t('dashboard.chart.closed')
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: [newName, closedName], top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', boundaryGap: false, data: o.by_day.map((d) => shortDay(d.date)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: newName, type: 'line', smooth: true, showSymbol: false, data: o.by_day.map((d) => d.new),
        itemStyle: { color: NEW_COLOUR }, areaStyle: { opacity: 0.12 } },
      { name: closedName, type: 'line', smooth: true, showSymbol: false, data: o.by_day.map((d) => d.closed),
        itemStyle: { color: CLOSED_COLOUR } },
    ],
  }
}

export function channelOption(o: Overview, channelLabel: (key: string) => string, narrow: boolean): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: narrow ? { bottom: 0, type: 'scroll' } : { orient: 'vertical', right: 0, top: 'middle', type: 'scroll' },
    series: [{
      type: 'pie',
      radius: ['45%', '70%'],
      center: narrow ? ['50%', '42%'] : ['38%', '50%'],
      avoidLabelOverlap: true,
      label: { show: false },
      data: o.by_channel.map((c) => ({ name: channelLabel(c.key), value: c.count })),
    }],
  }
}

export interface CategoryBar {
  name: string
  count: number
}

/** The top categories by name in the UI language, the rest as one "other" bar. */
export function categoryBars(o: Overview, locale: string, t: Translate): CategoryBar[] {
  const bars = o.by_category.map((c) => ({
    name: c.id === null ? t('dashboard.chart.uncategorised') : (locale === 'en' && c.name_en ? c.name_en : c.name),
    count: c.count,
  }))
  if (o.other_categories > 0) bars.push({ name: t('dashboard.chart.others'), count: o.other_categories })
  return bars
}

export function categoryOption(bars: CategoryBar[]): ChartOption {
  // Largest at the top: a horizontal bar chart draws its first category at the bottom.
  const shown = [...bars].reverse()
  return {
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: shown.map((b) => b.name), axisLabel: { width: 110, overflow: 'truncate' } },
    series: [{ type: 'bar', data: shown.map((b) => b.count), itemStyle: { color: NEW_COLOUR }, barMaxWidth: 22,
      label: { show: true, position: 'right' } }],
  }
}
