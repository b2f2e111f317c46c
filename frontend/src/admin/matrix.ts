/**
 * The role × permission matrix and the form field × role rights grid: what the pages edit locally and the
 * minimal set of changes they send when saved.
 */

/** Permission codes ("ticket.view") grouped by their area (the part before the dot), in catalogue order. */
export function groupPermissions(catalogue: Record<string, string>): { area: string; codes: string[] }[] {
  const groups = new Map<string, string[]>()
  for (const code of Object.keys(catalogue)) {
    const area = code.includes('.') ? code.slice(0, code.indexOf('.')) : code
    const list = groups.get(area) ?? []
    list.push(code)
    groups.set(area, list)
  }
  return [...groups].map(([area, codes]) => ({ area, codes }))
}

/** "查看工单 View tickets" → the half for the UI language (the catalogue carries both). */
export function permissionLabel(label: string, locale: 'zh-CN' | 'en'): string {
  // The Chinese half ends at the first space after its last Chinese character ("管理规则与SLA Administer …").
  let last = -1
  for (let i = 0; i < label.length; i++) if (/[\u3400-\u9fff]/.test(label[i]!)) last = i
  const space = last < 0 ? -1 : label.indexOf(' ', last)
  if (space < 0) return label
  return locale === 'en' ? label.slice(space + 1).trim() : label.slice(0, space).trim()
}

export interface RoleRights {
  id: number
  permissions: readonly string[]
  data_scope: string
}

export type MatrixState = Record<number, { permissions: Set<string>; data_scope: string }>

export function matrixFrom(roles: readonly RoleRights[]): MatrixState {
  const state: MatrixState = {}
  for (const r of roles) state[r.id] = { permissions: new Set(r.permissions), data_scope: r.data_scope }
  return state
}

export interface RoleChange {
  id: number
  permissions?: string[]
  data_scope?: string
  added: string[]
  removed: string[]
}

/** The roles whose permissions or data scope differ from what was loaded, with sorted permission lists. */
export function matrixChanges(original: readonly RoleRights[], edited: MatrixState): RoleChange[] {
  const out: RoleChange[] = []
  for (const role of original) {
    const now = edited[role.id]
    if (!now) continue
    const before = new Set(role.permissions)
    const added = [...now.permissions].filter((c) => !before.has(c)).sort()
    const removed = [...before].filter((c) => !now.permissions.has(c)).sort()
    const change: RoleChange = { id: role.id, added, removed }
    if (added.length || removed.length) change.permissions = [...now.permissions].sort()
    if (now.data_scope !== role.data_scope) change.data_scope = now.data_scope
    if (change.permissions || change.data_scope) out.push(change)
  }
  return out
}

/** Check or uncheck a whole area for one role; returns whether all its codes are now held. */
export function toggleArea(state: MatrixState, roleId: number, codes: readonly string[], on: boolean): void {
  const role = state[roleId]
  if (!role) return
  for (const code of codes) {
    if (on) role.permissions.add(code)
    else role.permissions.delete(code)
  }
}

/** 'all' | 'some' | 'none' of an area held by a role (for an indeterminate checkbox). */
export function areaState(state: MatrixState, roleId: number, codes: readonly string[]): 'all' | 'some' | 'none' {
  const held = codes.filter((c) => state[roleId]?.permissions.has(c)).length
  return held === 0 ? 'none' : held === codes.length ? 'all' : 'some'
}

// --- field-level rights ---------------------------------------------------------------------

export type FieldAccess = 'editable' | 'read_only' | 'hidden'

export interface FieldRule {
  field_key: string
  role_id: number
  access: 'hidden' | 'read_only'
}

/** Grid cell key. */
export const cellKey = (fieldKey: string, roleId: number) => `${fieldKey}\u0000${roleId}`

/** The grid from the stored rules; a cell without a rule is editable. */
export function gridFrom(rules: readonly { field_key: string; role: { id: number }; access: string }[]): Record<string, FieldAccess> {
  const grid: Record<string, FieldAccess> = {}
  for (const r of rules) {
    if (r.access === 'hidden' || r.access === 'read_only') grid[cellKey(r.field_key, r.role.id)] = r.access
  }
  return grid
}

/** The whole rule set to PUT (the endpoint replaces every rule): one per non-editable cell, stable order. */
export function rulesFrom(grid: Record<string, FieldAccess>): FieldRule[] {
  const rules: FieldRule[] = []
  for (const [key, access] of Object.entries(grid)) {
    if (access === 'editable') continue
    const at = key.indexOf('\u0000')
    rules.push({ field_key: key.slice(0, at), role_id: Number(key.slice(at + 1)), access })
  }
  return rules.sort((a, b) => a.field_key.localeCompare(b.field_key) || a.role_id - b.role_id)
}

/** How many cells differ between two grids (the unsaved-changes badge). */
export function gridDifferences(a: Record<string, FieldAccess>, b: Record<string, FieldAccess>): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  let n = 0
  for (const k of keys) if ((a[k] ?? 'editable') !== (b[k] ?? 'editable')) n++
  return n
}
