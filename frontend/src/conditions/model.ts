/**
 * The one condition format (docs/conditions.md) as the condition builder edits it.
 *
 * Server format (JSON):  {"all": [...]}  {"any": [...]}  {"not": {...}}
 *                        {"field": f, "op": o, "value": v}   {"formula": "..."}
 *
 * The builder works on a tree of the same shape with ids (`fromServer`) and writes it back with
 * `toServer`; the two are exact inverses, so a condition saved elsewhere (rules, SLA policies,
 * a view) round-trips without change — including `{"not": {"not": …}}`, a leaf as the root, empty
 * groups, unknown fields and values of any JSON type. Pure functions only (tested in model.test.ts).
 */

export type FieldType = 'text' | 'number' | 'bool' | 'datetime' | 'date' | 'choice' | 'multi' | 'id' | 'tree' | 'any'

/** How a value is picked, beyond its type: who/which department/category/team/region. */
export type Picker = 'user' | 'team' | 'department' | 'category' | 'category-id' | 'region' | 'product-line'

/** A field the builder offers: the server's `FieldCatalog.describe()` plus an optional picker. */
export interface ConditionField {
  name: string
  type: FieldType | string
  label: string
  label_en?: string
  operators?: string[]
  choices?: string[]
  /** Labels of `choices` by value (a form's options), shown instead of the bare values. */
  choice_labels?: Record<string, string>
  queryable?: boolean
  picker?: Picker
}

/** The operators of each type, in the order the server lists them (expressions/fields.py). */
export const OPERATORS: Record<FieldType, readonly string[]> = {
  text: ['eq', 'ne', 'in', 'not_in', 'contains', 'not_contains', 'starts_with', 'any_keyword', 'is_empty', 'is_not_empty'],
  choice: ['eq', 'ne', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  id: ['eq', 'ne', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  bool: ['eq', 'ne', 'is_empty', 'is_not_empty'],
  datetime: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'before', 'after', 'within_last', 'within_next', 'is_empty', 'is_not_empty'],
  date: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'before', 'after', 'within_last', 'within_next', 'is_empty', 'is_not_empty'],
  multi: ['contains', 'not_contains', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  tree: ['eq', 'ne', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  any: ['is_empty', 'is_not_empty'],
}

export const FIELD_TYPES = Object.keys(OPERATORS) as FieldType[]

export function isFieldType(type: string): type is FieldType {
  return (FIELD_TYPES as string[]).includes(type)
}

/** The operators a field allows: what the server said, else those of its type. */
export function operatorsFor(field: ConditionField | undefined): string[] {
  if (!field) return []
  if (field.operators?.length) return [...field.operators]
  return isFieldType(field.type) ? [...OPERATORS[field.type]] : []
}

/** What the value editor of (type, operator) edits. */
export type ValueKind = 'none' | 'scalar' | 'list' | 'range' | 'duration' | 'bool' | 'keywords'

export function valueKind(type: string, op: string): ValueKind {
  if (op === 'is_empty' || op === 'is_not_empty') return 'none'
  if (op === 'in' || op === 'not_in') return 'list'
  if (op === 'between') return 'range'
  if (op === 'within_last' || op === 'within_next') return 'duration'
  if (op === 'any_keyword') return 'keywords'
  if (type === 'bool') return 'bool'
  return 'scalar'
}

/** The scalar's own type: what one element of a list or one end of a range is. */
export function scalarKind(type: string): 'text' | 'number' | 'date' | 'datetime' | 'choice' | 'id' | 'tree' | 'bool' {
  switch (type) {
    case 'number': return 'number'
    case 'date': return 'date'
    case 'datetime': return 'datetime'
    case 'choice': return 'choice'
    case 'id': return 'id'
    case 'tree': return 'tree'
    case 'bool': return 'bool'
    default: return 'text'
  }
}

const DURATION_RE = /^\d+(\.\d+)?\s*[smhdw]$/

export function isDuration(value: unknown): boolean {
  return typeof value === 'string' && DURATION_RE.test(value.trim())
}

export function splitDuration(value: unknown): { amount: number; unit: string } {
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim()) : null
  return m ? { amount: Number(m[1]), unit: m[2]! } : { amount: 7, unit: 'd' }
}

/** A sensible starting value for (type, op), or the old value carried over when it still fits. */
export function coerceValue(type: string, op: string, old: unknown): unknown {
  const kind = valueKind(type, op)
  switch (kind) {
    case 'none':
      return undefined
    case 'bool':
      return typeof old === 'boolean' ? old : true
    case 'duration':
      return isDuration(old) ? old : '7d'
    case 'list':
    case 'keywords':
      if (Array.isArray(old)) return old
      if (kind === 'keywords' && typeof old === 'string') return old
      return old === undefined || old === null || old === '' ? [] : [old]
    case 'range':
      if (Array.isArray(old) && old.length === 2) return old
      return [Array.isArray(old) ? (old[0] ?? null) : (old ?? null), null]
    default:
      if (Array.isArray(old)) return old.length ? old[0] : defaultScalar(type)
      if (typeof old === 'boolean') return defaultScalar(type)
      return old === undefined ? defaultScalar(type) : old
  }
}

function defaultScalar(type: string): unknown {
  return type === 'number' || type === 'id' ? null : ''
}

/** Whether a value is complete enough to save (the server checks everything again). */
export function valueReady(type: string, op: string, value: unknown): boolean {
  const kind = valueKind(type, op)
  const filled = (v: unknown) => v !== undefined && v !== null && v !== '' && !(typeof v === 'number' && Number.isNaN(v))
  switch (kind) {
    case 'none': return true
    case 'bool': return typeof value === 'boolean'
    case 'duration': return isDuration(value)
    case 'list': return Array.isArray(value) && value.length > 0 && value.every(filled)
    case 'keywords': return (Array.isArray(value) && value.length > 0) || (typeof value === 'string' && value.trim() !== '')
    case 'range': return Array.isArray(value) && value.length === 2 && value.every(filled)
    default: return filled(value) || (type === 'text' && value === '' && (op === 'contains' || op === 'eq' || op === 'ne'))
  }
}

// --- the tree --------------------------------------------------------------------------------

export type ServerCondition = Record<string, unknown>

export interface GroupNode { kind: 'group'; id: number; mode: 'all' | 'any'; children: EditorNode[] }
export interface NotNode { kind: 'not'; id: number; child: EditorNode }
export interface RuleNode { kind: 'rule'; id: number; field: string; op: string; value: unknown; hasValue: boolean }
export interface FormulaNode { kind: 'formula'; id: number; formula: string }
/** A node the builder cannot show as a form (a malformed part): kept verbatim, edited as JSON. */
export interface RawNode { kind: 'raw'; id: number; json: unknown }
export type EditorNode = GroupNode | NotNode | RuleNode | FormulaNode | RawNode

let nextId = 1
export function newId(): number {
  return nextId++
}

export function emptyGroup(mode: 'all' | 'any' = 'all'): GroupNode {
  return { kind: 'group', id: newId(), mode, children: [] }
}

export function newRule(field: ConditionField | undefined): RuleNode {
  const op = operatorsFor(field)[0] ?? 'eq'
  const type = field?.type ?? 'text'
  const value = coerceValue(type, op, undefined)
  return { kind: 'rule', id: newId(), field: field?.name ?? '', op, value, hasValue: value !== undefined }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The server's JSON → the editor tree. Anything malformed becomes a raw node (kept verbatim). */
export function fromServer(condition: unknown): EditorNode {
  return condition === null || condition === undefined ? emptyGroup() : parseNode(condition)
}

function parseNode(condition: unknown): EditorNode {
  if (!isPlainObject(condition)) return { kind: 'raw', id: newId(), json: condition }
  const keys = Object.keys(condition)
  if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any') && Array.isArray(condition[keys[0]])) {
    const mode = keys[0] as 'all' | 'any'
    return { kind: 'group', id: newId(), mode, children: (condition[mode] as unknown[]).map(parseNode) }
  }
  if (keys.length === 1 && keys[0] === 'not' && isPlainObject(condition.not)) {
    return { kind: 'not', id: newId(), child: parseNode(condition.not) }
  }
  if (keys.length === 1 && keys[0] === 'formula' && typeof condition.formula === 'string') {
    return { kind: 'formula', id: newId(), formula: condition.formula }
  }
  const leafKeys = keys.filter((k) => k !== 'value')
  if (leafKeys.length === 2 && leafKeys.includes('field') && leafKeys.includes('op')
      && typeof condition.field === 'string' && typeof condition.op === 'string') {
    const hasValue = 'value' in condition
    return { kind: 'rule', id: newId(), field: condition.field, op: condition.op, value: hasValue ? condition.value : undefined, hasValue }
  }
  return { kind: 'raw', id: newId(), json: condition }
}

/** The editor tree → the server's JSON (the exact inverse of `fromServer`). */
export function toServer(node: EditorNode): ServerCondition {
  switch (node.kind) {
    case 'group':
      return { [node.mode]: node.children.map(toServer) }
    case 'not':
      return { not: toServer(node.child) }
    case 'formula':
      return { formula: node.formula }
    case 'raw':
      return node.json as ServerCondition
    case 'rule': {
      const out: ServerCondition = { field: node.field, op: node.op }
      if (node.hasValue && node.value !== undefined) out.value = node.value
      return out
    }
  }
}

/** Set a rule's operator, converting its value to what the new operator takes. */
export function changeOperator(rule: RuleNode, op: string, field: ConditionField | undefined): RuleNode {
  const value = coerceValue(field?.type ?? 'text', op, rule.value)
  return { ...rule, op, value, hasValue: value !== undefined }
}

/** Set a rule's field: the operator is kept when the new field allows it, the value when it fits. */
export function changeField(rule: RuleNode, field: ConditionField | undefined, previous?: ConditionField): RuleNode {
  const ops = operatorsFor(field)
  const op = ops.includes(rule.op) ? rule.op : (ops[0] ?? 'eq')
  const sameType = !!field && !!previous && field.type === previous.type && field.picker === previous.picker
  const value = coerceValue(field?.type ?? 'text', op, sameType ? rule.value : undefined)
  return { ...rule, field: field?.name ?? '', op, value, hasValue: value !== undefined }
}

/** Problems the builder can see before the server does (unknown field, operator, missing value). */
export interface LocalProblem { id: number; code: 'unknown_field' | 'operator_not_allowed' | 'missing_value' | 'formula_not_allowed' | 'empty_formula' }

export function localProblems(node: EditorNode, fields: ConditionField[], allowFormula = true): LocalProblem[] {
  const byName = new Map(fields.map((f) => [f.name, f]))
  const out: LocalProblem[] = []
  const walk = (n: EditorNode) => {
    if (n.kind === 'group') n.children.forEach(walk)
    else if (n.kind === 'not') walk(n.child)
    else if (n.kind === 'formula') {
      if (!allowFormula) out.push({ id: n.id, code: 'formula_not_allowed' })
      else if (!n.formula.trim()) out.push({ id: n.id, code: 'empty_formula' })
    } else if (n.kind === 'rule') {
      const field = byName.get(n.field)
      if (!field && !n.field.startsWith('data.')) out.push({ id: n.id, code: 'unknown_field' })
      else if (field && !operatorsFor(field).includes(n.op)) out.push({ id: n.id, code: 'operator_not_allowed' })
      else if (!valueReady(field?.type ?? 'text', n.op, n.value)) out.push({ id: n.id, code: 'missing_value' })
    }
  }
  walk(node)
  return out
}

/** Count of leaves (rules and formulas): "3 conditions" in a summary. */
export function countLeaves(node: EditorNode): number {
  switch (node.kind) {
    case 'group': return node.children.reduce((n, c) => n + countLeaves(c), 0)
    case 'not': return countLeaves(node.child)
    case 'raw': return 1
    default: return 1
  }
}

/** True for `{"all": []}` and the like: a condition that filters nothing. */
export function isEmptyCondition(condition: unknown): boolean {
  return isPlainObject(condition) && Object.keys(condition).length === 1 && Array.isArray(condition.all) && condition.all.length === 0
}

/** Parse JSON text typed in raw mode: the condition, or the parser's message. */
export function parseRaw(text: string): { ok: true; value: ServerCondition } | { ok: false; error: string } {
  try {
    const value: unknown = JSON.parse(text)
    if (!isPlainObject(value)) return { ok: false, error: 'not_object' }
    return { ok: true, value }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }
}

/** Leaves that compare one field with AND at the top level — e.g. quick filters → a condition. */
export function andConditions(parts: ServerCondition[]): ServerCondition {
  const flat: unknown[] = []
  for (const part of parts) {
    if (isPlainObject(part) && Object.keys(part).length === 1 && Array.isArray(part.all)) flat.push(...part.all)
    else flat.push(part)
  }
  return { all: flat }
}
