import { describe, expect, it } from 'vitest'
import {
  classifyDay, cleanTargets, daysInMonth, fieldProblems, joinMinutes, monthGrid, nextKind, periodMinutes,
  periodProblems, splitMinutes, weekdayOf, yearCounts, yearGrid, type SpecialDay, type WorkingHours,
} from './model'

const LUNCH = [['09:00', '12:00'], ['13:30', '18:00']]
const WEEK: WorkingHours = { 0: LUNCH, 1: LUNCH, 2: LUNCH, 3: LUNCH, 4: LUNCH, 5: [], 6: [] }

// 2026 as chinese_calendar has it: Mid-autumn + National Day, make-up workdays Sun 09-20 and Sat 10-10.
const DAYS_2026: SpecialDay[] = [
  { date: '2026-09-20', kind: 'workday', name: '国庆节' },
  ...['2026-09-25', '2026-09-26', '2026-09-27'].map((date) => ({ date, kind: 'holiday', name: '中秋节' })),
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => ({ date: `2026-10-0${d}`, kind: 'holiday', name: '国庆节' })),
  { date: '2026-10-10', kind: 'workday', name: '国庆节' },
]

describe('day classification', () => {
  it('follows the engine: holiday > make-up workday > weekly hours', () => {
    expect(classifyDay(2, WEEK, undefined)).toBe('workday')
    expect(classifyDay(5, WEEK, undefined)).toBe('weekend')
    expect(classifyDay(3, WEEK, { date: 'x', kind: 'holiday', name: '' })).toBe('holiday')
    expect(classifyDay(6, WEEK, { date: 'x', kind: 'workday', name: '' })).toBe('makeup')
    // A 24×7 calendar works every day and ignores holidays.
    expect(classifyDay(6, WEEK, { date: 'x', kind: 'holiday', name: '' }, true)).toBe('workday')
  })

  it('knows weekdays and month lengths without the viewer\'s time zone', () => {
    expect(weekdayOf(2026, 10, 1)).toBe(3) // Thursday
    expect(weekdayOf(2027, 1, 1)).toBe(4) // Friday
    expect(daysInMonth(2028, 2)).toBe(29)
    expect(daysInMonth(2026, 2)).toBe(28)
  })
})

describe('month grids', () => {
  it('pads weeks Monday first and classifies every day', () => {
    const special = new Map(DAYS_2026.map((d) => [d.date, d]))
    const oct = monthGrid(2026, 10, WEEK, special)
    expect(oct.weeks[0]!.slice(0, 3)).toEqual([null, null, null])
    expect(oct.weeks[0]![3]).toMatchObject({ date: '2026-10-01', day: 1, weekday: 3, kind: 'holiday', name: '国庆节' })
    expect(oct.weeks.every((w) => w.length === 7)).toBe(true)
    const cells = oct.weeks.flat().filter((c) => c !== null)
    expect(cells).toHaveLength(31)
    expect(cells.find((c) => c!.date === '2026-10-10')).toMatchObject({ kind: 'makeup', weekday: 5 })
    // October 2026: 31 days, 7 holidays (two of them a weekend), Sat 10-10 worked, 6 weekend days off.
    expect(oct.counts).toEqual({ workday: 17, weekend: 6, holiday: 7, makeup: 1 })
  })

  it('builds twelve months whose counts add up to the year', () => {
    const months = yearGrid(2026, WEEK, DAYS_2026)
    expect(months).toHaveLength(12)
    const total = yearCounts(months)
    expect(total.workday + total.weekend + total.holiday + total.makeup).toBe(365)
    expect(total.holiday).toBe(10)
    expect(total.makeup).toBe(2)
    expect(yearCounts(yearGrid(2028, WEEK, []))).toMatchObject({ holiday: 0, makeup: 0 })
    expect(Object.values(yearCounts(yearGrid(2028, WEEK, []))).reduce((a, b) => a + b)).toBe(366)
  })

  it('proposes the natural toggle for a clicked day', () => {
    const special = new Map(DAYS_2026.map((d) => [d.date, d]))
    const cells = monthGrid(2026, 10, WEEK, special).weeks.flat().filter((c) => c !== null)
    const byDate = (d: string) => cells.find((c) => c!.date === d)!
    expect(nextKind(byDate('2026-10-01'))).toBeNull() // holiday → restore
    expect(nextKind(byDate('2026-10-10'))).toBeNull() // make-up → restore
    expect(nextKind(byDate('2026-10-11'))).toBe('workday') // Sunday → make-up workday
    expect(nextKind(byDate('2026-10-12'))).toBe('holiday') // Monday → holiday
  })
})

describe('working hours and durations', () => {
  it('checks periods', () => {
    expect(periodProblems(LUNCH)).toEqual([])
    expect(periodProblems([['13:30', '18:00'], ['09:00', '12:00']])).toEqual([])
    expect(periodProblems([['09:00', '24:00']])).toEqual([])
    expect(periodProblems([['9:00', '12:00']])).toEqual(['format'])
    expect(periodProblems([['12:00', '09:00']])).toEqual(['order'])
    expect(periodProblems([['09:00', '12:00'], ['11:00', '13:00']])).toEqual(['overlap'])
    expect(periodMinutes(LUNCH)).toBe(7.5 * 60)
  })

  it('splits and joins minutes, drops empty targets', () => {
    expect(splitMinutes(135)).toEqual({ hours: 2, minutes: 15 })
    expect(splitMinutes(null)).toBeNull()
    expect(joinMinutes({ hours: 1, minutes: 30 })).toBe(90)
    expect(joinMinutes({ hours: 0, minutes: 0 })).toBeNull()
    expect(cleanTargets({ P1: { first_response_minutes: 10, resolution_minutes: null }, P2: {}, P3: { resolution_minutes: 0 } }))
      .toEqual({ P1: { first_response_minutes: 10 } })
  })

  it('finds a field\'s server problems', () => {
    const details = { 'targets.P1.resolution_minutes': '0', 'escalation.0': 'level', condition: [{ path: '/all/0', message: '未知字段 / unknown field' }] }
    expect(fieldProblems(details, 'targets')).toEqual(['targets.P1.resolution_minutes: 0'])
    expect(fieldProblems(details, 'condition')).toEqual(['未知字段 / unknown field'])
    expect(fieldProblems(details, 'name')).toEqual([])
  })
})
