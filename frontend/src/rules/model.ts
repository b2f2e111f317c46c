/**
 * The rules editor's pure logic (docs/rules.md, "Rules editor"): the parameter form of an action generated
 * from its type's parameter description (`GET /rule-action-types` → `params`), turning what the form holds
 * into the action's `params` and back, local problems, moving rules and actions, and sorting the server's
 * 422 problems (`details.problems[].path`, JSON Pointers into the rule) to the part of the editor they concern.
 * No Vue here: tested in model.test.ts.
 */
import { moveItem } from '@/shared/list'

export interface ParamChoice { value: string; label: string; label_en: string }

/** One parameter as the server describes it (`ActionParamOut`). */
export interface ParamSpec {
  name: string
  kind: string
  label: string
  label_en: string
  required: boolean
  choices: ParamChoice[]
  show_if: Record<string, unknown[]>
  help: string
  help_en: string
  minimum?: number | null
  maximum?: number | null
  default?: unknown
}

export interface ActionTypeSpec { type: string; label: string; label_en: string; params: ParamSpec[] }

export interface RuleAction { type: string; params: Record<string, unknown> }

/** One row of a `fields` parameter (set_fields): field name and value (text; JSON when it parses as such). */
export interface FieldRow { name: string; value: string }

/** An action in the editor: its type, the form's values (by parameter name), or JSON text for a type
 * without a parameter description (or one whose params the form cannot show). */
export interface EditorAction {
  uid: number
  type: string
  values: Record<string, unknown>
  /** Params the form does not know, kept as they were (an action saved by an older version, by the API). */
  extra: Record<string, unknown>
  json: string | null
}

let nextUid = 1

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
    || (typeof value === 'object' && !Array.isArray(value) && value !== null && Object.keys(value).length === 0)
}

/** Is the parameter shown for these values? (`show_if`: every named parameter has one of its values.) */
export function isShown(spec: ParamSpec, values: Record<string, unknown>): boolean {
  return Object.entries(spec.show_if ?? {}).every(([name, allowed]) => allowed.includes(values[name] as never))
}

export function visibleParams(specs: ParamSpec[], values: Record<string, unknown>): ParamSpec[] {
  return specs.filter((s) => isShown(s, values))
}

/** `{a: 1}` ↔ rows for the `fields` editor; a row's value is JSON when it parses, else text. */
export function fieldsToRows(value: unknown): FieldRow[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return []
  return Object.entries(value as Record<string, unknown>).map(([name, v]) => ({
    name, value: typeof v === 'string' ? v : JSON.stringify(v),
  }))
}

export function rowsToFields(rows: FieldRow[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const row of rows) {
    const name = row.name.trim()
    if (!name) continue
    out[name] = parseLoose(row.value)
  }
  return out
}

/** Numbers, true/false, null, arrays and objects as JSON; anything else is the text itself. */
export function parseLoose(text: string): unknown {
  const t = text.trim()
  if (t === '') return ''
  if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(t) || t.startsWith('[') || t.startsWith('{')) {
    try { return JSON.parse(t) } catch { return text }
  }
  return text
}

/** The form's value of one parameter, from the stored params (rows for `fields`, lists for tags). */
function formValue(spec: ParamSpec, raw: unknown): unknown {
  if (spec.kind === 'fields') return fieldsToRows(raw)
  if (spec.kind === 'tags' || spec.kind === 'roles') return Array.isArray(raw) ? raw.map(String) : []
  if (spec.kind === 'users') return Array.isArray(raw) ? raw : []
  if (spec.kind === 'json') return raw === undefined ? '' : JSON.stringify(raw, null, 2)
  return raw
}

/** Can the form show this stored value for the parameter? (Otherwise the action is edited as JSON.) */
function fits(spec: ParamSpec, raw: unknown): boolean {
  if (raw === undefined || raw === null) return true
  switch (spec.kind) {
    case 'number': return typeof raw === 'number'
    case 'bool': return typeof raw === 'boolean'
    case 'tags': case 'roles': return Array.isArray(raw) && raw.every((x) => typeof x === 'string')
    case 'users': return Array.isArray(raw) && raw.every((x) => typeof x === 'number')
    case 'fields': return typeof raw === 'object' && !Array.isArray(raw)
    case 'json': return true
    case 'choice': return typeof raw === 'string' && (!spec.choices.length || spec.choices.some((c) => c.value === raw))
    case 'user': case 'team': case 'department': case 'sla_policy': return typeof raw === 'string' || typeof raw === 'number'
    default: return typeof raw === 'string'
  }
}

/** An editor action from a stored one. Params the spec does not describe stay in `extra` (sent back as they
 * were); a type without a spec, or a value the form cannot show, is edited as JSON. */
export function toEditorAction(action: RuleAction, types: ActionTypeSpec[]): EditorAction {
  const spec = types.find((t) => t.type === action.type)
  const params = (action.params && typeof action.params === 'object' ? action.params : {}) as Record<string, unknown>
  const uid = nextUid++
  if (!spec || !spec.params.length || spec.params.some((p) => !fits(p, params[p.name]))) {
    return { uid, type: action.type, values: {}, extra: {}, json: JSON.stringify(params, null, 2) }
  }
  const values: Record<string, unknown> = {}
  const extra: Record<string, unknown> = {}
  for (const p of spec.params) values[p.name] = formValue(p, params[p.name])
  for (const [k, v] of Object.entries(params)) if (!spec.params.some((p) => p.name === k)) extra[k] = v
  return { uid, type: action.type, values, extra, json: null }
}

/** A new action of a type: the parameters' defaults. */
export function newEditorAction(type: string, types: ActionTypeSpec[]): EditorAction {
  const spec = types.find((t) => t.type === type)
  if (!spec || !spec.params.length) return { uid: nextUid++, type, values: {}, extra: {}, json: '{}' }
  const values: Record<string, unknown> = {}
  for (const p of spec.params) values[p.name] = formValue(p, p.default ?? undefined)
  return { uid: nextUid++, type, values, extra: {}, json: null }
}

/** What the server gets: shown parameters with a value (hidden ones and empty optional ones are left out,
 * as `validate` expects: `assign` to a team sends no `user`), plus the kept extras. JSON text that does not
 * parse gives `null` params, which `actionProblems` reports. */
export function toServerAction(action: EditorAction, types: ActionTypeSpec[]): RuleAction {
  if (action.json !== null) {
    try {
      const parsed: unknown = JSON.parse(action.json || '{}')
      return { type: action.type, params: parsed as Record<string, unknown> }
    } catch {
      return { type: action.type, params: null as unknown as Record<string, unknown> }
    }
  }
  const spec = types.find((t) => t.type === action.type)
  const params: Record<string, unknown> = { ...action.extra }
  for (const p of visibleParams(spec?.params ?? [], action.values)) {
    let value = action.values[p.name]
    if (p.kind === 'fields') value = rowsToFields((value as FieldRow[] | undefined) ?? [])
    else if (p.kind === 'tags') value = ((value as string[] | undefined) ?? []).map((t) => t.trim()).filter(Boolean)
    else if (p.kind === 'json') {
      const text = String(value ?? '').trim()
      if (!text) continue
      try { value = JSON.parse(text) } catch { value = text }
    } else if (typeof value === 'string' && p.kind !== 'textarea') value = value.trim()
    if (isEmpty(value)) continue
    params[p.name] = value
  }
  return { type: action.type, params }
}

export type LocalActionProblem = { param: string | null; code: 'required' | 'json' | 'range' | 'unknown_type' }

/** What the editor can tell before asking the server: a missing required parameter, JSON that does not
 * parse, a number out of its range, an unknown type. The server's `validate` stays the authority. */
export function actionProblems(action: EditorAction, types: ActionTypeSpec[]): LocalActionProblem[] {
  const spec = types.find((t) => t.type === action.type)
  if (!spec) return [{ param: null, code: 'unknown_type' }]
  if (action.json !== null) {
    try {
      const parsed: unknown = JSON.parse(action.json || '{}')
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? [] : [{ param: null, code: 'json' }]
    } catch {
      return [{ param: null, code: 'json' }]
    }
  }
  const sent = toServerAction(action, types).params
  const out: LocalActionProblem[] = []
  for (const p of visibleParams(spec.params, action.values)) {
    const value = sent[p.name]
    if (p.required && isEmpty(value)) out.push({ param: p.name, code: 'required' })
    if (p.kind === 'number' && typeof value === 'number'
      && ((p.minimum != null && value < p.minimum) || (p.maximum != null && value > p.maximum))) {
      out.push({ param: p.name, code: 'range' })
    }
  }
  return out
}

/** Where a dragged row lands: dropping on the upper half of a row puts it before that row, on the lower half
 * after it; the index is in the list after removing the dragged row. */
export function dropIndex(from: number, over: number, lowerHalf: boolean): number {
  let to = lowerHalf ? over + 1 : over
  if (from < to) to -= 1
  return to
}

/** The ids in their new order, or null when nothing moved (no request needed). */
export function reorderedIds<T extends { id: number }>(rules: readonly T[], from: number, to: number): number[] | null {
  const moved = moveItem(rules, from, to)
  return moved === rules ? null : moved.map((r) => r.id)
}

/** A server problem (`details.problems[]`). */
export interface ServerProblem { path: string; code?: string; message: string }

/** The server's problems sorted to the editor's parts: `name`, `name_en`, `description`, `events`, `condition`
 * (with its own path inside the condition), `actions[i]` and whatever else (`other`). */
export interface SortedProblems {
  fields: Record<string, string[]>
  condition: ServerProblem[]
  actions: Record<number, string[]>
  other: string[]
}

export function sortProblems(problems: ServerProblem[]): SortedProblems {
  const out: SortedProblems = { fields: {}, condition: [], actions: {}, other: [] }
  for (const p of problems) {
    const parts = p.path.split('/').slice(1)
    const head = parts[0] ?? ''
    if (head === 'condition') out.condition.push({ ...p, path: '/' + parts.slice(1).join('/') })
    else if (head === 'actions' && parts[1] !== undefined && /^\d+$/.test(parts[1])) {
      (out.actions[Number(parts[1])] ??= []).push(p.message)
    } else if (['name', 'name_en', 'description', 'events', 'order', 'stop_after', 'enabled', 'actions'].includes(head)) {
      (out.fields[head] ??= []).push(p.message)
    } else out.other.push(p.message)
  }
  return out
}

/** `details.problems` of an API error body, when it has them. */
export function problemsOf(details: unknown): ServerProblem[] {
  if (typeof details !== 'object' || details === null) return []
  const list = (details as { problems?: unknown }).problems
  if (!Array.isArray(list)) return []
  return list.filter((p): p is ServerProblem => typeof p === 'object' && p !== null
    && typeof (p as ServerProblem).path === 'string' && typeof (p as ServerProblem).message === 'string')
}

/** The rule list's filter: by trigger event and by enabled state. */
export function filterRules<T extends { events: string[]; enabled: boolean }>(
  rules: readonly T[], event: string, enabled: '' | 'on' | 'off',
): T[] {
  return rules.filter((r) => (!event || r.events.includes(event))
    && (enabled === '' || (enabled === 'on' ? r.enabled : !r.enabled)))
}

/** A short text of an action's parameters for the list and the dry run ("team: 售后一组, strategy: …"). */
export function summarizeParams(params: Record<string, unknown>): string {
  return Object.entries(params ?? {}).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')
}
