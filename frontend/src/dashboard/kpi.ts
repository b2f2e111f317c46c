/** Figures on the dashboard's cards: percentages, durations and "no data" dashes. */
import { formatDuration } from '@/shared/sla'

type Translate = (key: string, named?: Record<string, unknown>) => string

export const NO_VALUE = '—'

export function formatPercent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? NO_VALUE : `${rate.toFixed(1)}%`
}

export function formatSeconds(seconds: number | null | undefined, t: Translate, joiner = ''): string {
  return seconds === null || seconds === undefined ? NO_VALUE : formatDuration(seconds * 1000, t, joiner)
}

/** The SLA card's colour: green at 90 % and above, amber from 75 %, red below (no colour without data). */
export function rateTone(rate: number | null | undefined): 'good' | 'warn' | 'bad' | 'none' {
  if (rate === null || rate === undefined) return 'none'
  if (rate >= 90) return 'good'
  if (rate >= 75) return 'warn'
  return 'bad'
}
