import { describe, expect, it } from 'vitest'
import { apiParams, defaultState, queryFromState, sortFromTable, stateFromQuery, tableSort } from './listQuery'

describe('ticket list URL state', () => {
  it('round-trips through the URL', () => {
    const state = { ...defaultState(), q: '手机', status: ['new', 'in_progress'], priority: ['P1'], openOnly: true,
      sort: 'resolution_due_at' as const, page: 3, pageSize: 50 }
    const query = queryFromState(state)
    expect(query).toEqual({ q: '手机', status: 'new,in_progress', priority: 'P1', open: '1', sort: 'resolution_due_at', page: '3', size: '50' })
    expect(stateFromQuery(query as Record<string, string>)).toEqual(state)
  })
  it('keeps the view, an extra condition and the columns in the URL', () => {
    const cond = JSON.stringify({ all: [{ field: 'priority', op: 'eq', value: 'P1' }] })
    const state = { ...defaultState(), view: 12, cond, cols: ['number', 'subject'], sort: 'sla_remaining' as const }
    const query = queryFromState(state)
    expect(query).toEqual({ view: '12', cond, cols: 'number,subject', sort: 'sla_remaining' })
    expect(stateFromQuery(query as Record<string, string>)).toEqual(state)
    expect(apiParams(state)).toMatchObject({ view_id: 12, condition: cond })
    expect(stateFromQuery({ cond: '[1]', view: 'x', cols: 'number,bogus' })).toMatchObject({ cond: '', view: null, cols: ['number'] })
    expect(stateFromQuery({ cond: '{broken' }).cond).toBe('')
  })
  it("keeps one customer's complaints in the URL (the ticket page's history link)", () => {
    const state = { ...defaultState(), customer: 7 }
    expect(queryFromState(state)).toEqual({ customer_id: '7' })
    expect(stateFromQuery({ customer_id: '7' })).toEqual(state)
    expect(apiParams(state)).toMatchObject({ customer_id: 7 })
    expect(stateFromQuery({ customer_id: 'x' }).customer).toBeNull()
  })
  it('keeps a plain list URL plain', () => {
    expect(queryFromState(defaultState())).toEqual({})
  })
  it('drops unknown and malformed values instead of sending them to the API', () => {
    const state = stateFromQuery({ status: ['new', 'bogus', 'new'], priority: 'P9', page: '-2', size: '7', sort: 'DROP TABLE' })
    expect(state.status).toEqual(['new'])
    expect(state.priority).toEqual([])
    expect(state.page).toBe(1)
    expect(state.pageSize).toBe(20)
    expect(state.sort).toBe('-created_at')
  })
  it('builds API parameters with repeated list filters', () => {
    expect(apiParams({ ...defaultState(), q: '  x  ', channel: ['phone'] })).toEqual({
      q: 'x', channel: ['phone'], sort: '-created_at', page: 1, page_size: 20,
    })
  })
  it('maps table sorting to API sort names', () => {
    expect(sortFromTable('priority', 'ascending')).toBe('priority')
    expect(sortFromTable('created_at', 'descending')).toBe('-created_at')
    expect(sortFromTable('resolution_due_at', 'descending')).toBe('sla_remaining')
    expect(tableSort('sla_remaining')).toEqual({ prop: 'resolution_due_at', order: 'ascending' })
    expect(sortFromTable('subject', 'ascending')).toBe('-created_at')
    expect(sortFromTable('number', null)).toBe('-created_at')
    expect(tableSort('-priority')).toEqual({ prop: 'priority', order: 'descending' })
  })
})
