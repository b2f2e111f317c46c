/**
 * The pure model of the form designer (docs/form-designer.md): edits of a form schema — fields and the
 * layout tree of sections, columns and tabs — key generation, mapping the server's problems to fields, and
 * the fields a visibility condition may name. Every edit returns a new schema and never changes its input,
 * so undo, the dirty flag and Vue's reactivity stay simple. Tested in model.test.ts.
 *
 * The schema format is the form engine's (docs/forms.md); the server stays the authority on what is valid
 * (PUT draft reports problems, publish refuses them) — nothing here second-guesses it.
 */
import type { FormField, FormOption, FormSchema, I18nText, LayoutNode } from '@/forms/model'
import type { ConditionField } from '@/conditions/model'

export type { FormField, FormOption, FormSchema, LayoutNode }

export const KEY_RE = /^[a-z][a-z0-9_]{0,62}$/

/** One step into the layout tree: the node at `i` of the current list and, for columns and tabs, which one. */
export interface Step { i: number; sub?: number }
/** A list of layout children: [] is the top level. */
export type ContainerPath = Step[]
/** A place in the layout: a list and an index in it. */
export interface Slot { path: ContainerPath; index: number }

export type ContainerKind = 'section' | 'columns' | 'tabs'
type ObjectNode = Exclude<LayoutNode, string>

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** The schema with an explicit layout of `{type: 'field'}` nodes (an empty layout shows every field in order). */
export function normalizeSchema(input: FormSchema | null | undefined): FormSchema {
  const schema = clone(input ?? {})
  const fields = Array.isArray(schema.fields) ? schema.fields : []
  const layout = Array.isArray(schema.layout) && schema.layout.length
    ? schema.layout
    : fields.map((f) => ({ type: 'field', key: f.key }) as LayoutNode)
  const fix = (nodes: LayoutNode[]): LayoutNode[] => nodes.map((n) => {
    if (typeof n === 'string') return { type: 'field', key: n }
    if (n && n.type === 'section') return { ...n, children: fix(n.children ?? []) }
    if (n && n.type === 'columns') return { ...n, columns: (n.columns ?? []).map((c) => ({ ...c, children: fix(c.children ?? []) })) }
    if (n && n.type === 'tabs') return { ...n, tabs: (n.tabs ?? []).map((tb) => ({ ...tb, children: fix(tb.children ?? []) })) }
    return n
  })
  return { fields, layout: fix(layout), settings: schema.settings ?? {} }
}

/** The children list a path leads to (undefined when the path does not exist). */
export function childrenAt(layout: LayoutNode[], path: ContainerPath): LayoutNode[] | undefined {
  let list: LayoutNode[] | undefined = layout
  for (const step of path) {
    const node: LayoutNode | undefined = list?.[step.i]
    if (!node || typeof node === 'string') return undefined
    if (node.type === 'section') list = node.children ??= []
    else if (node.type === 'columns') list = node.columns?.[step.sub ?? 0] ? (node.columns[step.sub ?? 0]!.children ??= []) : undefined
    else if (node.type === 'tabs') list = node.tabs?.[step.sub ?? 0] ? (node.tabs[step.sub ?? 0]!.children ??= []) : undefined
    else return undefined
  }
  return list
}

export function nodeAt(layout: LayoutNode[], slot: Slot): LayoutNode | undefined {
  return childrenAt(layout, slot.path)?.[slot.index]
}

export function pathKey(path: ContainerPath): string {
  return path.map((s) => (s.sub === undefined ? `${s.i}` : `${s.i}.${s.sub}`)).join('/')
}

export function samePath(a: ContainerPath, b: ContainerPath): boolean {
  return pathKey(a) === pathKey(b)
}

/** True when `inner` is `outer` or lies inside the node at `outer` (a node cannot be dropped into itself). */
function isInside(inner: ContainerPath, outer: Slot): boolean {
  if (inner.length <= outer.path.length) return false
  if (!samePath(inner.slice(0, outer.path.length), outer.path)) return false
  return inner[outer.path.length]!.i === outer.index
}

/** Keys of the fields under a node (layout order). */
export function keysUnder(node: LayoutNode | undefined): string[] {
  if (!node) return []
  if (typeof node === 'string') return [node]
  switch (node.type) {
    case 'field': return [node.key]
    case 'section': return (node.children ?? []).flatMap(keysUnder)
    case 'columns': return (node.columns ?? []).flatMap((c) => (c.children ?? []).flatMap(keysUnder))
    case 'tabs': return (node.tabs ?? []).flatMap((tb) => (tb.children ?? []).flatMap(keysUnder))
    default: return []
  }
}

/** Where the field `key` is placed in the layout. */
export function locate(layout: LayoutNode[], key: string): Slot | null {
  const walk = (list: LayoutNode[], path: ContainerPath): Slot | null => {
    for (let i = 0; i < list.length; i++) {
      const n = list[i]!
      if (typeof n === 'string') {
        if (n === key) return { path, index: i }
        continue
      }
      if (n.type === 'field' && n.key === key) return { path, index: i }
      if (n.type === 'section') {
        const found = walk(n.children ?? [], [...path, { i }])
        if (found) return found
      } else if (n.type === 'columns' || n.type === 'tabs') {
        const parts = n.type === 'columns' ? n.columns ?? [] : n.tabs ?? []
        for (let sub = 0; sub < parts.length; sub++) {
          const found = walk(parts[sub]!.children ?? [], [...path, { i, sub }])
          if (found) return found
        }
      }
    }
    return null
  }
  return walk(layout, [])
}

/** Every key in the form, sub-table columns included (keys are unique across both). */
export function allKeys(schema: FormSchema): Set<string> {
  const keys = new Set<string>()
  for (const f of schema.fields ?? []) {
    keys.add(f.key)
    for (const c of columnsOf(f)) keys.add(c.key)
  }
  return keys
}

export function columnsOf(field: FormField): FormField[] {
  const columns = field.config?.columns
  return Array.isArray(columns) ? (columns as FormField[]) : []
}

/** A field anywhere in the form: top level or a sub-table column (with its table). */
export function findField(schema: FormSchema, key: string): { field: FormField; table?: FormField } | null {
  for (const f of schema.fields ?? []) {
    if (f.key === key) return { field: f }
    const column = columnsOf(f).find((c) => c.key === key)
    if (column) return { field: column, table: f }
  }
  return null
}

// --- keys ----------------------------------------------------------------------------------------

/** A key from an (English) label: `Unit price` → `unit_price`; '' when nothing usable is left. */
export function slugKey(label: string): string {
  const ascii = label.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
  let key = ascii.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/_+/g, '_')
  key = key.replace(/^[0-9_]+/, '')
  return key.slice(0, 40).replace(/_+$/, '')
}

/** A key not yet in `taken`: the label's slug (English label first), else the type, numbered when needed. */
export function generateKey(label: I18nText | undefined, type: string, taken: Set<string>): string {
  const en = typeof label === 'object' && label ? label.en ?? '' : ''
  const zh = typeof label === 'string' ? label : label?.['zh-CN'] ?? ''
  const base = slugKey(en) || slugKey(zh) || slugKey(type) || 'field'
  if (!taken.has(base) && KEY_RE.test(base)) return base
  for (let n = 1; ; n++) {
    const candidate = `${base}_${n}`
    if (!taken.has(candidate)) return candidate
  }
}

/** Why a key cannot be used ('' when it can): format, or taken by another field. */
export function keyProblem(key: string, schema: FormSchema, own?: string): '' | 'format' | 'duplicate' {
  if (!KEY_RE.test(key)) return 'format'
  if (key !== own && allKeys(schema).has(key)) return 'duplicate'
  return ''
}

// --- creating fields -----------------------------------------------------------------------------

export interface FieldTypeInfo {
  type: string
  family: string
  label: Record<string, string>
  has_value: boolean
  computed: boolean
  properties: string[]
  config: { name: string; kind: string; label: Record<string, string>; default: unknown; choices: string[]; required: boolean }[]
}

export const CHOICE_TYPES = new Set(['dropdown', 'radio', 'multi_select', 'checkboxes', 'cascade', 'tags'])

/** A new field of a type, with a unique key and sensible starting content (options, a formula, a column). */
export function newField(info: FieldTypeInfo, schema: FormSchema): FormField {
  const taken = allKeys(schema)
  const label = { 'zh-CN': info.label['zh-CN'] ?? info.type, en: info.label.en ?? info.type }
  const field: FormField = { key: generateKey(label, info.type, taken), type: info.type, label }
  if (info.properties.includes('options') && info.type !== 'tags') {
    field.options = [1, 2, 3].map((n) => ({ value: `选项${n}`, label: { 'zh-CN': `选项${n}`, en: `Option ${n}` } }))
  }
  if (info.type === 'formula') field.formula = ''
  if (info.type === 'serial_number') field.config = { pattern: '{yyyyMMdd}{seq:4}' }
  if (info.type === 'description') field.config = { content: { 'zh-CN': '说明文字', en: 'Description' } }
  if (info.type === 'sub_table') {
    taken.add(field.key)
    const colKey = generateKey({ 'zh-CN': '名称', en: 'Item' }, 'text', taken)
    field.config = { columns: [{ key: colKey, type: 'text', label: { 'zh-CN': '名称', en: 'Item' } }], totals: {} }
  }
  return field
}

export function newContainer(kind: ContainerKind): ObjectNode {
  if (kind === 'section') return { type: 'section', title: { 'zh-CN': '分组', en: 'Section' }, children: [] }
  if (kind === 'columns') return { type: 'columns', columns: [{ span: 12, children: [] }, { span: 12, children: [] }] }
  return { type: 'tabs', tabs: [{ title: { 'zh-CN': '标签页 1', en: 'Tab 1' }, children: [] }, { title: { 'zh-CN': '标签页 2', en: 'Tab 2' }, children: [] }] }
}

// --- edits ---------------------------------------------------------------------------------------

/** Add a field at a slot (the end of the top level when the slot does not exist). */
export function insertField(input: FormSchema, field: FormField, slot?: Slot): FormSchema {
  const schema = normalizeSchema(input)
  schema.fields!.push(clone(field))
  insertNode(schema.layout!, { type: 'field', key: field.key }, slot)
  return sortFieldsByLayout(schema)
}

export function insertContainer(input: FormSchema, kind: ContainerKind, slot?: Slot): FormSchema {
  const schema = normalizeSchema(input)
  insertNode(schema.layout!, newContainer(kind), slot)
  return schema
}

function insertNode(layout: LayoutNode[], node: LayoutNode, slot?: Slot) {
  const list = slot ? childrenAt(layout, slot.path) : undefined
  if (!list) {
    layout.push(node)
    return
  }
  list.splice(Math.max(0, Math.min(slot!.index, list.length)), 0, node)
}

/**
 * Move the node at `from` to `to` (an index in the destination list as it is before the move). Moving a
 * container into itself is refused (the schema comes back unchanged).
 */
export function moveNode(input: FormSchema, from: Slot, to: Slot): FormSchema {
  const schema = normalizeSchema(input)
  const layout = schema.layout!
  if (isInside(to.path, from)) return schema
  const source = childrenAt(layout, from.path)
  const target = childrenAt(layout, to.path)
  if (!source || !target || from.index < 0 || from.index >= source.length) return schema
  // Resolve the destination list before removing (removal shifts indexes of later siblings in the same list).
  let index = to.index
  if (source === target && from.index < index) index -= 1
  // A destination nested after the source in the same parent list shifts when the source is removed.
  const adjusted = adjustPathAfterRemoval(to.path, from)
  const [node] = source.splice(from.index, 1)
  const dest = childrenAt(layout, adjusted)
  if (!dest) return normalizeSchema(input)
  dest.splice(Math.max(0, Math.min(index, dest.length)), 0, node!)
  return sortFieldsByLayout(schema)
}

function adjustPathAfterRemoval(path: ContainerPath, removed: Slot): ContainerPath {
  const depth = removed.path.length
  if (path.length <= depth || !samePath(path.slice(0, depth), removed.path)) return path
  const step = path[depth]!
  if (step.i <= removed.index) return path
  return [...path.slice(0, depth), { ...step, i: step.i - 1 }, ...path.slice(depth + 1)]
}

/**
 * Up or down by one for the keyboard: among its siblings, and out of the container at either end (a field at
 * the top of a section moves just above the section).
 */
export function moveByOne(input: FormSchema, from: Slot, delta: -1 | 1): FormSchema {
  const schema = normalizeSchema(input)
  const list = childrenAt(schema.layout!, from.path)
  if (!list) return schema
  const target = from.index + delta
  if (target >= 0 && target < list.length) {
    return moveNode(schema, from, { path: from.path, index: delta > 0 ? target + 1 : target })
  }
  if (!from.path.length) return schema
  const parentPath = from.path.slice(0, -1)
  const container = from.path[from.path.length - 1]!.i
  return moveNode(schema, from, { path: parentPath, index: delta > 0 ? container + 1 : container })
}

/** Slot of a field or of the node it belongs to after an edit (to keep the selection). */
export function slotOfKey(schema: FormSchema, key: string): Slot | null {
  return locate(schema.layout ?? [], key)
}

/** Remove the node at a slot; a container takes the fields inside it along. */
export function removeNode(input: FormSchema, at: Slot): FormSchema {
  const schema = normalizeSchema(input)
  const list = childrenAt(schema.layout!, at.path)
  if (!list || !list[at.index]) return schema
  const [node] = list.splice(at.index, 1)
  const gone = new Set(keysUnder(node))
  schema.fields = schema.fields!.filter((f) => !gone.has(f.key))
  return schema
}

export function removeField(input: FormSchema, key: string): FormSchema {
  const schema = normalizeSchema(input)
  const slot = locate(schema.layout!, key)
  if (slot) return removeNode(schema, slot)
  schema.fields = schema.fields!.filter((f) => f.key !== key)
  for (const f of schema.fields) {
    const columns = columnsOf(f)
    if (columns.some((c) => c.key === key)) f.config = { ...f.config, columns: columns.filter((c) => c.key !== key) }
  }
  return schema
}

/** A copy of the field right after it, with a fresh key (and fresh column keys for a sub-table). */
export function duplicateField(input: FormSchema, key: string): { schema: FormSchema; key: string } {
  const schema = normalizeSchema(input)
  const original = schema.fields!.find((f) => f.key === key)
  const slot = locate(schema.layout!, key)
  if (!original || !slot) return { schema, key }
  const taken = allKeys(schema)
  const copy = clone(original)
  copy.key = generateKey(undefined, `${key}_copy`, taken)
  taken.add(copy.key)
  if (copy.type === 'sub_table') {
    copy.config = { ...copy.config, columns: columnsOf(copy).map((c) => {
      const k = generateKey(undefined, `${c.key}_copy`, taken)
      taken.add(k)
      return { ...c, key: k }
    }) }
  }
  return { schema: insertField(schema, copy, { path: slot.path, index: slot.index + 1 }), key: copy.key }
}

/** Replace a field's definition (top level or column); a changed key is renamed in the layout too. */
export function updateField(input: FormSchema, key: string, next: FormField): FormSchema {
  const schema = normalizeSchema(input)
  schema.fields = schema.fields!.map((f) => {
    if (f.key === key) return clone(next)
    const columns = columnsOf(f)
    if (columns.some((c) => c.key === key)) return { ...f, config: { ...f.config, columns: columns.map((c) => (c.key === key ? clone(next) : c)) } }
    return f
  })
  if (next.key !== key) renameInLayout(schema.layout!, key, next.key)
  return schema
}

function renameInLayout(nodes: LayoutNode[], from: string, to: string) {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!
    if (typeof n === 'string') {
      if (n === from) nodes[i] = to
    } else if (n.type === 'field') {
      if (n.key === from) n.key = to
    } else if (n.type === 'section') renameInLayout(n.children ?? [], from, to)
    else if (n.type === 'columns') for (const c of n.columns ?? []) renameInLayout(c.children ?? [], from, to)
    else if (n.type === 'tabs') for (const tb of n.tabs ?? []) renameInLayout(tb.children ?? [], from, to)
  }
}

/** Replace a layout container node (section title, columns, tabs …). */
export function updateNode(input: FormSchema, at: Slot, next: LayoutNode): FormSchema {
  const schema = normalizeSchema(input)
  const list = childrenAt(schema.layout!, at.path)
  if (list && list[at.index]) list[at.index] = clone(next)
  return schema
}

/** Keep `fields` in layout order, so a form read without its layout (exports, diffs) reads in the same order. */
export function sortFieldsByLayout(schema: FormSchema): FormSchema {
  const order = new Map((schema.layout ?? []).flatMap(keysUnder).map((k, i) => [k, i] as const))
  const fields = [...(schema.fields ?? [])]
  const rank = (f: FormField) => order.get(f.key) ?? Number.MAX_SAFE_INTEGER
  schema.fields = fields.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f)
  return schema
}

// --- options -------------------------------------------------------------------------------------

/** A value not yet used among sibling options: the label itself when free. */
export function newOptionValue(options: FormOption[], label: string): string {
  const used = new Set(options.map((o) => o.value))
  if (label && !used.has(label)) return label
  for (let n = options.length + 1; ; n++) if (!used.has(`选项${n}`)) return `选项${n}`
}

/** Every option value in a (cascade) tree, for duplicate hints. */
export function duplicateOptionValues(options: FormOption[]): string[] {
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (const o of options) {
    if (seen.has(o.value)) dup.add(o.value)
    seen.add(o.value)
  }
  return [...dup]
}

// --- problems from the server -------------------------------------------------------------------

export interface Problem { path: string; code: string; message: string }

/**
 * The field key a problem's path points at (`fields[3].formula` → the key of fields[3];
 * `fields[2].config.columns[0].formula` → that column's key), or null for layout and settings problems.
 */
export function problemFieldKey(schema: FormSchema, path: string): string | null {
  const m = /^fields\[(\d+)\](?:\.config\.columns\[(\d+)\])?/.exec(path)
  if (!m) return null
  const field = schema.fields?.[Number(m[1])]
  if (!field) return null
  if (m[2] !== undefined) return columnsOf(field)[Number(m[2])]?.key ?? field.key
  return field.key
}

/** The property a problem is about (`formula`, `options`, `visible_when`, `config.scale`, `key` …). */
export function problemProperty(path: string): string {
  const rest = path.replace(/^fields\[\d+\](?:\.config\.columns\[\d+\])?\.?/, '')
  const m = /^(config\.[a-z_]+|[a-z_]+)/.exec(rest)
  return m ? m[1]! : ''
}

/** Problems grouped by field key; the rest (layout, settings) under ''. */
export function problemsByField(schema: FormSchema, problems: Problem[]): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>()
  for (const p of problems) {
    const key = problemFieldKey(schema, p.path) ?? ''
    out.set(key, [...(out.get(key) ?? []), p])
  }
  return out
}

/** Half of a bilingual server message ("中文 / English") for the UI language. */
export function messageFor(message: string, locale: string): string {
  const i = message.indexOf(' / ')
  if (i < 0) return message
  return locale === 'en' ? message.slice(i + 3) : message.slice(0, i)
}

// --- conditions over the form's own fields ------------------------------------------------------

const COND_TEXT = new Set(['text', 'textarea', 'rich_text', 'email', 'url', 'hidden', 'phone', 'id_card', 'uscc', 'order_number',
  'serial_number', 'related_ticket', 'time'])
const COND_NUMBER = new Set(['integer', 'number', 'money', 'percent', 'rating', 'nps', 'slider'])
const COND_MULTI = new Set(['multi_select', 'checkboxes', 'tags', 'cascade', 'china_region', 'address', 'multi_user'])
const COND_ID = new Set(['user', 'department', 'customer', 'product'])
const FORMULA_RESULT: Record<string, string> = { number: 'number', integer: 'number', money: 'number', percent: 'number', text: 'text',
  date: 'date', datetime: 'datetime', time: 'text', boolean: 'bool' }

/** How the condition format sees a field type (mirrors `forms/expr.py` condition_type). */
export function conditionType(field: FormField): string {
  const t = field.type
  if (COND_TEXT.has(t)) return 'text'
  if (COND_NUMBER.has(t)) return 'number'
  if (t === 'dropdown' || t === 'radio') return 'choice'
  if (COND_MULTI.has(t)) return 'multi'
  if (COND_ID.has(t)) return 'id'
  if (t === 'switch') return 'bool'
  if (t === 'date') return 'date'
  if (t === 'datetime') return 'datetime'
  if (t === 'formula') return FORMULA_RESULT[String(field.config?.result_type ?? 'number')] ?? 'number'
  return 'any'
}

export function textOf(text: I18nText | undefined, locale: string, fallback = ''): string {
  if (!text) return fallback
  if (typeof text === 'string') return text
  return text[locale] || text['zh-CN'] || text.en || fallback
}

/**
 * The fields a visibility condition may name, as the condition builder takes them: the form's top-level
 * fields with a value (the engine's record catalog, keys without `data.`), except `exclude` (a field's own
 * key). Choice fields carry their option values and labels.
 */
export function conditionFields(schema: FormSchema, locale: string, exclude?: string): ConditionField[] {
  return (schema.fields ?? [])
    .filter((f) => f.key !== exclude && f.type !== 'divider' && f.type !== 'description')
    .map((f) => {
      const out: ConditionField = {
        name: f.key, type: conditionType(f), label: `${textOf(f.label, 'zh-CN', f.key)}`, label_en: textOf(f.label, 'en', f.key),
      }
      if (f.type === 'dropdown' || f.type === 'radio') {
        out.choices = (f.options ?? []).map((o) => o.value)
        out.choice_labels = Object.fromEntries((f.options ?? []).map((o) => [o.value, textOf(o.label, locale, o.value)]))
      }
      return out
    })
}
