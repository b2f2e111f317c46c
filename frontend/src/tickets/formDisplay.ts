/**
 * The ticket's form data as label → text rows, using the field definitions of the form version
 * the ticket is pinned to (docs/forms.md). Read-only display: the server already removed what the
 * viewer may not see (hidden fields are absent from `data`), so only keys present are shown.
 */
import type { Locale } from '@/api/errors'

export type I18nText = string | Record<string, string> | null | undefined

export interface FieldOption {
  value: unknown
  label?: I18nText
  children?: FieldOption[]
}

export interface FieldDef {
  key: string
  type: string
  label?: I18nText
  options?: FieldOption[]
  config?: Record<string, unknown>
}

export interface FormSchema {
  fields?: FieldDef[]
}

export interface DisplayRow {
  key: string
  label: string
  type: string
  /** Plain text of the value; sub-tables give one row per line in `rows`. */
  text: string
  /** Long text (textarea, rich text rendered as text) gets a full-width cell. */
  wide: boolean
  rows?: DisplayRow[][]
  /** The viewer may see but not change this field (a read-only field permission): shown locked. */
  locked?: boolean
}

export interface DisplayWords {
  yes: string
  no: string
  files: (n: number) => string
}

const NO_VALUE_TYPES = new Set(['divider', 'description'])
const WIDE_TYPES = new Set(['textarea', 'rich_text', 'sub_table', 'address'])

export function localized(text: I18nText, locale: Locale): string {
  if (text == null) return ''
  if (typeof text === 'string') return text
  return text[locale] ?? text['zh-CN'] ?? Object.values(text)[0] ?? ''
}

function optionLabel(options: FieldOption[] | undefined, value: unknown, locale: Locale): string {
  const found = options?.find((o) => o.value === value)
  return found ? localized(found.label, locale) || String(value) : String(value)
}

function cascadeLabels(options: FieldOption[] | undefined, path: unknown[], locale: Locale): string[] {
  const labels: string[] = []
  let level = options
  for (const value of path) {
    const found = level?.find((o) => o.value === value)
    labels.push(found ? localized(found.label, locale) || String(value) : String(value))
    level = found?.children
  }
  return labels
}

/** Strips tags from sanitised rich text for a text-only display (no HTML is injected into the page). */
export function htmlToText(html: string): string {
  if (typeof DOMParser !== 'undefined') {
    const doc = new DOMParser().parseFromString(html, 'text/html')
    return (doc.body.textContent ?? '').trim()
  }
  return html.replace(/<[^>]*>/g, '').trim()
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function formatValue(field: FieldDef, value: unknown, locale: Locale, words: DisplayWords): string {
  if (value == null || value === '') return '—'
  const sep = locale === 'en' ? ', ' : '、'
  switch (field.type) {
    case 'switch':
      return value === true ? words.yes : value === false ? words.no : String(value)
    case 'dropdown':
    case 'radio':
      return optionLabel(field.options, value, locale)
    case 'multi_select':
    case 'checkboxes':
      return Array.isArray(value) ? value.map((v) => optionLabel(field.options, v, locale)).join(sep) : String(value)
    case 'cascade':
      return Array.isArray(value) ? cascadeLabels(field.options, value, locale).join(' / ') : String(value)
    case 'tags':
      return Array.isArray(value) ? value.map(String).join(sep) : String(value)
    case 'money': {
      const currency = typeof field.config?.currency === 'string' ? field.config.currency : 'CNY'
      return currency === 'CNY' ? `¥${String(value)}` : `${String(value)} ${currency}`
    }
    case 'percent':
      return `${String(value)}%`
    case 'rating': {
      const max = typeof field.config?.max === 'number' ? field.config.max : 5
      return `${String(value)} / ${max}`
    }
    case 'date_range':
      return isRecord(value) ? `${String(value.start ?? '')} ~ ${String(value.end ?? '')}` : String(value)
    case 'china_region':
    case 'address':
      if (isRecord(value)) {
        const names = Array.isArray(value.names) ? value.names.map(String).join('') : ''
        const detail = typeof value.detail === 'string' ? value.detail : ''
        return [names, detail].filter(Boolean).join(' ') || '—'
      }
      return String(value)
    case 'location':
      if (isRecord(value)) {
        if (typeof value.address === 'string' && value.address) return value.address
        return `${String(value.lat)}, ${String(value.lng)}`
      }
      return String(value)
    case 'related_ticket':
      return isRecord(value) ? String(value.number ?? value.id ?? '') : String(value)
    case 'attachments':
    case 'images': {
      const files = Array.isArray(value) ? value : [value]
      const names = files.map((f) => (isRecord(f) && typeof f.name === 'string' ? f.name : '')).filter(Boolean)
      return names.length ? names.join(sep) : words.files(files.length)
    }
    case 'signature':
      return isRecord(value) && typeof value.name === 'string' ? value.name : words.files(1)
    case 'rich_text':
      return typeof value === 'string' ? htmlToText(value) : String(value)
    case 'datetime':
      if (typeof value === 'string') {
        const d = new Date(value)
        if (!Number.isNaN(d.getTime())) {
          const pad = (n: number) => String(n).padStart(2, '0')
          return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
        }
      }
      return String(value)
    default:
      if (Array.isArray(value)) return value.map((v) => (isRecord(v) ? JSON.stringify(v) : String(v))).join(sep)
      if (isRecord(value)) return JSON.stringify(value)
      return String(value)
  }
}

export function displayRows(schema: FormSchema | null | undefined, data: Record<string, unknown>, locale: Locale,
  words: DisplayWords, readOnly: readonly string[] = []): DisplayRow[] {
  const fields = schema?.fields ?? []
  const rows: DisplayRow[] = []
  const seen = new Set<string>()
  for (const field of fields) {
    if (NO_VALUE_TYPES.has(field.type) || !(field.key in data)) continue
    seen.add(field.key)
    rows.push(fieldRow(field, data[field.key], locale, words))
  }
  // Keys without a definition (a field removed in a later draft, or no pinned version): shown by key.
  for (const [key, value] of Object.entries(data)) {
    if (seen.has(key)) continue
    rows.push(fieldRow({ key, type: 'unknown' }, value, locale, words))
  }
  if (readOnly.length) for (const row of rows) row.locked = readOnly.includes(row.key)
  return rows
}

function fieldRow(field: FieldDef, value: unknown, locale: Locale, words: DisplayWords): DisplayRow {
  const label = localized(field.label, locale) || field.key
  if (field.type === 'sub_table' && Array.isArray(value)) {
    const columns = Array.isArray(field.config?.columns) ? (field.config.columns as FieldDef[]) : []
    const tableRows = value.filter(isRecord).map((row) => displayRows({ fields: columns }, row, locale, words))
    return { key: field.key, label, type: field.type, text: String(tableRows.length), wide: true, rows: tableRows }
  }
  return { key: field.key, label, type: field.type, text: formatValue(field, value, locale, words), wide: WIDE_TYPES.has(field.type) }
}
