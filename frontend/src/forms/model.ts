/**
 * The pure logic behind the form renderer (docs/forms.md): walking the layout, which fields and
 * containers show, which errors to show, and what to submit.
 *
 * The server's form engine is the one authority for formulas, defaults, visibility, required-ness
 * and messages: the renderer asks it (POST .../evaluate, debounced) and shows its answer, so the
 * page and the server can never disagree. Before the first answer arrives, only what needs no
 * evaluation is decided here: a field with no condition on it or around it is visible.
 */
import type { Locale } from '@/api/errors'
import { ApiError } from '@/api/errors'
import { localized, type I18nText } from '@/tickets/formDisplay'

export { localized, type I18nText }

export interface FormOption {
  value: string
  label?: I18nText
  children?: FormOption[]
}

export interface FormField {
  key: string
  type: string
  label?: I18nText
  help?: I18nText
  placeholder?: I18nText
  required?: boolean
  required_when?: unknown
  visible_when?: unknown
  read_only?: boolean
  min?: number | string | null
  max?: number | string | null
  min_length?: number | null
  max_length?: number | null
  options?: FormOption[]
  formula?: string
  default?: unknown
  config?: Record<string, unknown>
}

export type LayoutNode =
  | string
  | { type: 'field'; key: string; span?: number }
  | { type: 'section'; title?: I18nText; description?: I18nText; collapsible?: boolean; collapsed?: boolean; visible_when?: unknown; children?: LayoutNode[] }
  | { type: 'tabs'; tabs?: { title?: I18nText; visible_when?: unknown; children?: LayoutNode[] }[] }
  | { type: 'columns'; columns?: { span?: number; children?: LayoutNode[] }[] }

export interface FormSchema {
  fields?: FormField[]
  layout?: LayoutNode[]
  settings?: Record<string, unknown>
}

/** One message of the engine: `{"code", "zh-CN", "en"}`. */
export interface FieldMessage {
  code: string
  'zh-CN'?: string
  en?: string
}

export type FieldErrors = Record<string, FieldMessage[]>

/** The answer of POST /forms/{id}/evaluate and POST /public/forms/{slug}/evaluate. */
export interface Evaluation {
  valid: boolean
  values: Record<string, unknown>
  visibility: Record<string, boolean>
  required: Record<string, boolean>
  errors: FieldErrors
  formula_errors: Record<string, FieldMessage>
  totals: Record<string, Record<string, unknown>>
}

/** Field-level rights of the viewer (字段级权限): hidden fields are left out, read-only ones locked. */
export interface FieldRights {
  hidden?: readonly string[]
  readOnly?: readonly string[]
}

/** Types that hold no value (layout only). */
export const LAYOUT_TYPES = new Set(['divider', 'description'])
/** Computed by the server: shown, never sent. */
export const COMPUTED_TYPES = new Set(['formula', 'serial_number'])
export const FILE_TYPES = new Set(['attachments', 'images', 'signature'])

export function fieldMap(schema: FormSchema | null | undefined): Map<string, FormField> {
  const map = new Map<string, FormField>()
  for (const field of schema?.fields ?? []) map.set(field.key, field)
  return map
}

export function subTableColumns(field: FormField): FormField[] {
  const columns = field.config?.columns
  return Array.isArray(columns) ? (columns as FormField[]) : []
}

function nodeKey(node: LayoutNode): string | null {
  if (typeof node === 'string') return node
  return node.type === 'field' ? node.key : null
}

/** The layout to render: the schema's, or every top-level field in order when it is empty. */
export function effectiveLayout(schema: FormSchema | null | undefined): LayoutNode[] {
  const layout = schema?.layout ?? []
  if (layout.length) return layout
  return (schema?.fields ?? []).map((f) => f.key)
}

/** Keys of the fields under a layout node, in order. */
export function nodeFieldKeys(node: LayoutNode): string[] {
  const key = nodeKey(node)
  if (key !== null) return [key]
  if (typeof node === 'string') return []
  switch (node.type) {
    case 'section':
      return (node.children ?? []).flatMap(nodeFieldKeys)
    case 'tabs':
      return (node.tabs ?? []).flatMap((tab) => (tab.children ?? []).flatMap(nodeFieldKeys))
    case 'columns':
      return (node.columns ?? []).flatMap((col) => (col.children ?? []).flatMap(nodeFieldKeys))
    default:
      return []
  }
}

/** Fields whose visibility depends on a condition: their own or a section's/tab's around them. */
export function conditionalKeys(schema: FormSchema | null | undefined): Set<string> {
  const keys = new Set<string>()
  for (const field of schema?.fields ?? []) if (field.visible_when != null) keys.add(field.key)
  const walk = (nodes: LayoutNode[], inherited: boolean) => {
    for (const node of nodes) {
      if (typeof node === 'string' || node.type === 'field') {
        const key = nodeKey(node)
        if (key && inherited) keys.add(key)
      } else if (node.type === 'section') {
        walk(node.children ?? [], inherited || node.visible_when != null)
      } else if (node.type === 'tabs') {
        for (const tab of node.tabs ?? []) walk(tab.children ?? [], inherited || tab.visible_when != null)
      } else if (node.type === 'columns') {
        for (const col of node.columns ?? []) walk(col.children ?? [], inherited)
      }
    }
  }
  walk(effectiveLayout(schema), false)
  return keys
}

/**
 * Whether a field shows. Hidden by the viewer's rights or of type `hidden`: never. Otherwise the
 * server's answer; before it, visible unless a condition is involved (shown once evaluated, so a
 * conditional field never flashes up and away).
 */
export function isFieldVisible(field: FormField, evaluation: Pick<Evaluation, 'visibility'> | null,
  conditional: Set<string>, rights: FieldRights = {}): boolean {
  if (field.type === 'hidden' || rights.hidden?.includes(field.key)) return false
  const answer = evaluation?.visibility[field.key]
  if (answer !== undefined) return answer
  return !conditional.has(field.key)
}

/** A section or tab shows while any field inside it shows (the engine folds its condition into its fields). */
export function isNodeVisible(node: LayoutNode, visible: (key: string) => boolean): boolean {
  const keys = nodeFieldKeys(node)
  return keys.length === 0 || keys.some(visible)
}

export function isRequired(field: FormField, evaluation: Pick<Evaluation, 'required'> | null): boolean {
  if (COMPUTED_TYPES.has(field.type) || LAYOUT_TYPES.has(field.type)) return false
  return evaluation?.required[field.key] ?? Boolean(field.required && field.required_when == null)
}

export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true
  if (typeof value === 'string') return value.trim() === ''
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).every(isEmptyValue)
  return false
}

/**
 * What to send: the values the visitor can change, without blanks. Computed fields are the
 * server's; fields hidden or locked by rights are left out (the server keeps a hidden value the
 * viewer never saw, and refuses a change of a locked one); sub-table rows keep their columns.
 */
/** A field whose value the viewer sends: not layout, computed, hidden-typed, read-only or hidden for them. */
export function isEditableField(field: FormField, rights: FieldRights = {}): boolean {
  if (LAYOUT_TYPES.has(field.type) || COMPUTED_TYPES.has(field.type) || field.type === 'hidden') return false
  return !(field.read_only || rights.hidden?.includes(field.key) || rights.readOnly?.includes(field.key))
}

export function submittableValues(schema: FormSchema | null | undefined, model: Record<string, unknown>,
  rights: FieldRights = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of schema?.fields ?? []) {
    if (!isEditableField(field, rights)) continue
    const value = model[field.key]
    if (field.type === 'sub_table') {
      if (!Array.isArray(value) || !value.length) continue
      const columns = subTableColumns(field).filter((c) => !COMPUTED_TYPES.has(c.type) && !LAYOUT_TYPES.has(c.type))
      out[field.key] = value.map((row) => {
        const clean: Record<string, unknown> = {}
        for (const column of columns) {
          const cell = (row as Record<string, unknown>)[column.key]
          if (!isEmptyValue(cell)) clean[column.key] = cell
        }
        return clean
      })
      continue
    }
    if (!isEmptyValue(value)) out[field.key] = value
  }
  return out
}

/**
 * Defaults the server computed for fields the visitor has not filled yet (literal defaults and
 * default formulas): adopted once, from the first evaluation, so a later answer never overwrites
 * what the visitor typed.
 */
export function adoptDefaults(schema: FormSchema | null | undefined, model: Record<string, unknown>,
  evaluated: Record<string, unknown>): Record<string, unknown> {
  const next = { ...model }
  for (const field of schema?.fields ?? []) {
    if (COMPUTED_TYPES.has(field.type) || LAYOUT_TYPES.has(field.type) || field.type === 'hidden') continue
    if (isEmptyValue(next[field.key]) && !isEmptyValue(evaluated[field.key])) next[field.key] = evaluated[field.key]
  }
  return next
}

/** The message of an engine error in the UI language. */
export function messageText(message: FieldMessage, locale: Locale): string {
  return (locale === 'en' ? message.en : message['zh-CN']) || message['zh-CN'] || message.en || message.code
}

/** Field errors of a refused submission: 422 `invalid_data` carries `details.errors` keyed like evaluate. */
export function errorsFromApiError(error: unknown): FieldErrors | null {
  if (!(error instanceof ApiError) || !error.body) return null
  const details = error.body.details
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return null
  const errors = (details as { errors?: unknown }).errors
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) return null
  const out: FieldErrors = {}
  for (const [key, list] of Object.entries(errors as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue
    const messages = list.filter((m): m is FieldMessage => typeof m === 'object' && m !== null && typeof (m as FieldMessage).code === 'string')
    if (messages.length) out[key] = messages
  }
  return out
}

/** The part of an error path that names a top-level field: `items[2].qty` → `items`. */
export function rootKey(path: string): string {
  const at = path.search(/[[.]/)
  return at < 0 ? path : path.slice(0, at)
}

/**
 * Which errors to show now. The engine reports every missing required field at once; showing them
 * before the visitor has touched a field would shout at an empty form. So: errors of touched
 * fields, every error after a submit attempt, and always the errors of a refused submission
 * (until the field changes again).
 */
export function shownErrors(evaluated: FieldErrors, submitted: FieldErrors, touched: ReadonlySet<string>,
  attempted: boolean): FieldErrors {
  const out: FieldErrors = {}
  for (const [path, list] of Object.entries(evaluated)) {
    if (attempted || touched.has(rootKey(path))) out[path] = list
  }
  for (const [path, list] of Object.entries(submitted)) out[path] = list
  return out
}

/** Errors not shown beside any field on the page (unknown keys, hidden fields): listed above the button. */
export function orphanErrors(errors: FieldErrors, placed: ReadonlySet<string>): [string, FieldMessage[]][] {
  return Object.entries(errors).filter(([path]) => !placed.has(rootKey(path)))
}

/** A random id for idempotent submission: a double click or a retried request is one ticket. */
export function newSubmissionId(random: () => number = Math.random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function' && random === Math.random) {
    const bytes = crypto.getRandomValues(new Uint8Array(24))
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
  }
  return Array.from({ length: 24 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
}
