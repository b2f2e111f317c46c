/**
 * The process designer's pure model: our `cd:*` BPMN extension properties (docs/workflows.md) as a
 * moddle descriptor and as plain values read from / written to a BPMN business object, assignee rules,
 * field rights, the server's problems by element, copying a definition under a new key, and the
 * element-level diff of two versions. No Vue and no bpmn-js here (tested in model.test.ts).
 */

export const CD_URI = 'https://complaintdesk.dev/bpmn'

/** The properties, in the order the shipped processes write them. `ticketStatus` is plain text, the others JSON. */
export const CD_PROPS = ['assignee', 'multi', 'cc', 'fieldRights', 'deadline', 'ticketStatus', 'outcomes', 'essential'] as const
export type CdProp = (typeof CD_PROPS)[number]
const TEXT_PROPS: ReadonlySet<string> = new Set(['ticketStatus'])

const typeName = (prop: string) => prop[0]!.toUpperCase() + prop.slice(1)

/**
 * The moddle extension: each property is an element `cd:<prop>` whose body is the value's text. With
 * `tagAlias: lowerCase` the type `cd:FieldRights` is written as `<cd:fieldRights>`, as the server reads it.
 */
export const cdDescriptor = {
  name: 'ComplaintDesk',
  uri: CD_URI,
  prefix: 'cd',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  enumerations: [],
  types: CD_PROPS.map((p) => ({
    name: typeName(p),
    superClass: ['Element'],
    properties: [{ name: 'value', type: 'String', isBody: true }],
  })),
}

/** What we need of a moddle element (bpmn-js business objects and bpmn-moddle elements alike). */
export interface ModdleElement {
  $type: string
  $instanceOf?: (type: string) => boolean
  get?: (name: string) => unknown
  [key: string]: unknown
}
export interface ModdleFactory { create(type: string, attrs?: Record<string, unknown>): ModdleElement }

export type CdValues = Partial<Record<CdProp, unknown>>

function propOf(el: ModdleElement): CdProp | null {
  const m = /^cd:(.+)$/.exec(el.$type)
  if (!m) return null
  const name = m[1]![0]!.toLowerCase() + m[1]!.slice(1)
  return (CD_PROPS as readonly string[]).includes(name) ? (name as CdProp) : null
}

function extensionValues(bo: ModdleElement): ModdleElement[] {
  const ext = bo.extensionElements as { values?: ModdleElement[] } | undefined
  return ext?.values ?? []
}

/** The `cd:*` values of an element (JSON parsed), and the names whose JSON is broken (kept as text). */
export function readCd(bo: ModdleElement): { values: CdValues; broken: Partial<Record<CdProp, string>> } {
  const values: CdValues = {}
  const broken: Partial<Record<CdProp, string>> = {}
  for (const el of extensionValues(bo)) {
    const prop = propOf(el)
    if (!prop) continue
    const text = String(el.value ?? '').trim()
    if (TEXT_PROPS.has(prop)) {
      values[prop] = text
      continue
    }
    try {
      values[prop] = JSON.parse(text)
    } catch {
      broken[prop] = text
    }
  }
  return { values, broken }
}

/** The text a property is stored as. */
export function cdText(prop: CdProp, value: unknown): string {
  return TEXT_PROPS.has(prop) ? String(value) : JSON.stringify(value)
}

/** Is a value "not set" (the element is removed)? */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '' ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0)
}

/**
 * The new `extensionElements.values` of `bo` with `changes` applied: a changed property's element gets the new
 * text in place, a new one is added in CD_PROPS order after the existing `cd:*` ones, an unset one is removed.
 * Everything else in extensionElements (other namespaces, documentation of tools) is kept as it was.
 */
export function applyCd(bo: ModdleElement, changes: CdValues, moddle: ModdleFactory): ModdleElement[] {
  const out: ModdleElement[] = []
  const seen = new Set<CdProp>()
  for (const el of extensionValues(bo)) {
    const prop = propOf(el)
    if (!prop || !(prop in changes)) {
      out.push(el)
      continue
    }
    seen.add(prop)
    const value = changes[prop]
    if (isUnset(value)) continue
    out.push(moddle.create(`cd:${typeName(prop)}`, { value: cdText(prop, value) }))
  }
  for (const prop of CD_PROPS) {
    if (!(prop in changes) || seen.has(prop) || isUnset(changes[prop])) continue
    out.push(moddle.create(`cd:${typeName(prop)}`, { value: cdText(prop, changes[prop]) }))
  }
  return out
}

// --- assignee rules ------------------------------------------------------------------------------

export const RULE_TYPES = ['role', 'users', 'department_head', 'departments', 'team', 'field', 'initiator', 'node_handler'] as const
export type RuleType = (typeof RULE_TYPES)[number]
export type AssigneeRule = Record<string, unknown> & { type?: string }
export const TEAM_STRATEGIES = ['pool', 'round_robin', 'least_loaded', 'skill', 'account_owner'] as const
export const TIMEOUT_ACTIONS = ['remind', 'escalate', 'transfer', 'approve'] as const
export const FIELD_ACCESS = ['hidden', 'visible', 'readonly', 'editable', 'required'] as const
export type FieldAccess = (typeof FIELD_ACCESS)[number]

/** A fresh rule of a type, keeping what still applies from the previous one. */
export function ruleOfType(type: RuleType, previous?: AssigneeRule | null): AssigneeRule {
  const keep = (key: string, fallback: unknown) => (previous && previous[key] !== undefined ? previous[key] : fallback)
  switch (type) {
    case 'role': return { type, role: keep('role', ''), within: keep('within', 'all') }
    case 'users': return { type, users: keep('users', []) }
    case 'department_head': return { type, of: keep('of', 'ticket') }
    case 'departments': {
      const rule: AssigneeRule = { type, departments: keep('departments', []) }
      if (previous?.role) rule.role = previous.role
      return rule
    }
    case 'team': return { type, team: keep('team', ''), strategy: keep('strategy', 'pool') }
    case 'field': return { type, field: keep('field', '') }
    case 'initiator': return { type }
    case 'node_handler': return { type, node: keep('node', '') }
  }
}

/** The shape problems of a rule the form can show at once (mirrors the server's check_assignee_rule). */
export function ruleProblems(rule: AssigneeRule | null | undefined): string[] {
  if (!rule || typeof rule !== 'object') return ['missing']
  const nonEmptyList = (k: string) => Array.isArray(rule[k]) && (rule[k] as unknown[]).length > 0
  const nonEmpty = (k: string) => typeof rule[k] === 'string' ? (rule[k] as string).trim() !== '' : typeof rule[k] === 'number'
  switch (rule.type) {
    case 'users': return nonEmptyList('users') ? [] : ['users']
    case 'departments': return nonEmptyList('departments') ? [] : ['departments']
    case 'role': return nonEmpty('role') ? [] : ['role']
    case 'team': return nonEmpty('team') ? [] : ['team']
    case 'field': return nonEmpty('field') ? [] : ['field']
    case 'node_handler': return nonEmpty('node') ? [] : ['node']
    case 'department_head': return rule.of === 'ticket' || rule.of === 'customer_region' ? [] : ['of']
    case 'initiator': return []
    default: return ['type']
  }
}

// --- field rights --------------------------------------------------------------------------------

export interface FieldRow { key: string; label: string; known: boolean }

/** The grid's rows: the form's fields, then fields the node names that the form lacks (kept, marked unknown). */
export function fieldRows(formFields: Array<{ key: string; label: string }>, rights: Record<string, string> | undefined): FieldRow[] {
  const rows: FieldRow[] = formFields.map((f) => ({ key: f.key, label: f.label, known: true }))
  const known = new Set(rows.map((r) => r.key))
  for (const key of Object.keys(rights ?? {})) if (!known.has(key)) rows.push({ key, label: key, known: false })
  return rows
}

/** Rights with one field set (`null`: not named — the user's roles decide). */
export function setRight(rights: Record<string, string> | undefined, key: string, access: FieldAccess | null): Record<string, string> {
  const out = { ...(rights ?? {}) }
  if (access === null) delete out[key]
  else out[key] = access
  return out
}

// --- problems, templates ------------------------------------------------------------------------

export interface Problem { node: string; message: string }

/** The server's problems per element id ('' = the whole process). */
export function problemsByElement(problems: Problem[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const p of problems) out.set(p.node, [...(out.get(p.node) ?? []), p.message])
  return out
}

/** A BPMN id from a process key (ids are XML NCNames: no leading digit or hyphen). */
export function processIdFor(key: string): string {
  const id = key.replace(/[^A-Za-z0-9_.-]/g, '_')
  return /^[A-Za-z_]/.test(id) ? id : `p_${id}`
}

/** A new definition's first draft: start → 受理 (the agents' pool) → end, with a diagram. */
export function blankTemplate(key: string, name: string): string {
  const id = processIdFor(key)
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:cd="${CD_URI}" id="Definitions_${id}" targetNamespace="https://complaintdesk.dev/bpmn/processes" exporter="ComplaintDesk" exporterVersion="1">
  <bpmn:process id="${id}" name="${esc(name)}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="accept" name="受理">
      <bpmn:extensionElements>
        <cd:assignee>{"type": "role", "role": "agent", "within": "all"}</cd:assignee>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="关闭">
      <bpmn:extensionElements><cd:ticketStatus>closed</cd:ticketStatus></bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="start" targetRef="accept" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="accept" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_${id}">
    <bpmndi:BPMNPlane id="Plane_${id}" bpmnElement="${id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="accept_di" bpmnElement="accept"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="392" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`
}

/**
 * `xml` under a new process id and name (a copy of another definition): the `bpmn:process` id, the diagram
 * plane pointing at it, and the name. Uses the DOM (browser or jsdom), so everything else stays byte-for-byte.
 */
export function renameProcess(xml: string, key: string, name: string): string {
  const doc = new DOMParser().parseFromString(xml, 'application/xml')
  if (doc.getElementsByTagName('parsererror').length) throw new Error('malformed XML')
  const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
  const process = Array.from(doc.getElementsByTagNameNS(BPMN, 'process')).find((p) => p.getAttribute('isExecutable') !== 'false')
    ?? doc.getElementsByTagNameNS(BPMN, 'process')[0]
  if (!process) throw new Error('no bpmn:process')
  const oldId = process.getAttribute('id')
  const newId = processIdFor(key)
  process.setAttribute('id', newId)
  process.setAttribute('name', name)
  if (oldId) {
    for (const el of Array.from(doc.getElementsByTagName('*'))) {
      if (el.getAttribute('bpmnElement') === oldId) el.setAttribute('bpmnElement', newId)
      if (el.getAttribute('processRef') === oldId) el.setAttribute('processRef', newId)
    }
  }
  return new XMLSerializer().serializeToString(doc)
}

// --- the diff of two versions -------------------------------------------------------------------

/** A node or flow as GET /processes/{key}/versions/{n} describes it. */
export interface VersionNode { id: string; type: string; name?: string; properties?: Record<string, unknown>; default_flow?: string | null; timer?: string | null; attached_to?: string | null }
export interface VersionFlow { id: string; source: string; target: string; name?: string; condition?: string | null }
export interface VersionShape { nodes: VersionNode[]; flows: VersionFlow[] }

export interface PropertyChange { property: string; before: unknown; after: unknown }
export interface ElementChange { id: string; kind: 'node' | 'flow'; type: string; name: string; change: 'added' | 'removed' | 'changed'; properties: PropertyChange[] }

const same = (a: unknown, b: unknown) => stableJson(a) === stableJson(b)

/** JSON with object keys sorted, so `{"a":1,"b":2}` equals `{"b":2,"a":1}`. */
export function stableJson(value: unknown): string {
  if (value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function nodeFacets(n: VersionNode): Record<string, unknown> {
  const out: Record<string, unknown> = { type: n.type, name: n.name ?? '' }
  if (n.default_flow) out.default = n.default_flow
  if (n.timer) out.timer = n.timer
  if (n.attached_to) out.attachedTo = n.attached_to
  for (const [k, v] of Object.entries(n.properties ?? {})) out[`cd:${k}`] = v
  return out
}

function flowFacets(f: VersionFlow): Record<string, unknown> {
  let condition: unknown = f.condition ?? null
  if (typeof condition === 'string') {
    try { condition = JSON.parse(condition) } catch { /* a formula stays text */ }
  }
  return { source: f.source, target: f.target, name: f.name ?? '', condition }
}

function compare(before: Record<string, unknown>, after: Record<string, unknown>): PropertyChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  return keys.filter((k) => !same(before[k], after[k])).map((k) => ({ property: k, before: before[k] ?? null, after: after[k] ?? null }))
}

/** What changed from `a` to `b`, element by element (by id): nodes first, then flows, each in `b`'s order then removed ones. */
export function diffVersions(a: VersionShape, b: VersionShape): ElementChange[] {
  const out: ElementChange[] = []
  const run = <T extends { id: string }>(kind: 'node' | 'flow', xs: T[], ys: T[], facets: (x: T) => Record<string, unknown>, label: (x: T) => [string, string]) => {
    const before = new Map(xs.map((x) => [x.id, x]))
    const afterIds = new Set(ys.map((y) => y.id))
    for (const y of ys) {
      const x = before.get(y.id)
      const [type, name] = label(y)
      if (!x) out.push({ id: y.id, kind, type, name, change: 'added', properties: compare({}, facets(y)) })
      else {
        const properties = compare(facets(x), facets(y))
        if (properties.length) out.push({ id: y.id, kind, type, name, change: 'changed', properties })
      }
    }
    for (const x of xs) {
      if (afterIds.has(x.id)) continue
      const [type, name] = label(x)
      out.push({ id: x.id, kind, type, name, change: 'removed', properties: compare(facets(x), {}) })
    }
  }
  run('node', a.nodes, b.nodes, nodeFacets, (n) => [n.type, n.name ?? ''])
  const names = new Map([...a.nodes, ...b.nodes].map((n) => [n.id, n.name || n.id]))
  const end = (id: string) => names.get(id) ?? id
  run('flow', a.flows, b.flows, flowFacets, (f) => ['sequenceFlow', f.name || `${end(f.source)} → ${end(f.target)}`])
  return out
}

/** Short text of a property value for the diff table. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

// --- gateway conditions -------------------------------------------------------------------------

/** A sequence flow's condition text (JSON condition or `=formula`) as the condition builder's value; null when
 * empty, `{raw}` when it is neither (the builder cannot show it; the server will refuse it). */
export function conditionFromText(text: string | null | undefined): Record<string, unknown> | null {
  const value = (text ?? '').trim()
  if (!value) return null
  if (value.startsWith('=')) return { formula: value.slice(1) }
  try {
    const parsed = JSON.parse(value)
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { raw: value }
  } catch {
    return { raw: value }
  }
}

/** The text stored in `bpmn:conditionExpression`: a lone formula as `=…` (as people write it), else JSON. */
export function conditionToText(condition: Record<string, unknown>): string {
  const keys = Object.keys(condition)
  if (keys.length === 1 && keys[0] === 'formula' && typeof condition.formula === 'string') return `=${condition.formula}`
  return JSON.stringify(condition)
}
