/**
 * Pure helpers of the SLA and calendar editors: the year view's day classification and month grids,
 * working-hour periods, and durations in hours + minutes (the API stores business minutes).
 */
import { PRIORITY_VALUES } from '@/tickets/labels'

/** How the year view colours a date. */
export type DayClass = 'workday' | 'weekend' | 'holiday' | 'makeup'

/** An exceptional day as the API stores it (`CalendarDay`). */
export interface SpecialDay { date: string; kind: 'holiday' | 'workday' | string; name: string }

/** Weekday "0" (Monday) … "6" (Sunday) → [["09:00","12:00"], …]. */
export type WorkingHours = Record<string, string[][]>

export interface DayCell {
  date: string
  day: number
  /** 0 = Monday … 6 = Sunday */
  weekday: number
  kind: DayClass
  name: string
}

export interface MonthGrid {
  month: number
  /** Rows of seven cells, Monday first; null pads the first and last week. */
  weeks: (DayCell | null)[][]
  counts: Record<DayClass, number>
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** 0 = Monday … 6 = Sunday (calendar arithmetic in UTC, so the viewer's zone never shifts a date). */
export function weekdayOf(year: number, month: number, day: number): number {
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7
}

/**
 * What a date is on a calendar, by the engine's rules (docs/sla.md): a stored holiday has no working time;
 * a stored workday (调休) works; any other date works when its weekday has hours. A 24×7 calendar works
 * every day and ignores holidays.
 */
export function classifyDay(weekday: number, hours: WorkingHours, special: SpecialDay | undefined, is24x7 = false): DayClass {
  if (is24x7) return 'workday'
  if (special?.kind === 'holiday') return 'holiday'
  if (special?.kind === 'workday') return 'makeup'
  return (hours[String(weekday)] ?? []).length ? 'workday' : 'weekend'
}

function emptyCounts(): Record<DayClass, number> {
  return { workday: 0, weekend: 0, holiday: 0, makeup: 0 }
}

export function monthGrid(year: number, month: number, hours: WorkingHours, special: Map<string, SpecialDay>,
  is24x7 = false): MonthGrid {
  const counts = emptyCounts()
  const weeks: (DayCell | null)[][] = []
  let week: (DayCell | null)[] = Array.from({ length: weekdayOf(year, month, 1) }, () => null)
  for (let day = 1; day <= daysInMonth(year, month); day++) {
    const date = isoDate(year, month, day)
    const weekday = weekdayOf(year, month, day)
    const found = special.get(date)
    const kind = classifyDay(weekday, hours, found, is24x7)
    counts[kind]++
    week.push({ date, day, weekday, kind, name: found?.name ?? '' })
    if (week.length === 7) {
      weeks.push(week)
      week = []
    }
  }
  if (week.length) weeks.push([...week, ...Array.from({ length: 7 - week.length }, () => null)])
  return { month, weeks, counts }
}

export function yearGrid(year: number, hours: WorkingHours, days: SpecialDay[], is24x7 = false): MonthGrid[] {
  const special = new Map(days.map((d) => [d.date, d]))
  return Array.from({ length: 12 }, (_, i) => monthGrid(year, i + 1, hours, special, is24x7))
}

export function yearCounts(months: MonthGrid[]): Record<DayClass, number> {
  const total = emptyCounts()
  for (const m of months) for (const k of Object.keys(total) as DayClass[]) total[k] += m.counts[k]
  return total
}

/** The change a click on a day proposes: what it is now, and the kind to store (null = remove the entry). */
export function nextKind(cell: DayCell): 'holiday' | 'workday' | null {
  if (cell.kind === 'holiday' || cell.kind === 'makeup') return null
  return cell.kind === 'weekend' ? 'workday' : 'holiday'
}

// --- working hours ----------------------------------------------------------------------

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/

export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

/** Problems of one weekday's periods (empty when valid): bad times, end before start, overlaps. */
export function periodProblems(periods: string[][]): string[] {
  const problems: string[] = []
  const sorted = periods.map((p, i) => ({ i, p })).sort((a, b) => toMinutes(a.p[0] ?? '') - toMinutes(b.p[0] ?? ''))
  let lastEnd = -1
  for (const { p } of sorted) {
    const [start = '', end = ''] = p
    if (!HHMM.test(start) || !HHMM.test(end)) {
      problems.push('format')
      continue
    }
    if (toMinutes(end) <= toMinutes(start)) problems.push('order')
    if (toMinutes(start) < lastEnd) problems.push('overlap')
    lastEnd = Math.max(lastEnd, toMinutes(end))
  }
  return [...new Set(problems)]
}

/** Total working minutes of a day's periods. */
export function periodMinutes(periods: string[][]): number {
  return periods.reduce((sum, [s = '', e = '']) => sum + (HHMM.test(s) && HHMM.test(e) ? Math.max(0, toMinutes(e) - toMinutes(s)) : 0), 0)
}

/** The periods sorted by start (what is sent to the server). */
export function normalisePeriods(periods: string[][]): string[][] {
  return [...periods].map((p) => [p[0] ?? '', p[1] ?? '']).sort((a, b) => toMinutes(a[0]!) - toMinutes(b[0]!))
}

// --- durations --------------------------------------------------------------------------

export interface HoursMinutes { hours: number; minutes: number }

export function splitMinutes(total: number | null | undefined): HoursMinutes | null {
  if (total === null || total === undefined) return null
  const rounded = Math.round(total)
  return { hours: Math.floor(rounded / 60), minutes: rounded % 60 }
}

export function joinMinutes(value: HoursMinutes | null): number | null {
  if (!value) return null
  const total = (value.hours || 0) * 60 + (value.minutes || 0)
  return total > 0 ? total : null
}

export const TARGET_KEYS = ['first_response_minutes', 'resolution_minutes'] as const
export type TargetKey = (typeof TARGET_KEYS)[number]
export type Targets = Record<string, Partial<Record<TargetKey, number | null>>>

/** Drop empty targets (a missing entry = no target), keep the others as numbers. */
export function cleanTargets(targets: Targets): Targets {
  const out: Targets = {}
  for (const p of PRIORITY_VALUES) {
    const per: Partial<Record<TargetKey, number>> = {}
    for (const k of TARGET_KEYS) {
      const v = targets[p]?.[k]
      if (typeof v === 'number' && v > 0) per[k] = v
    }
    if (Object.keys(per).length) out[p] = per
  }
  return out
}

/** Server problem paths ("targets.P1.resolution_minutes", "escalation[0]") → the messages for one field. */
export function fieldProblems(details: unknown, field: string): string[] {
  if (!details || typeof details !== 'object') return []
  const out: string[] = []
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (key !== field && !key.startsWith(`${field}.`) && !key.startsWith(`${field}[`)) continue
    if (Array.isArray(value)) {
      for (const v of value) out.push(typeof v === 'object' && v && 'message' in v ? String((v as { message: unknown }).message) : String(v))
    } else {
      out.push(key === field ? String(value) : `${key}: ${String(value)}`)
    }
  }
  return out
}

