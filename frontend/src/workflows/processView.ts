/**
 * The ticket's process as the detail page shows it (GET /tickets/{id}/process): which BPMN shapes get
 * which colour, what the viewer may do at the current node(s), and how a node's history reads.
 * Pure functions, so the rules are unit-tested without a browser or bpmn-js.
 */

export type NodeState = 'done' | 'active' | 'waiting' | 'pending' | 'cancelled'

/** The CSS class bpmn-js puts on a shape (canvas.addMarker) for each node state; pending has none. */
export const NODE_MARKERS: Record<NodeState, string | null> = {
  done: 'cd-node-done',
  active: 'cd-node-active',
  waiting: 'cd-node-waiting',
  cancelled: 'cd-node-cancelled',
  pending: null,
}

export const ALL_MARKERS = Object.values(NODE_MARKERS).filter((m): m is string => !!m)

/** [node id, marker class] for every node that is coloured; unknown states are left plain. */
export function nodeMarkers(states: Record<string, string>): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [node, state] of Object.entries(states)) {
    const marker = NODE_MARKERS[state as NodeState]
    if (marker) out.push([node, marker])
  }
  return out
}

export interface UserRefLike { id: number; display_name: string }

export interface OpenItem {
  work_item_id: number
  node_id: string
  node_name: string
  assignee: UserRefLike | null
  state: string
  due_at: string | null
  operations: string[]
}

export interface ProcessViewLike {
  status: string
  node_states: Record<string, string>
  current_nodes: string[]
  open_items: OpenItem[]
  operations: string[]
  return_targets: string[]
  history: Record<string, HistoryEntry[]>
}

export interface HistoryEntry {
  work_item_id: number
  round: number
  assignee: UserRefLike | null
  actor: UserRefLike | null
  state: string
  start: string
  end: string | null
  duration_seconds: number | null
  outcome: string
  comment: string
  origin: string
}

/** Outcomes that send the ticket back or record a failure: a comment is required for them. */
export const NEGATIVE_OUTCOMES = new Set(['reject', 'unsatisfied'])

export function needsComment(outcome: string): boolean {
  return NEGATIVE_OUTCOMES.has(outcome)
}

export type ItemOp = 'claim' | 'release' | 'transfer' | 'return' | 'add_signer' | 'urge'
export type ProcessOp = 'cc' | 'withdraw' | 'terminate'

export interface ItemActions {
  itemId: number
  nodeId: string
  nodeName: string
  assignee: UserRefLike | null
  state: string
  dueAt: string | null
  /** One button per outcome the node allows, when the viewer may complete it (approve first). */
  outcomes: string[]
  /** The viewer may complete it but the node's outcomes are still being fetched. */
  outcomesPending: boolean
  /** The other operations, in a fixed order. */
  ops: ItemOp[]
}

const ITEM_OP_ORDER: ItemOp[] = ['claim', 'release', 'transfer', 'return', 'add_signer', 'urge']
const PROCESS_OP_ORDER: ProcessOp[] = ['cc', 'withdraw', 'terminate']

/**
 * What the viewer may do now: per open work item the outcomes (from the item's node, GET
 * /work-items/{id}) when `complete` is allowed — none until they are known, so nobody picks an
 * outcome the node does not have — and the other operations; items the viewer can do nothing with
 * are left out. `return` needs somewhere to return to.
 */
export function itemActions(view: ProcessViewLike, outcomesByItem: Record<number, string[]>): ItemActions[] {
  if (view.status !== 'running') return []
  const out: ItemActions[] = []
  for (const item of view.open_items) {
    const ops = ITEM_OP_ORDER.filter((op) => item.operations.includes(op))
      .filter((op) => op !== 'return' || view.return_targets.length > 0)
    const completable = item.operations.includes('complete')
    const known = outcomesByItem[item.work_item_id]
    const outcomes = completable && known ? orderOutcomes(known) : []
    if (!ops.length && !completable) continue
    out.push({
      itemId: item.work_item_id, nodeId: item.node_id, nodeName: item.node_name, assignee: item.assignee,
      state: item.state, dueAt: item.due_at, outcomes, outcomesPending: completable && !known, ops,
    })
  }
  return out
}

/** Positive outcomes first (the primary button), negative ones last. */
export function orderOutcomes(outcomes: string[]): string[] {
  return [...outcomes.filter((o) => !NEGATIVE_OUTCOMES.has(o)), ...outcomes.filter((o) => NEGATIVE_OUTCOMES.has(o))]
}

export function processActions(view: ProcessViewLike): ProcessOp[] {
  if (view.status !== 'running') return []
  return PROCESS_OP_ORDER.filter((op) => view.operations.includes(op))
}

/** Items whose outcomes must be fetched (the viewer may complete them). */
export function completableItemIds(view: ProcessViewLike): number[] {
  return view.open_items.filter((i) => i.operations.includes('complete')).map((i) => i.work_item_id)
}

export interface HistoryRow extends HistoryEntry {
  nodeId: string
  nodeName: string
}

/** Every node's history as one chronological list (the phone view and the table fallback). */
export function historyRows(view: ProcessViewLike, names: Record<string, string>): HistoryRow[] {
  const rows: HistoryRow[] = []
  for (const [nodeId, entries] of Object.entries(view.history)) {
    for (const entry of entries) rows.push({ ...entry, nodeId, nodeName: names[nodeId] ?? nodeId })
  }
  return rows.sort((a, b) => (Date.parse(a.start) - Date.parse(b.start)) || (a.work_item_id - b.work_item_id))
}

/**
 * Node names from the BPMN XML (id → name attribute), for the nodes the history and return targets
 * name by id. A DOMParser is enough: the XML comes from our own server and only attributes are read.
 */
export function nodeNames(xml: string): Record<string, string> {
  const names: Record<string, string> = {}
  if (!xml) return names
  const doc = new DOMParser().parseFromString(xml, 'application/xml')
  if (doc.getElementsByTagName('parsererror').length) return names
  const all = doc.getElementsByTagName('*')
  for (let i = 0; i < all.length; i++) {
    const el = all[i]!
    const ns = el.namespaceURI ?? ''
    if (!ns.includes('BPMN/20100524/MODEL')) continue
    const id = el.getAttribute('id')
    const name = el.getAttribute('name')
    if (id && name && el.localName !== 'sequenceFlow') names[id] = name
  }
  return names
}

/** The nodes a return may go to, with names, in the order the server gave (nearest first). */
export function returnTargets(view: ProcessViewLike, names: Record<string, string>): Array<{ id: string; name: string }> {
  return view.return_targets.map((id) => ({ id, name: names[id] ?? id }))
}

/** Names of the current nodes for the header: "处理、审核". */
export function currentNodeNames(view: ProcessViewLike, names: Record<string, string>): string[] {
  const fromItems = new Map(view.open_items.map((i) => [i.node_id, i.node_name]))
  return view.current_nodes.map((id) => fromItems.get(id) || names[id] || id)
}

export interface TaskEventSummary {
  node: string
  outcome: string
  /** The comment or reason the person gave. */
  text: string
  /** Where a return went (node name). */
  toNode: string
  /** The work item a transfer created (its assignee is named from the process history). */
  toWorkItemId: number | null
}

/** What a process event on the timeline says: node, outcome, reason; null for other events. */
export function taskEventSummary(type: string, data: Record<string, unknown>, names: Record<string, string>): TaskEventSummary | null {
  if (!type.startsWith('task_') && !type.startsWith('process_')) return null
  const str = (v: unknown) => (typeof v === 'string' ? v : '')
  const nodeId = str(data.node_id)
  const toNode = str(data.to_node)
  return {
    node: str(data.node_name) || names[nodeId] || nodeId,
    outcome: str(data.outcome),
    text: str(data.comment) || str(data.reason),
    toNode: toNode ? names[toNode] ?? toNode : '',
    toWorkItemId: typeof data.to_work_item_id === 'number' ? data.to_work_item_id : null,
  }
}

/** The assignee of a work item, found in the process history (for "transferred to …"). */
export function workItemAssignee(view: ProcessViewLike | null, workItemId: number | null): string {
  if (!view || workItemId == null) return ''
  for (const entries of Object.values(view.history)) {
    const found = entries.find((e) => e.work_item_id === workItemId)
    if (found) return found.assignee?.display_name ?? ''
  }
  return ''
}
