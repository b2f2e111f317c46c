/**
 * The SLA countdown badge: green while there is time, amber once less than the warning share of
 * the window is left, red once the due time has passed. The window runs from the ticket's
 * creation to its due time; a stopped clock (ticket resolved/closed) shows no countdown.
 */

export type SlaState = 'ok' | 'warning' | 'breached' | 'stopped' | 'none'

export interface SlaBadge {
  state: SlaState
  /** Milliseconds left (negative when overdue); 0 for stopped/none. */
  remainingMs: number
  type: 'success' | 'warning' | 'danger' | 'info'
}

/** Amber when 25 % or less of the window is left (the SLA engine's default warning threshold). */
export const WARNING_SHARE = 0.25

export function slaBadge(opts: {
  dueAt: string | null | undefined
  startAt: string | null | undefined
  now: number
  stopped?: boolean
  warningShare?: number
}): SlaBadge {
  if (!opts.dueAt) return { state: 'none', remainingMs: 0, type: 'info' }
  const due = Date.parse(opts.dueAt)
  if (Number.isNaN(due)) return { state: 'none', remainingMs: 0, type: 'info' }
  if (opts.stopped) return { state: 'stopped', remainingMs: 0, type: 'info' }
  const remainingMs = due - opts.now
  if (remainingMs <= 0) return { state: 'breached', remainingMs, type: 'danger' }
  const start = opts.startAt ? Date.parse(opts.startAt) : Number.NaN
  const windowMs = Number.isNaN(start) ? 0 : due - start
  const share = opts.warningShare ?? WARNING_SHARE
  if (windowMs > 0 && remainingMs <= windowMs * share) return { state: 'warning', remainingMs, type: 'warning' }
  return { state: 'ok', remainingMs, type: 'success' }
}

export interface DurationParts {
  days: number
  hours: number
  minutes: number
}

/** |ms| as days/hours/minutes, rounded down to the minute (under a minute shows as 0 minutes). */
export function durationParts(ms: number): DurationParts {
  const totalMinutes = Math.floor(Math.abs(ms) / 60000)
  return { days: Math.floor(totalMinutes / 1440), hours: Math.floor((totalMinutes % 1440) / 60), minutes: totalMinutes % 60 }
}

/** The two largest non-zero units, e.g. "2天3小时" / "2d 3h"; minutes when under an hour. */
export function formatDuration(ms: number, t: (key: string, named: Record<string, unknown>) => string, joiner = ''): string {
  const { days, hours, minutes } = durationParts(ms)
  const parts: string[] = []
  if (days) parts.push(t('sla.day', { n: days }))
  if (hours) parts.push(t('sla.hour', { n: hours }))
  if (!days && (minutes || !hours)) parts.push(t('sla.minute', { n: minutes }))
  return parts.slice(0, 2).join(joiner)
}
