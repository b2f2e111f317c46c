import { describe, expect, it } from 'vitest'
import { durationParts, formatDuration, slaBadge } from './sla'

const H = 3_600_000
const start = '2026-03-10T00:00:00Z'
const due = '2026-03-10T08:00:00Z' // an 8-hour window
const at = (hours: number) => Date.parse(start) + hours * H

describe('slaBadge', () => {
  it('is green with more than a quarter of the window left', () => {
    expect(slaBadge({ dueAt: due, startAt: start, now: at(5) })).toMatchObject({ state: 'ok', type: 'success', remainingMs: 3 * H })
  })
  it('turns amber at the warning share (25 % left) and stays amber until due', () => {
    expect(slaBadge({ dueAt: due, startAt: start, now: at(6) }).state).toBe('warning')
    expect(slaBadge({ dueAt: due, startAt: start, now: at(7.99) }).type).toBe('warning')
  })
  it('turns red at the due time and after it, with the overdue time negative', () => {
    expect(slaBadge({ dueAt: due, startAt: start, now: at(8) }).state).toBe('breached')
    expect(slaBadge({ dueAt: due, startAt: start, now: at(10) })).toMatchObject({ type: 'danger', remainingMs: -2 * H })
  })
  it('honours a policy-specific warning share', () => {
    expect(slaBadge({ dueAt: due, startAt: start, now: at(3), warningShare: 0.7 }).state).toBe('warning')
  })
  it('shows no countdown for a stopped clock or without a due time', () => {
    expect(slaBadge({ dueAt: due, startAt: start, now: at(10), stopped: true }).state).toBe('stopped')
    expect(slaBadge({ dueAt: null, startAt: start, now: at(1) }).state).toBe('none')
    expect(slaBadge({ dueAt: 'not a date', startAt: start, now: at(1) }).state).toBe('none')
  })
  it('without a start it can only say ok or breached', () => {
    expect(slaBadge({ dueAt: due, startAt: null, now: at(7.9) }).state).toBe('ok')
  })
})

describe('formatDuration', () => {
  const t = (key: string, named: Record<string, unknown>) => `${named.n}${key.split('.')[1]![0]}`
  it('gives the two largest units', () => {
    expect(durationParts(26 * H + 5 * 60_000)).toEqual({ days: 1, hours: 2, minutes: 5 })
    expect(formatDuration(26 * H + 5 * 60_000, t, ' ')).toBe('1d 2h')
    expect(formatDuration(-(2 * H + 30 * 60_000), t, ' ')).toBe('2h 30m')
  })
  it('shows minutes under an hour, and 0 minutes under a minute', () => {
    expect(formatDuration(59 * 60_000, t)).toBe('59m')
    expect(formatDuration(30_000, t)).toBe('0m')
    expect(formatDuration(3 * H, t)).toBe('3h')
  })
})
