import { describe, expect, it } from 'vitest'
import {
  actionProblems, dropIndex, fieldsToRows, filterRules, newEditorAction, parseLoose, problemsOf, reorderedIds,
  rowsToFields, sortProblems, toEditorAction, toServerAction, visibleParams, type ActionTypeSpec, type ParamSpec,
} from './model'
import { moveItem } from '@/shared/list'

function p(name: string, kind: string, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, kind, label: name, label_en: name, required: false, choices: [], show_if: {}, help: '', help_en: '', ...extra }
}

const TYPES: ActionTypeSpec[] = [
  { type: 'assign', label: '分派', label_en: 'Assign', params: [
    p('to', 'choice', { required: true, default: 'team', choices: ['user', 'team', 'department', 'account_owner'].map((v) => ({ value: v, label: v, label_en: v })) }),
    p('user', 'user', { required: true, show_if: { to: ['user'] } }),
    p('team', 'team', { required: true, show_if: { to: ['team'] } }),
    p('department', 'department', { required: true, show_if: { to: ['department'] } }),
    p('strategy', 'choice', { show_if: { to: ['team', 'department'] }, choices: [{ value: 'round_robin', label: '', label_en: '' }] }),
  ] },
  { type: 'set_priority', label: '', label_en: '', params: [p('priority', 'priority'), p('raise', 'number', { minimum: 1, maximum: 3 })] },
  { type: 'add_tags', label: '', label_en: '', params: [p('tags', 'tags', { required: true })] },
  { type: 'set_fields', label: '', label_en: '', params: [p('fields', 'fields', { required: true })] },
  { type: 'notify', label: '', label_en: '', params: [] },
  { type: 'notify2', label: '', label_en: '', params: [p('to_assignee', 'bool'), p('user_ids', 'users'), p('role_keys', 'roles'), p('template_key', 'template')] },
]

describe('action parameter form', () => {
  it('shows parameters by show_if and starts from the defaults', () => {
    const a = newEditorAction('assign', TYPES)
    expect(a.values.to).toBe('team')
    expect(visibleParams(TYPES[0]!.params, a.values).map((s) => s.name)).toEqual(['to', 'team', 'strategy'])
    a.values.to = 'user'
    expect(visibleParams(TYPES[0]!.params, a.values).map((s) => s.name)).toEqual(['to', 'user'])
  })

  it('sends only shown, non-empty parameters', () => {
    const a = newEditorAction('assign', TYPES)
    a.values.team = '  售后维修组 '
    a.values.user = 'zhangsan' // hidden while to = team
    a.values.strategy = ''
    expect(toServerAction(a, TYPES)).toEqual({ type: 'assign', params: { to: 'team', team: '售后维修组' } })
  })

  it('reports a missing required parameter and a number out of range', () => {
    const a = newEditorAction('assign', TYPES)
    expect(actionProblems(a, TYPES)).toEqual([{ param: 'team', code: 'required' }])
    const r = toEditorAction({ type: 'set_priority', params: { raise: 5 } }, TYPES)
    expect(actionProblems(r, TYPES)).toEqual([{ param: 'raise', code: 'range' }])
    expect(actionProblems(toEditorAction({ type: 'teleport', params: {} }, TYPES), TYPES)).toEqual([{ param: null, code: 'unknown_type' }])
  })

  it('round-trips stored actions, keeping parameters the form does not know', () => {
    const stored = [
      { type: 'assign', params: { to: 'department', department: '财务部', strategy: 'round_robin' } },
      { type: 'set_priority', params: { priority: 'P2' } },
      { type: 'add_tags', params: { tags: ['VIP', '漏水'] } },
      { type: 'set_fields', params: { fields: { urgency: 'high', 'data.amount': 12.5, 'data.flags': ['a'] } } },
      { type: 'assign', params: { to: 'team', team: '一组', future_option: { x: 1 } } },
      { type: 'notify', params: { template_key: 't1', role_keys: ['supervisor'] } },
    ]
    for (const action of stored) expect(toServerAction(toEditorAction(action, TYPES), TYPES)).toEqual(action)
  })

  it('keeps lists of user ids and role keys, and a false switch', () => {
    const stored = { type: 'notify2', params: { to_assignee: false, user_ids: [3, 5], role_keys: ['supervisor'] } }
    const a = toEditorAction(stored, TYPES)
    expect(a.json).toBeNull()
    expect(toServerAction(a, TYPES)).toEqual(stored)
    a.values.user_ids = []
    expect(toServerAction(a, TYPES).params).toEqual({ to_assignee: false, role_keys: ['supervisor'] })
    expect(toEditorAction({ type: 'notify2', params: { user_ids: ['zhangsan'] } }, TYPES).json).not.toBeNull()
  })

  it('edits as JSON what the form cannot show', () => {
    const odd = toEditorAction({ type: 'add_tags', params: { tags: 'not-a-list' } }, TYPES)
    expect(odd.json).not.toBeNull()
    expect(toServerAction(odd, TYPES)).toEqual({ type: 'add_tags', params: { tags: 'not-a-list' } })
    odd.json = '{broken'
    expect(actionProblems(odd, TYPES)).toEqual([{ param: null, code: 'json' }])
    expect(newEditorAction('notify', TYPES).json).toBe('{}')
  })

  it('turns field rows into values', () => {
    expect(rowsToFields([{ name: 'urgency', value: 'high' }, { name: ' data.n ', value: '3' }, { name: '', value: 'x' }]))
      .toEqual({ urgency: 'high', 'data.n': 3 })
    expect(fieldsToRows({ a: 'x', b: [1] })).toEqual([{ name: 'a', value: 'x' }, { name: 'b', value: '[1]' }])
    expect(parseLoose('true')).toBe(true)
    expect(parseLoose('P2')).toBe('P2')
    expect(parseLoose('{oops')).toBe('{oops')
  })
})

describe('reorder', () => {
  const rules = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]

  it('gives the new id order, or null when nothing moved', () => {
    expect(reorderedIds(rules, 2, 0)).toEqual([3, 1, 2, 4])
    expect(reorderedIds(rules, 1, 1)).toBeNull()
    expect(reorderedIds(rules, 0, 1)).toEqual([2, 1, 3, 4])
  })

  it('drops before the upper half and after the lower half of a row', () => {
    expect(dropIndex(0, 2, false)).toBe(1) // before row 2 → index 1 once row 0 is gone
    expect(dropIndex(0, 2, true)).toBe(2)
    expect(dropIndex(3, 0, false)).toBe(0)
    expect(dropIndex(3, 0, true)).toBe(1)
    expect(moveItem([1, 2, 3, 4], 0, dropIndex(0, 3, true))).toEqual([2, 3, 4, 1])
  })
})

describe('server problems', () => {
  it('are sorted to the part they concern', () => {
    const sorted = sortProblems([
      { path: '/name', message: 'name required' },
      { path: '/events/1', message: 'unknown event' },
      { path: '/condition/all/0/value', message: 'bad value' },
      { path: '/condition', message: 'bad root' },
      { path: '/actions/2/params', message: 'team: required' },
      { path: '/actions', message: 'too many' },
      { path: '/weird', message: '?' },
    ])
    expect(sorted.fields).toEqual({ name: ['name required'], events: ['unknown event'], actions: ['too many'] })
    expect(sorted.condition).toEqual([{ path: '/all/0/value', message: 'bad value' }, { path: '/', message: 'bad root' }])
    expect(sorted.actions).toEqual({ 2: ['team: required'] })
    expect(sorted.other).toEqual(['?'])
    expect(problemsOf({ problems: [{ path: '/name', message: 'x' }, { nope: 1 }] })).toEqual([{ path: '/name', message: 'x' }])
    expect(problemsOf(null)).toEqual([])
  })
})

describe('list filter', () => {
  it('filters by event and enabled state', () => {
    const rules = [
      { id: 1, events: ['ticket.created'], enabled: true },
      { id: 2, events: ['sla.breached'], enabled: false },
      { id: 3, events: ['ticket.created', 'ticket.updated'], enabled: false },
    ]
    expect(filterRules(rules, 'ticket.created', '').map((r) => r.id)).toEqual([1, 3])
    expect(filterRules(rules, '', 'off').map((r) => r.id)).toEqual([2, 3])
    expect(filterRules(rules, 'ticket.created', 'on').map((r) => r.id)).toEqual([1])
  })
})
