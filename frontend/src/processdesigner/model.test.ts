import { describe, expect, it } from 'vitest'
// @ts-expect-error bpmn-moddle ships no declarations for its main entry
import { BpmnModdle } from 'bpmn-moddle'
import {
  applyCd, blankTemplate, cdDescriptor, diffVersions, fieldRows, problemsByElement, readCd, renameProcess, ruleOfType,
  ruleProblems, setRight, stableJson, type ModdleElement,
} from './model'

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:cd="https://complaintdesk.dev/bpmn" xmlns:other="https://example.com/x" id="d" targetNamespace="https://x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:userTask id="handle" name="处理">
      <bpmn:extensionElements>
        <cd:assignee>{"type": "role", "role": "handler", "within": "ticket_department"}</cd:assignee>
        <other:thing keep="yes" />
        <cd:fieldRights>{"contact_phone": "visible", "refund_amount": "editable"}</cd:fieldRights>
        <cd:ticketStatus>in_progress</cd:ticketStatus>
        <cd:outcomes>not json</cd:outcomes>
      </bpmn:extensionElements>
    </bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>`

async function load(xml: string) {
  const moddle = new BpmnModdle({ cd: cdDescriptor })
  const { rootElement } = await moddle.fromXML(xml)
  const process = (rootElement as unknown as { rootElements: Array<{ flowElements: ModdleElement[] }> }).rootElements[0]!
  return { moddle, root: rootElement, task: process.flowElements[0]! }
}

describe('cd:* extension properties', () => {
  it('reads the JSON and text values and reports broken JSON', async () => {
    const { task } = await load(XML)
    const { values, broken } = readCd(task)
    expect(values.assignee).toEqual({ type: 'role', role: 'handler', within: 'ticket_department' })
    expect(values.fieldRights).toEqual({ contact_phone: 'visible', refund_amount: 'editable' })
    expect(values.ticketStatus).toBe('in_progress')
    expect(values.outcomes).toBeUndefined()
    expect(broken.outcomes).toBe('not json')
  })

  it('writes changes back as the elements the server parses, keeping foreign extensions in place', async () => {
    const { moddle, root, task } = await load(XML)
    const ext = task.extensionElements as { values: ModdleElement[] }
    ext.values = applyCd(task, {
      multi: { mode: 'all' }, fieldRights: {}, deadline: { hours: 8, business: true, onTimeout: 'transfer', transferTo: { type: 'users', users: ['lijun'] } },
      assignee: { type: 'departments', departments: ['质量部', '技术部'] }, ticketStatus: 'accepted',
    }, moddle as never)
    const { xml } = await moddle.toXML(root, { format: true })
    expect(xml).toContain('<cd:assignee>{"type":"departments","departments":["质量部","技术部"]}</cd:assignee>')
    expect(xml).toContain('<cd:multi>{"mode":"all"}</cd:multi>')
    expect(xml).toContain('<cd:ticketStatus>accepted</cd:ticketStatus>')
    expect(xml).toContain('"transferTo":{"type":"users","users":["lijun"]}')
    expect(xml).not.toContain('cd:fieldRights')
    expect(xml).toContain('<other:thing keep="yes"')
    expect(xml).toContain('<cd:outcomes>not json</cd:outcomes>') // untouched: not in the changes
    // The order: the replaced assignee stays first, the foreign element second, new ones follow in CD_PROPS order.
    const order = [...xml.matchAll(/<(cd|other):(\w+)/g)].map((m) => m[2])
    expect(order).toEqual(['assignee', 'thing', 'ticketStatus', 'outcomes', 'multi', 'deadline'])
    // And it reads back identically.
    const again = await load(xml)
    expect(readCd(again.task).values.deadline).toEqual({ hours: 8, business: true, onTimeout: 'transfer', transferTo: { type: 'users', users: ['lijun'] } })
    expect(readCd(again.task).values.multi).toEqual({ mode: 'all' })
  })

  it('creates extensionElements content on a bare task', async () => {
    const { moddle, root } = await load(blankTemplate('after_sales', '售后 "维修" <流程>'))
    const process = (root as unknown as { rootElements: Array<{ flowElements: ModdleElement[]; name: string }> }).rootElements[0]!
    expect(process.name).toBe('售后 "维修" <流程>')
    const end = process.flowElements.find((e) => e.$type === 'bpmn:EndEvent')!
    expect(readCd(end).values.ticketStatus).toBe('closed')
    const task = process.flowElements.find((e) => e.$type === 'bpmn:UserTask')!
    expect(readCd(task).values.assignee).toEqual({ type: 'role', role: 'agent', within: 'all' })
    expect(applyCd(task, { assignee: null }, moddle as never)).toEqual([])
  })
})

describe('assignee rules and field rights', () => {
  it('switches rule types keeping what applies and finds missing parts', () => {
    const rule = ruleOfType('departments', { type: 'role', role: 'handler', within: 'all' })
    expect(rule).toEqual({ type: 'departments', departments: [], role: 'handler' })
    expect(ruleProblems(rule)).toEqual(['departments'])
    expect(ruleProblems({ ...rule, departments: ['质量部'] })).toEqual([])
    expect(ruleProblems(ruleOfType('initiator'))).toEqual([])
    expect(ruleProblems(ruleOfType('role'))).toEqual(['role'])
    expect(ruleProblems(null)).toEqual(['missing'])
    expect(ruleProblems({ type: 'department_head', of: 'moon' })).toEqual(['of'])
  })

  it('lists form fields and keeps the ones the form lacks', () => {
    expect(fieldRows([{ key: 'a', label: 'A' }], { a: 'hidden', gone: 'editable' })).toEqual([
      { key: 'a', label: 'A', known: true }, { key: 'gone', label: 'gone', known: false }])
    expect(setRight({ a: 'hidden' }, 'b', 'required')).toEqual({ a: 'hidden', b: 'required' })
    expect(setRight({ a: 'hidden' }, 'a', null)).toEqual({})
  })

  it('groups the server problems by element', () => {
    const m = problemsByElement([{ node: 'x', message: '1' }, { node: '', message: '2' }, { node: 'x', message: '3' }])
    expect(m.get('x')).toEqual(['1', '3'])
    expect(m.get('')).toEqual(['2'])
  })
})

describe('copying a definition', () => {
  it('renames the process and the diagram plane, nothing else', () => {
    const xml = renameProcess(blankTemplate('std', '标准'), 'my-copy', '我的副本')
    expect(xml).toContain('<bpmn:process id="my-copy" name="我的副本"')
    expect(xml).toContain('bpmnElement="my-copy"')
    expect(xml).toContain('<cd:assignee>{"type": "role", "role": "agent", "within": "all"}</cd:assignee>')
    expect(renameProcess(blankTemplate('a', 'a'), '8d', 'x')).toContain('id="p_8d"')
  })
})

describe('version diff', () => {
  const a = {
    nodes: [
      { id: 'start', type: 'startEvent', name: '' },
      { id: 'handle', type: 'userTask', name: '处理', properties: { assignee: { type: 'role', role: 'handler' }, deadline: { hours: 24 } } },
      { id: 'review', type: 'userTask', name: '审核', properties: { assignee: { type: 'department_head', of: 'ticket' } } },
      { id: 'end', type: 'endEvent', name: '关闭' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'handle' },
      { id: 'f2', source: 'handle', target: 'review', condition: null },
      { id: 'f3', source: 'review', target: 'end', condition: '{"field": "priority", "op": "eq", "value": "P1"}' },
    ],
  }
  const b = {
    nodes: [
      { id: 'start', type: 'startEvent', name: '' },
      { id: 'handle', type: 'userTask', name: '处理', properties: { deadline: { hours: 24 }, assignee: { role: 'handler', type: 'role' } } },
      { id: 'sign', type: 'userTask', name: '会签', properties: { assignee: { type: 'users', users: ['a', 'b'] }, multi: { mode: 'all' } } },
      { id: 'end', type: 'endEvent', name: '结案' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'handle' },
      { id: 'f2', source: 'handle', target: 'sign' },
      { id: 'f3', source: 'sign', target: 'end', condition: '{"value": "P1", "op": "eq", "field": "priority"}' },
    ],
  }

  it('lists added, removed and changed elements with the changed properties', () => {
    const d = diffVersions(a, b)
    expect(d.map((c) => [c.id, c.change])).toEqual([
      ['sign', 'added'], ['end', 'changed'], ['review', 'removed'], ['f2', 'changed'], ['f3', 'changed']])
    expect(d.find((c) => c.id === 'sign')!.properties.map((p) => p.property)).toEqual(['type', 'name', 'cd:assignee', 'cd:multi'])
    expect(d.find((c) => c.id === 'end')!.properties).toEqual([{ property: 'name', before: '关闭', after: '结案' }])
    expect(d.find((c) => c.id === 'f2')!.properties).toEqual([{ property: 'target', before: 'review', after: 'sign' }])
    expect(d.find((c) => c.id === 'f2')!.name).toBe('处理 → 会签') // flows without a name: their ends' names
    // Key order in JSON does not count as a change (handle is unchanged); a moved flow's source does.
    expect(d.find((c) => c.id === 'f3')!.properties).toEqual([{ property: 'source', before: 'review', after: 'sign' }])
  })

  it('finds nothing between equal versions', () => {
    expect(diffVersions(a, a)).toEqual([])
    expect(stableJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}')
  })
})

describe('gateway condition text', () => {
  it('reads JSON and formulas and writes them back the way the server reads them', async () => {
    const { conditionFromText, conditionToText } = await import('./model')
    expect(conditionFromText('{"field": "outcome", "op": "eq", "value": "reject"}')).toEqual({ field: 'outcome', op: 'eq', value: 'reject' })
    expect(conditionFromText('=AND({priority}="P1")')).toEqual({ formula: 'AND({priority}="P1")' })
    expect(conditionFromText('  ')).toBeNull()
    expect(conditionFromText("__import__('os')")).toEqual({ raw: "__import__('os')" })
    expect(conditionToText({ formula: '{priority}="P1"' })).toBe('={priority}="P1"')
    expect(conditionToText({ any: [{ field: 'priority', op: 'eq', value: 'P1' }] })).toBe('{"any":[{"field":"priority","op":"eq","value":"P1"}]}')
  })
})
