import { describe, expect, it } from 'vitest'
import { priorityStyle, statusType } from './labels'

describe('priority and status colours', () => {
  it('marks P1 red and P2 amber, filled; P3/P4 calmer', () => {
    expect(priorityStyle('P1')).toMatchObject({ type: 'danger', effect: 'dark' })
    expect(priorityStyle('P2')).toMatchObject({ type: 'warning', effect: 'dark' })
    expect(priorityStyle('P3').type).toBe('primary')
    expect(priorityStyle('P4').type).toBe('info')
  })
  it('falls back to neutral for values a newer server may send', () => {
    expect(priorityStyle('P0').type).toBe('info')
    expect(statusType('escalated')).toBe('info')
  })
  it('reopened stands out, resolved is green', () => {
    expect(statusType('reopened')).toBe('danger')
    expect(statusType('resolved')).toBe('success')
  })
})
