import { describe, expect, it } from 'vitest'
import {
  completableItemIds, currentNodeNames, historyRows, itemActions, needsComment, nodeMarkers, nodeNames, orderOutcomes,
  processActions, returnTargets, taskEventSummary, workItemAssignee, type ProcessViewLike,
} from './processView'

const XML = `<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p"><bpmn:startEvent id="start"/><bpmn:userTask id="accept" name="受理"/>
  <bpmn:userTask id="handle" name="处理"/><bpmn:sequenceFlow id="f1" name="驳回" sourceRef="start" targetRef="accept"/>
  </bpmn:process></bpmn:definitions>`

function view(over: Partial<ProcessViewLike> = {}): ProcessViewLike {
  return {
    status: 'running', node_states: {}, current_nodes: ['handle'], return_targets: ['accept'], operations: ['cc'],
    history: {},
    open_items: [{ work_item_id: 7, node_id: 'handle', node_name: '处理', assignee: null, state: 'ready', due_at: null,
      operations: ['claim', 'complete', 'transfer', 'return', 'urge'] }],
    ...over,
  }
}

describe('node markers', () => {
  it('maps done / active / waiting / cancelled to classes and leaves pending and unknown states plain', () => {
    expect(nodeMarkers({ a: 'done', b: 'active', c: 'waiting', d: 'pending', e: 'cancelled', f: 'weird' })).toEqual([
      ['a', 'cd-node-done'], ['b', 'cd-node-active'], ['c', 'cd-node-waiting'], ['e', 'cd-node-cancelled'],
    ])
  })
})

describe('available actions', () => {
  it('offers the node outcomes (positive first) and the other operations in a fixed order', () => {
    const [item] = itemActions(view(), { 7: ['reject', 'approve'] })
    expect(item!.outcomes).toEqual(['approve', 'reject'])
    expect(item!.ops).toEqual(['claim', 'transfer', 'return', 'urge'])
  })

  it('offers no outcome until the node\'s outcomes are known, and hides return without a target', () => {
    const [item] = itemActions(view({ return_targets: [] }), {})
    expect(item!.outcomes).toEqual([])
    expect(item!.outcomesPending).toBe(true)
    expect(item!.ops).not.toContain('return')
    expect(itemActions(view(), { 7: ['satisfied', 'unsatisfied'] })[0]).toMatchObject({ outcomes: ['satisfied', 'unsatisfied'], outcomesPending: false })
  })

  it('leaves out items the viewer can do nothing with, and everything once the process ended', () => {
    const v = view({ open_items: [{ ...view().open_items[0]!, operations: [] }] })
    expect(itemActions(v, {})).toEqual([])
    expect(itemActions(view({ status: 'completed' }), {})).toEqual([])
    expect(processActions(view({ status: 'terminated', operations: ['cc', 'terminate'] }))).toEqual([])
  })

  it('an urge-only viewer gets no outcome buttons', () => {
    const v = view({ open_items: [{ ...view().open_items[0]!, operations: ['urge'] }] })
    expect(itemActions(v, { 7: ['approve'] })).toMatchObject([{ outcomes: [], outcomesPending: false, ops: ['urge'] }])
    expect(completableItemIds(v)).toEqual([])
    expect(completableItemIds(view())).toEqual([7])
  })

  it('orders process operations and keeps only known ones', () => {
    expect(processActions(view({ operations: ['terminate', 'bogus', 'cc', 'withdraw'] }))).toEqual(['cc', 'withdraw', 'terminate'])
  })

  it('requires a comment for negative outcomes only', () => {
    expect(needsComment('reject')).toBe(true)
    expect(needsComment('unsatisfied')).toBe(true)
    expect(needsComment('approve')).toBe(false)
    expect(orderOutcomes(['unsatisfied', 'satisfied'])).toEqual(['satisfied', 'unsatisfied'])
  })
})

describe('names and history', () => {
  it('reads node names from the XML, not flow names', () => {
    expect(nodeNames(XML)).toEqual({ accept: '受理', handle: '处理' })
    expect(nodeNames('<not xml')).toEqual({})
  })

  it('names return targets and current nodes', () => {
    const names = nodeNames(XML)
    expect(returnTargets(view(), names)).toEqual([{ id: 'accept', name: '受理' }])
    expect(currentNodeNames(view({ current_nodes: ['handle', 'x'] }), names)).toEqual(['处理', 'x'])
  })

  it('flattens history chronologically with node names', () => {
    const entry = { round: 1, assignee: null, actor: null, state: 'completed', end: null, duration_seconds: null,
      outcome: 'approve', comment: '', origin: '' }
    const rows = historyRows(view({ history: {
      handle: [{ ...entry, work_item_id: 3, start: '2026-01-01T02:00:00Z' }],
      accept: [{ ...entry, work_item_id: 1, start: '2026-01-01T01:00:00Z' }, { ...entry, work_item_id: 2, start: '2026-01-01T01:00:00Z' }],
    } }), nodeNames(XML))
    expect(rows.map((r) => [r.work_item_id, r.nodeName])).toEqual([[1, '受理'], [2, '受理'], [3, '处理']])
  })
})

describe('process events on the timeline', () => {
  it('summarises node, outcome, reason, return target and transfer target', () => {
    const names = nodeNames(XML)
    expect(taskEventSummary('task_returned', { node_id: 'handle', node_name: '处理', to_node: 'accept', reason: '资料不全' }, names))
      .toEqual({ node: '处理', outcome: '', text: '资料不全', toNode: '受理', toWorkItemId: null })
    expect(taskEventSummary('task_completed', { node_id: 'accept', outcome: 'approve', comment: '好' }, names))
      .toMatchObject({ node: '受理', outcome: 'approve', text: '好' })
    expect(taskEventSummary('commented', {}, names)).toBeNull()
    const v = view({ history: { handle: [{ work_item_id: 9, round: 1, assignee: { id: 2, display_name: '王五' }, actor: null,
      state: 'claimed', start: '2026-01-01T00:00:00Z', end: null, duration_seconds: null, outcome: '', comment: '', origin: 'transfer' }] } })
    expect(workItemAssignee(v, taskEventSummary('task_transferred', { to_work_item_id: 9 }, names)!.toWorkItemId)).toBe('王五')
    expect(workItemAssignee(null, 9)).toBe('')
  })
})
