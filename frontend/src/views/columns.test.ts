import { describe, expect, it } from 'vitest'
import { defaultState } from '@/tickets/listQuery'
import { COLUMN_KEYS, DEFAULT_COLUMNS, andAll, filtersToCondition, viewFromState, visibleColumns } from './columns'

describe('saving the list as a view', () => {
  it('turns quick filters into condition leaves', () => {
    expect(filtersToCondition({ ...defaultState(), status: ['new'], priority: ['P1', 'P2'], channel: [], openOnly: true })).toEqual([
      { field: 'status', op: 'in', value: ['new'] },
      { field: 'status', op: 'in', value: ['new', 'accepted', 'in_progress', 'pending_customer', 'reopened'] },
      { field: 'priority', op: 'in', value: ['P1', 'P2'] },
    ])
    expect(filtersToCondition(defaultState())).toEqual([])
  })
  it('ANDs the current view, the quick filters and the extra condition', () => {
    const extra = { any: [{ field: 'customer.tier', op: 'eq', value: 'vip' }, { field: 'tags', op: 'contains', value: 'x' }] }
    const state = { ...defaultState(), channel: ['phone'], cond: JSON.stringify(extra), q: ' 屏幕 ', sort: 'sla_remaining' as const, pageSize: 50 }
    const current = { condition: { all: [{ field: 'priority', op: 'eq', value: 'P1' }] }, search: '', columns: ['number', 'status'] }
    expect(viewFromState(state, current)).toEqual({
      condition: { all: [{ field: 'priority', op: 'eq', value: 'P1' }, { field: 'channel', op: 'in', value: ['phone'] }, extra] },
      search: '屏幕', columns: ['number', 'status'], sort: 'sla_remaining', page_size: 50,
    })
    expect(viewFromState(defaultState(), null)).toEqual({
      condition: { all: [] }, search: '', columns: DEFAULT_COLUMNS, sort: '-created_at', page_size: 20,
    })
    expect(viewFromState(defaultState(), { condition: { field: 'x', op: 'is_empty' }, search: 'a', columns: ['number'] }))
      .toMatchObject({ condition: { all: [{ field: 'x', op: 'is_empty' }] }, search: 'a' })
  })
  it('flattens only top-level all-groups', () => {
    expect(andAll([{ all: [1] }, { any: [2] }, null, { all: [] }])).toEqual({ all: [1, { any: [2] }] })
  })
  it('chooses visible columns from the URL, the view or the defaults', () => {
    expect(visibleColumns(['subject', 'bogus'], ['number'])).toEqual(['subject'])
    expect(visibleColumns(null, ['number', 'tags'])).toEqual(['number', 'tags'])
    expect(visibleColumns(null, null)).toEqual(DEFAULT_COLUMNS)
    expect(visibleColumns(['bogus'], null)).toEqual(DEFAULT_COLUMNS)
    expect(DEFAULT_COLUMNS.every((c) => COLUMN_KEYS.includes(c))).toBe(true)
  })
})
