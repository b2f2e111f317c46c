/**
 * The pure rules of the configuration bundle page: the import plan (docs/config-bundles.md) grouped for display,
 * each change's field-level diff flattened into lines, and the problems grouped by file.
 */
import { pickLanguage, type Locale } from '@/api/errors'

export interface KindPlan {
  kind: string
  label: string
  added: string[]
  changed: { key: string; fields: Record<string, unknown> }[]
  unchanged: string[]
  removed: string[]
  prunable: boolean
  prune_note: string
}

export interface Problem {
  file: string
  path: string
  message: string
}

export interface ImportResult {
  dry_run: boolean
  prune: boolean
  applied: boolean
  ok: boolean
  template: string | null
  counts: Record<string, number>
  kinds: KindPlan[]
  problems: Problem[]
}

export type Status = 'added' | 'changed' | 'unchanged' | 'removed'
export const STATUSES: Status[] = ['added', 'changed', 'unchanged', 'removed']

export interface KindRow {
  kind: string
  label: string
  counts: Record<Status, number>
  /** Something would happen to this kind (added, changed or removed). */
  touched: boolean
  plan: KindPlan
}

/** One row per kind, in the server's order (dependencies first), labels in the UI language. */
export function kindRows(result: Pick<ImportResult, 'kinds'>, locale: Locale): KindRow[] {
  return result.kinds.map((plan) => {
    const counts = { added: plan.added.length, changed: plan.changed.length, unchanged: plan.unchanged.length,
      removed: plan.removed.length }
    return { kind: plan.kind, label: pickMessage(plan.label, locale), counts, plan,
      touched: counts.added + counts.changed + counts.removed > 0 }
  })
}

/** The totals by status (the server's `counts`, recomputed so a partial answer still adds up). */
export function totals(result: Pick<ImportResult, 'kinds'>): Record<Status, number> {
  const out: Record<Status, number> = { added: 0, changed: 0, unchanged: 0, removed: 0 }
  for (const plan of result.kinds) {
    out.added += plan.added.length
    out.changed += plan.changed.length
    out.unchanged += plan.unchanged.length
    out.removed += plan.removed.length
  }
  return out
}

export type DiffLine =
  | { path: string; type: 'value'; old: string; new: string }
  | { path: string; type: 'schema'; added: string[]; removed: string[]; changed: string[]; layout: boolean; settings: boolean }
  | { path: string; type: 'bpmn'; oldChars: number; newChars: number }
  | { path: string; type: 'days'; added: number; removed: number; changed: number }

/** A value of the diff as text: strings as they are, anything else as JSON, nothing as "—". */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return '—'
  if (typeof value === 'string') return value === '' ? '""' : value
  return JSON.stringify(value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [])

/**
 * The field-level diff of one changed object as lines: `{name: {old, new}}` is one line, nested settings
 * (`{targets: {changes: {"P1.resolution_minutes": {old, new}}}}`) one line per changed leaf, a form schema,
 * a BPMN document and calendar days a summary each.
 */
export function diffLines(fields: Record<string, unknown>): DiffLine[] {
  const lines: DiffLine[] = []
  for (const name of Object.keys(fields).sort()) {
    const d = fields[name]
    if (!isRecord(d)) {
      lines.push({ path: name, type: 'value', old: '—', new: showValue(d) })
    } else if (name === 'schema' && ('fields_added' in d || 'fields_changed' in d)) {
      lines.push({ path: name, type: 'schema', added: list(d.fields_added), removed: list(d.fields_removed),
        changed: list(d.fields_changed), layout: d.layout_changed === true, settings: d.settings_changed === true })
    } else if (name === 'bpmn' && 'new_chars' in d) {
      lines.push({ path: name, type: 'bpmn', oldChars: Number(d.old_chars ?? 0), newChars: Number(d.new_chars ?? 0) })
    } else if (name === 'days' && 'added' in d && !('old' in d)) {
      lines.push({ path: name, type: 'days', added: Number(d.added ?? 0), removed: Number(d.removed ?? 0),
        changed: Number(d.changed ?? 0) })
    } else if (isRecord(d.changes)) {
      for (const leaf of Object.keys(d.changes).sort()) {
        const c = d.changes[leaf]
        lines.push({ path: `${name}.${leaf}`, type: 'value', old: showValue(isRecord(c) ? c.old : undefined),
          new: showValue(isRecord(c) ? c.new : c) })
      }
    } else {
      lines.push({ path: name, type: 'value', old: showValue(d.old), new: showValue(d.new) })
    }
  }
  return lines
}

/** A bundle message in the UI language: "中文 / English", also when the Chinese half ends in a bracket without a
 * space before the slash ("校验和不符（文件被修改或损坏）/ checksum mismatch"). */
export function pickMessage(message: string, locale: Locale): string {
  const picked = pickLanguage(message, locale)
  if (picked !== message.trim()) return picked
  const m = /^(.*?[\u3400-\u9fff\uff08-\uff09）)])\s*\/\s+(.+)$/s.exec(message)
  return m ? (locale === 'en' ? m[2]! : m[1]!).trim() : picked
}

/** Problems grouped by file (files in name order, each file's problems in the server's order). */
export function problemsByFile(problems: Problem[], locale: Locale): { file: string; items: Problem[] }[] {
  const groups = new Map<string, Problem[]>()
  for (const p of problems) {
    const items = groups.get(p.file) ?? []
    items.push({ ...p, message: pickMessage(p.message, locale) })
    groups.set(p.file, items)
  }
  return [...groups.keys()].sort().map((file) => ({ file, items: groups.get(file)! }))
}
