import { describe, expect, it } from 'vitest'
import { auditRows, showValue, summaryOf } from './audit'

describe('audit rows', () => {
  it('one changed row per field of an update', () => {
    expect(auditRows({ name: { old: '甲组', new: '乙组' }, members: { old: [1], new: [1, 2] } })).toEqual([
      { field: 'name', old: '甲组', new: '乙组', changed: true },
      { field: 'members', old: [1], new: [1, 2], changed: true, added: ['2'], removed: [] },
    ])
  })
  it('lists show what was added and removed', () => {
    const rows = auditRows({ permissions: { old: ['a', 'b'], new: ['b', 'c'] }, name: { old: '甲', new: '乙' }, key: 'x' })
    expect(rows[0]).toMatchObject({ added: ['c'], removed: ['a'] })
    expect(summaryOf(rows)).toBe('permissions: +c −a；name: 甲 → 乙；key: x')
  })
  it('a top-level before/after is one row; plain data stays plain', () => {
    expect(auditRows({ old: [], new: [['phone', 'agent', 'hidden']] })).toHaveLength(1)
    expect(auditRows({ old: [], new: [['phone', 'agent', 'hidden']] })[0]!.added).toBeUndefined()
    expect(auditRows({ username: 'lily', roles: ['agent'] })).toEqual([
      { field: 'username', value: 'lily', changed: false },
      { field: 'roles', value: ['agent'], changed: false },
    ])
    expect(auditRows(null)).toEqual([])
    // An object with old/new plus more keys is data, not a change.
    expect(auditRows({ x: { old: 1, new: 2, why: 'z' } })[0]!.changed).toBe(false)
  })
  it('shows values briefly', () => {
    expect(showValue(null)).toBe('—')
    expect(showValue([])).toBe('—')
    expect(showValue(['a', 'b'])).toBe('a, b')
    expect(showValue({ a: 1 })).toBe('{"a":1}')
    expect(showValue(false)).toBe('false')
  })
})
