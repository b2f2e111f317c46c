/**
 * The alert-rule preview chart: the metric per day for the top groups, the three thresholds as dashed lines
 * and a marker where each level would have fired. ECharts through vue-echarts with only the pieces used
 * registered (`echarts/core`); this module is loaded with the chart component only (a lazy chunk).
 */
import { use, type ComposeOption } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { LineChart, ScatterChart, type LineSeriesOption, type ScatterSeriesOption } from 'echarts/charts'
import {
  GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
  type GridComponentOption, type LegendComponentOption, type MarkLineComponentOption, type TooltipComponentOption,
} from 'echarts/components'
import { axisDays, firingMarkers, LEVEL_COLOURS, LEVELS, thresholdLines, type PreviewData } from './preview'

use([CanvasRenderer, LineChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent])

export type ChartOption = ComposeOption<
  LineSeriesOption | ScatterSeriesOption | GridComponentOption | LegendComponentOption | MarkLineComponentOption
  | TooltipComponentOption
>
type Translate = (key: string, named?: Record<string, unknown>) => string

const GROUP_COLOURS = ['#5470c6', '#91cc75', '#9a60b4', '#73c0de', '#3ba272', '#fc8452', '#ea7ccc', '#5c7bd9']

export function previewOption(preview: PreviewData, t: Translate, narrow: boolean, maxGroups = 5): ChartOption {
  const groups = preview.groups.slice(0, maxGroups)
  const shown = new Set(groups.map((g) => g.group_key))
  const markers = firingMarkers(preview).filter((m) => shown.has(m.group_key))
  const lines = thresholdLines(preview.thresholds)
  const series: (LineSeriesOption | ScatterSeriesOption)[] = groups.map((g, i) => ({
    name: g.group_label || g.group_key || t('alertRules.preview.all'),
    type: 'line',
    showSymbol: false,
    data: g.values,
    itemStyle: { color: GROUP_COLOURS[i % GROUP_COLOURS.length] },
    lineStyle: { width: 1.5 },
    ...(i === 0 && lines.length ? {
      markLine: {
        silent: true, symbol: 'none',
        label: { formatter: '{b}', position: 'insideEndTop' },
        data: lines.map(([lv, v]) => ({ name: t(`alertRules.level.${lv}`), yAxis: v,
          lineStyle: { color: LEVEL_COLOURS[lv], type: 'dashed', width: 1.5 } })),
      },
    } : {}),
  }))
  for (const lv of LEVELS) {
    const points = markers.filter((m) => m.level === lv)
    if (!points.length) continue
    series.push({
      name: t('alertRules.preview.fired', { level: t(`alertRules.level.${lv}`) }),
      type: 'scatter',
      symbol: 'triangle',
      symbolSize: 11,
      z: 5,
      itemStyle: { color: LEVEL_COLOURS[lv], borderColor: '#fff', borderWidth: 1 },
      data: points.map((m) => ({ value: [m.index, m.value], name: m.group_label })),
    })
  }
  const top = Math.max(...lines.map(([, v]) => v), ...groups.flatMap((g) => g.values), 1)
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 8, right: narrow ? 8 : 24, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', boundaryGap: false, data: axisDays(preview.days) },
    yAxis: { type: 'value', max: Math.ceil(top * 1.1), minInterval: preview.metric === 'count' ? 1 : undefined,
      axisLabel: preview.metric === 'growth' ? { formatter: '{value}%' } : {} },
    series,
  }
}
