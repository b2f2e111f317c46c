/** Reading audit rows: the before/after of each changed field, whatever shape the action wrote. */

export interface DiffRow {
  field: string
  old?: unknown
  new?: unknown
  value?: unknown
  changed: boolean
}

const isChange = (v: unknown): v is { old: unknown; new: unknown } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'old' in v && 'new' in v && Object.keys(v).length === 2

/**
 * `{"name": {"old": "a", "new": "b"}}` (what update actions write) → a changed row per field; a top-level
 * `{old, new}` pair (e.g. field permissions) → one row; anything else → plain value rows.
 */
export function auditRows(data: Record<string, unknown> | null | undefined): DiffRow[] {
  if (!data || typeof data !== 'object') return []
  if (isChange(data)) return [{ field: '', old: data.old, new: data.new, changed: true }]
  return Object.entries(data).map(([field, v]) => (isChange(v)
    ? { field, old: v.old, new: v.new, changed: true }
    : { field, value: v, changed: false }))
}

/** A value as short text: null → "—", lists joined, objects as compact JSON. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  if (Array.isArray(value)) return value.length ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : '—'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
