import { describe, expect, it } from 'vitest'
import {
  areaState, cellKey, gridDifferences, gridFrom, groupPermissions, matrixChanges, matrixFrom, permissionLabel,
  rulesFrom, toggleArea,
} from './matrix'

const catalogue = {
  'ticket.view': '查看工单 View tickets',
  'ticket.edit': '编辑工单 Edit tickets',
  'customer.view': '查看客户 View customers',
  'report.view': '查看报表 View reports',
  'ticket.export': '导出 Export tickets',
}
const roles = [
  { id: 1, permissions: ['ticket.view', 'ticket.edit'], data_scope: 'team' },
  { id: 2, permissions: ['report.view'], data_scope: 'all' },
]

describe('permission matrix', () => {
  it('groups codes by area in catalogue order', () => {
    expect(groupPermissions(catalogue)).toEqual([
      { area: 'ticket', codes: ['ticket.view', 'ticket.edit', 'ticket.export'] },
      { area: 'customer', codes: ['customer.view'] },
      { area: 'report', codes: ['report.view'] },
    ])
  })
  it('picks the label half for the language', () => {
    expect(permissionLabel('查看工单 View tickets', 'zh-CN')).toBe('查看工单')
    expect(permissionLabel('查看工单 View tickets', 'en')).toBe('View tickets')
    expect(permissionLabel('管理API令牌 Manage own API tokens', 'zh-CN')).toBe('管理API令牌')
    expect(permissionLabel('管理API令牌 Manage own API tokens', 'en')).toBe('Manage own API tokens')
    expect(permissionLabel('Plain', 'zh-CN')).toBe('Plain')
    expect(permissionLabel('管理规则与SLA Administer rules and SLA', 'zh-CN')).toBe('管理规则与SLA')
  })
  it('reports only the roles that changed', () => {
    const state = matrixFrom(roles)
    expect(matrixChanges(roles, state)).toEqual([])
    state[1]!.permissions.delete('ticket.edit')
    state[1]!.permissions.add('customer.view')
    state[2]!.data_scope = 'department'
    expect(matrixChanges(roles, state)).toEqual([
      { id: 1, permissions: ['customer.view', 'ticket.view'], added: ['customer.view'], removed: ['ticket.edit'] },
      { id: 2, data_scope: 'department', added: [], removed: [] },
    ])
  })
  it('a change undone is no change', () => {
    const state = matrixFrom(roles)
    state[1]!.permissions.delete('ticket.edit')
    state[1]!.permissions.add('ticket.edit')
    expect(matrixChanges(roles, state)).toEqual([])
  })
  it('toggles a whole area and reports its state', () => {
    const state = matrixFrom(roles)
    const codes = ['ticket.view', 'ticket.edit', 'ticket.export']
    expect(areaState(state, 1, codes)).toBe('some')
    toggleArea(state, 1, codes, true)
    expect(areaState(state, 1, codes)).toBe('all')
    toggleArea(state, 1, codes, false)
    expect(areaState(state, 1, codes)).toBe('none')
    expect(state[1]!.permissions.size).toBe(0)
  })
})

describe('field rights grid', () => {
  const stored = [
    { field_key: 'phone', role: { id: 3 }, access: 'hidden' },
    { field_key: 'amount', role: { id: 3 }, access: 'read_only' },
  ]
  it('round-trips the stored rules, editable cells send nothing', () => {
    const grid = gridFrom(stored)
    expect(grid[cellKey('phone', 3)]).toBe('hidden')
    grid[cellKey('amount', 4)] = 'editable'
    expect(rulesFrom(grid)).toEqual([
      { field_key: 'amount', role_id: 3, access: 'read_only' },
      { field_key: 'phone', role_id: 3, access: 'hidden' },
    ])
  })
  it('counts differing cells, a missing cell being editable', () => {
    const a = gridFrom(stored)
    const b = { ...a, [cellKey('phone', 3)]: 'editable' as const, [cellKey('x', 1)]: 'editable' as const }
    expect(gridDifferences(a, a)).toBe(0)
    expect(gridDifferences(a, b)).toBe(1)
  })
})
