/**
 * Pure helpers of the alert-rule editor: where each threshold would have fired in a preview
 * (POST /alert-rules/preview, GET /alert-rules/{id}/preview), and what the rule body sent looks like.
 *
 * An alert fires (docs/alerts.md) when a group's level rises: it opens (no level → a level) or escalates
 * (blue → yellow → red). A lower level is quiet, and dropping below every threshold clears the alert, so
 * the next rise fires again. The preview's `levels` per day are exactly what the evaluation would have
 * computed at the end of that day; the markers below replay them through those rules.
 */

export type Level = 'blue' | 'yellow' | 'red'
export const LEVELS: readonly Level[] = ['blue', 'yellow', 'red']
export const LEVEL_COLOURS: Record<Level, string> = { blue: '#1677ff', yellow: '#e6a23c', red: '#f56c6c' }

export function levelRank(level: string | null | undefined): number {
  return level ? LEVELS.indexOf(level as Level) + 1 : 0
}

export interface PreviewGroup {
  group_key: string
  group_label: string
  max_level: string | null
  counts: number[]
  values: number[]
  levels: (string | null)[]
}

export interface PreviewData {
  metric: string
  window_days: number
  thresholds: { blue?: number | null; yellow?: number | null; red?: number | null }
  days: string[]
  total_groups: number
  groups: PreviewGroup[]
}

export interface FiringMarker {
  group_key: string
  group_label: string
  index: number
  day: string
  level: Level
  value: number
  /** true when the level rose over an open alert (blue → yellow …), false when an alert opened. */
  escalation: boolean
}

/** Every day on which the rule would have fired, per group, in day order. */
export function firingMarkers(preview: PreviewData): FiringMarker[] {
  const out: FiringMarker[] = []
  for (const g of preview.groups) {
    let previous = 0
    g.levels.forEach((level, index) => {
      const rank = levelRank(level)
      if (rank > previous) {
        out.push({ group_key: g.group_key, group_label: g.group_label, index, day: preview.days[index] ?? '',
          level: level as Level, value: g.values[index] ?? 0, escalation: previous > 0 })
      }
      previous = rank
    })
  }
  return out.sort((a, b) => a.index - b.index || levelRank(a.level) - levelRank(b.level))
}

/** How many times each level would have fired. */
export function firingCounts(markers: FiringMarker[]): Record<Level, number> {
  const counts: Record<Level, number> = { blue: 0, yellow: 0, red: 0 }
  for (const m of markers) counts[m.level]++
  return counts
}

/** The thresholds that are set, lowest first, as [level, value] (for the chart's dashed lines). */
export function thresholdLines(thresholds: PreviewData['thresholds']): [Level, number][] {
  return LEVELS.filter((lv) => typeof thresholds[lv] === 'number').map((lv) => [lv, thresholds[lv] as number])
}

/** Problems the editor can see before asking the server: none set, not increasing, count below 1. */
export function thresholdProblems(thresholds: PreviewData['thresholds'], metric: string): string[] {
  const set = thresholdLines(thresholds)
  const problems: string[] = []
  if (!set.length) problems.push('none')
  for (let i = 1; i < set.length; i++) if (set[i]![1] <= set[i - 1]![1]) problems.push('order')
  if (metric === 'count' && set.some(([, v]) => v < 1)) problems.push('count_min')
  if (metric === 'growth' && set.some(([, v]) => v < 0)) problems.push('growth_min')
  return [...new Set(problems)]
}

/** The days, shortened for the axis ("2026-03-10" → "03-10"). */
export function axisDays(days: string[]): string[] {
  return days.map((d) => (d.length >= 10 ? d.slice(5, 10) : d))
}
