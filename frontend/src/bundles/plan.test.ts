import { describe, expect, it } from 'vitest'
import { diffLines, kindRows, pickMessage, problemsByFile, showValue, totals, type KindPlan } from './plan'

const plan = (kind: string, over: Partial<KindPlan> = {}): KindPlan => ({
  kind, label: `${kind} 中文 / ${kind} English`, added: [], changed: [], unchanged: [], removed: [], prunable: true,
  prune_note: '', ...over,
})

describe('import plan grouping', () => {
  const result = {
    kinds: [
      plan('categories', { added: ['a', 'b'], unchanged: ['c'] }),
      plan('roles', { unchanged: ['admin', 'agent'] }),
      plan('rules', { changed: [{ key: 'r1', fields: { order: { old: 1, new: 2 } } }], removed: ['old'] }),
    ],
  }
  it('one row per kind in the server order, with counts and the label in the UI language', () => {
    const rows = kindRows(result, 'en')
    expect(rows.map((r) => r.kind)).toEqual(['categories', 'roles', 'rules'])
    expect(rows[0]!.label).toBe('categories English')
    expect(kindRows(result, 'zh-CN')[0]!.label).toBe('categories 中文')
    expect(rows[0]!.counts).toEqual({ added: 2, changed: 0, unchanged: 1, removed: 0 })
    expect(rows.map((r) => r.touched)).toEqual([true, false, true])
  })
  it('totals add up over the kinds', () => {
    expect(totals(result)).toEqual({ added: 2, changed: 1, unchanged: 3, removed: 1 })
    expect(totals({ kinds: [] })).toEqual({ added: 0, changed: 0, unchanged: 0, removed: 0 })
  })
})

describe('field-level diff lines', () => {
  it('short values: old and new', () => {
    expect(diffLines({ name: { old: '甲', new: '乙' }, enabled: { old: true, new: false } })).toEqual([
      { path: 'enabled', type: 'value', old: 'true', new: 'false' },
      { path: 'name', type: 'value', old: '甲', new: '乙' },
    ])
  })
  it('nested settings: one line per changed leaf', () => {
    expect(diffLines({ targets: { changes: { 'P1.resolution_minutes': { old: 120, new: 90 },
      'P2.first_response_minutes': { old: null, new: 30 } } } })).toEqual([
      { path: 'targets.P1.resolution_minutes', type: 'value', old: '120', new: '90' },
      { path: 'targets.P2.first_response_minutes', type: 'value', old: '—', new: '30' },
    ])
  })
  it('form schemas, BPMN and calendar days are summaries', () => {
    const lines = diffLines({
      schema: { fields_added: ['vin'], fields_removed: [], fields_changed: ['amount'], layout_changed: true,
        settings_changed: false },
      bpmn: { changed: true, old_chars: 1200, new_chars: 1350 },
      days: { added: 2, removed: 0, changed: 1 },
    })
    expect(lines).toEqual([
      { path: 'bpmn', type: 'bpmn', oldChars: 1200, newChars: 1350 },
      { path: 'days', type: 'days', added: 2, removed: 0, changed: 1 },
      { path: 'schema', type: 'schema', added: ['vin'], removed: [], changed: ['amount'], layout: true, settings: false },
    ])
  })
  it('lists and objects as JSON, empty strings visible', () => {
    expect(diffLines({ permissions: { old: ['a'], new: ['a', 'b'] }, description: { old: '', new: 'x' } })).toEqual([
      { path: 'description', type: 'value', old: '""', new: 'x' },
      { path: 'permissions', type: 'value', old: '["a"]', new: '["a","b"]' },
    ])
    expect(showValue(undefined)).toBe('—')
    expect(showValue({ a: 1 })).toBe('{"a":1}')
  })
})

describe('problems', () => {
  it('grouped by file, messages in the UI language', () => {
    const groups = problemsByFile([
      { file: 'rules/b.yaml', path: '/actions/0', message: '未知动作 / Unknown action' },
      { file: 'forms/a.yaml', path: '/schema', message: '字段重复 / Duplicate field' },
      { file: 'rules/b.yaml', path: '/condition', message: '未知字段 / Unknown field' },
    ], 'en')
    expect(groups.map((g) => g.file)).toEqual(['forms/a.yaml', 'rules/b.yaml'])
    expect(groups[1]!.items.map((p) => p.message)).toEqual(['Unknown action', 'Unknown field'])
  })
})

describe('bundle messages', () => {
  it('picks the half for the language, also without a space before the slash', () => {
    const msg = '校验和不符（文件被修改或损坏）/ checksum mismatch (file changed or damaged)'
    expect(pickMessage(msg, 'en')).toBe('checksum mismatch (file changed or damaged)')
    expect(pickMessage(msg, 'zh-CN')).toBe('校验和不符（文件被修改或损坏）')
    expect(pickMessage('未知字段 / Unknown field', 'en')).toBe('Unknown field')
    expect(pickMessage('rules/a.yaml', 'en')).toBe('rules/a.yaml')
  })
})
