/** Reading audit rows: the before/after of each changed field, whatever shape the action wrote. */

export interface DiffRow {
  field: string
  old?: unknown
  new?: unknown
  value?: unknown
  changed: boolean
  /** For a list of plain values on both sides: what the change added and removed. */
  added?: string[]
  removed?: string[]
}

const plainList = (v: unknown): v is (string | number)[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')

function changeRow(field: string, old: unknown, now: unknown): DiffRow {
  const row: DiffRow = { field, old, new: now, changed: true }
  if (plainList(old) && plainList(now)) {
    const before = new Set(old.map(String))
    const after = new Set(now.map(String))
    row.added = [...after].filter((x) => !before.has(x))
    row.removed = [...before].filter((x) => !after.has(x))
  }
  return row
}

/** One line per row for a table cell: "name: 甲 → 乙", "permissions: +a −b", "username: lily". */
export function summaryOf(rows: DiffRow[]): string {
  return rows.map((d) => {
    const prefix = d.field ? `${d.field}: ` : ''
    if (!d.changed) return `${prefix}${showValue(d.value)}`
    if (d.added || d.removed) return `${prefix}${[...(d.added ?? []).map((x) => `+${x}`), ...(d.removed ?? []).map((x) => `−${x}`)].join(' ')}`
    return `${prefix}${showValue(d.old)} → ${showValue(d.new)}`
  }).join('；')
}

const isChange = (v: unknown): v is { old: unknown; new: unknown } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'old' in v && 'new' in v && Object.keys(v).length === 2

/**
 * `{"name": {"old": "a", "new": "b"}}` (what update actions write) → a changed row per field; a top-level
 * `{old, new}` pair (e.g. field permissions) → one row; anything else → plain value rows.
 */
export function auditRows(data: Record<string, unknown> | null | undefined): DiffRow[] {
  if (!data || typeof data !== 'object') return []
  if (isChange(data)) return [changeRow('', data.old, data.new)]
  return Object.entries(data).map(([field, v]) => (isChange(v) ? changeRow(field, v.old, v.new) : { field, value: v, changed: false }))
}

/** A value as short text: null → "—", lists joined, objects as compact JSON. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  if (Array.isArray(value)) return value.length ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : '—'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
