/**
 * Option lists for the pickers of the condition builder (and the list's bulk actions): users,
 * teams, departments and categories as trees, China's regions (lazy). Each list is fetched once per
 * page load and shared; a failure is not cached, so the next open retries.
 */
import { api, unwrap, type Schemas } from '@/api/client'

export interface Option { value: number | string; label: string }
export interface TreeOption { value: number | string; label: string; children?: TreeOption[] }

/** A loader that runs each keyed load once per page load and shares its promise; a failed load is forgotten, so
 * the next call retries. Each call of ``fetchOnce()`` has a cache of its own. */
export function fetchOnce(): <T>(key: string, load: () => Promise<T>) => Promise<T> {
  const cache = new Map<string, Promise<unknown>>()
  return <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let found = cache.get(key) as Promise<T> | undefined
    if (!found) {
      found = load()
      cache.set(key, found)
      found.catch(() => cache.delete(key))
    }
    return found
  }
}

const once = fetchOnce()

export function loadUsers(): Promise<Option[]> {
  return once('users', async () => {
    const users = await unwrap(api.GET('/api/v1/users', { params: { query: { active: true } } }))
    return users.map((u: Schemas['UserOut']) => ({ value: u.id, label: u.display_name || u.username }))
  })
}

export function loadTeams(): Promise<Option[]> {
  return once('teams', async () => {
    const teams = await unwrap(api.GET('/api/v1/teams'))
    return teams.map((t: Schemas['TeamOut']) => ({ value: t.id, label: t.name }))
  })
}

export function loadRoles(): Promise<Option[]> {
  return once('roles', async () => {
    const roles = await unwrap(api.GET('/api/v1/roles'))
    return roles.map((r: Schemas['RoleOut']) => ({ value: r.id, label: r.name }))
  })
}

/** Rows with id and parent id (ordered parents first) → a tree keyed by `key(row)`. */
export function buildTree<T extends { id: number; parent_id: number | null }>(
  rows: T[], key: (row: T) => number | string, label: (row: T) => string,
): TreeOption[] {
  const nodes = new Map<number, TreeOption>()
  const roots: TreeOption[] = []
  for (const row of rows) nodes.set(row.id, { value: key(row), label: label(row) })
  for (const row of rows) {
    const node = nodes.get(row.id)!
    const parent = row.parent_id != null ? nodes.get(row.parent_id) : undefined
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node)
  }
  return roots
}

export function loadDepartments(): Promise<TreeOption[]> {
  return once('departments', async () => {
    const rows = await unwrap(api.GET('/api/v1/departments'))
    return buildTree(rows, (d) => d.id, (d) => d.name)
  })
}

/** Categories by key (the `category` tree field) or by id (`category_id`). */
export function loadCategories(by: 'key' | 'id', english = false): Promise<TreeOption[]> {
  return once(`categories:${by}:${english}`, async () => {
    const rows = await unwrap(api.GET('/api/v1/categories'))
    return buildTree(rows, (c) => (by === 'key' ? c.key : c.id), (c) => (english && c.name_en ? c.name_en : c.name))
  })
}

export interface RegionOption { value: string; label: string; leaf: boolean }

export function loadRegions(parent?: string): Promise<RegionOption[]> {
  return once(`regions:${parent ?? ''}`, async () => {
    const rows = await unwrap(api.GET('/api/v1/forms/regions', { params: { query: parent ? { parent } : {} } }))
    return rows.map((r) => ({ value: r.code, label: r.name, leaf: !r.has_children }))
  })
}

/** The picker a ticket field's value needs (the server's catalog has types, not pickers). */
export const TICKET_FIELD_PICKERS: Record<string, 'user' | 'team' | 'department' | 'category' | 'category-id' | 'region'> = {
  assignee_id: 'user',
  created_by_id: 'user',
  team_id: 'team',
  department_id: 'department',
  category: 'category',
  category_id: 'category-id',
  'customer.region_code': 'region',
}
