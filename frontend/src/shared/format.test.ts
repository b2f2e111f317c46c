import { describe, expect, it } from 'vitest'
import { formatDateTime, formatShortDateTime } from './format'

describe('date formats', () => {
  // The suite runs in the machine's zone: build the expectations in local time too.
  const local = new Date(2026, 10, 23, 9, 5)
  it('formats full and compact date-times', () => {
    expect(formatDateTime(local.toISOString())).toBe('2026-11-23 09:05')
    expect(formatShortDateTime(local.toISOString(), new Date(2026, 0, 1))).toBe('11-23 09:05')
    expect(formatShortDateTime(local.toISOString(), new Date(2027, 0, 1))).toBe('2026-11-23')
  })
  it('shows a dash for missing or invalid values', () => {
    expect(formatDateTime(null)).toBe('—')
    expect(formatShortDateTime('nope')).toBe('—')
  })
})
