import { describe, expect, it } from 'vitest'
import {
  OPERATORS, andConditions, changeField, changeOperator, coerceValue, countLeaves, fromServer, isEmptyCondition,
  localProblems, newRule, operatorsFor, parseRaw, splitDuration, toServer, valueKind, valueReady,
  type ConditionField, type FieldType,
} from './model'

const FIELDS: ConditionField[] = [
  { name: 'status', type: 'choice', label: '状态', choices: ['new', 'closed'] },
  { name: 'priority', type: 'choice', label: '优先级', choices: ['P1', 'P2'] },
  { name: 'subject', type: 'text', label: '主题' },
  { name: 'reopen_count', type: 'number', label: '重开次数' },
  { name: 'is_repeat', type: 'bool', label: '重复' },
  { name: 'created_at', type: 'datetime', label: '创建时间' },
  { name: 'tags', type: 'multi', label: '标签' },
  { name: 'assignee_id', type: 'id', label: '处理人', picker: 'user' },
  { name: 'category', type: 'tree', label: '分类', picker: 'category' },
  { name: 'data.due', type: 'date', label: '到期' },
]

/** A small seeded PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!
}

const JSON_VALUES: unknown[] = [null, 0, -1.5, 12, '', 'x', '屏幕碎裂', '7d', true, false, [], ['P1'], [1, 2],
  ['2026-03-01', '2026-03-10'], { nested: [1, { a: null }] }, '2026-03-10T08:30:00+08:00']

/** Random server conditions over every node kind, including odd but legal JSON. */
function randomCondition(r: () => number, depth = 0): unknown {
  const roll = r()
  if (depth < 4 && roll < 0.3) {
    const n = Math.floor(r() * 4)
    return { [pick(r, ['all', 'any'] as const)]: Array.from({ length: n }, () => randomCondition(r, depth + 1)) }
  }
  if (depth < 4 && roll < 0.4) return { not: randomCondition(r, depth + 1) }
  if (roll < 0.47) return { formula: pick(r, ['', '{amount} > 1000', 'AND({a}, NOT({b}))', '"引号"']) }
  if (roll < 0.52) return pick(r, [{ field: 'x' }, { op: 'eq' }, { all: 'no' }, { not: [1] }, { field: 'a', op: 'eq', value: 1, extra: 2 }, {}])
  const type = pick(r, Object.keys(OPERATORS) as FieldType[])
  const field = pick(r, [...FIELDS.map((f) => f.name), 'data.unknown', 'nope'])
  const leaf: Record<string, unknown> = { field, op: pick(r, OPERATORS[type]) }
  if (r() < 0.85) leaf.value = pick(r, JSON_VALUES)
  return leaf
}

describe('operators by field type', () => {
  it('mirror the server catalog', () => {
    expect(OPERATORS.text).toContain('any_keyword')
    expect(OPERATORS.choice).not.toContain('gt')
    expect(OPERATORS.number).toContain('between')
    expect(OPERATORS.bool).toEqual(['eq', 'ne', 'is_empty', 'is_not_empty'])
    expect(OPERATORS.multi[0]).toBe('contains')
    expect(OPERATORS.any).toEqual(['is_empty', 'is_not_empty'])
    for (const ops of Object.values(OPERATORS)) expect(ops).toContain('is_empty')
  })
  it('prefer what the server sent for a field', () => {
    expect(operatorsFor({ name: 'x', type: 'text', label: 'x', operators: ['eq'] })).toEqual(['eq'])
    expect(operatorsFor({ name: 'x', type: 'date', label: 'x' })).toContain('within_next')
    expect(operatorsFor({ name: 'x', type: 'weird', label: 'x' })).toEqual([])
    expect(operatorsFor(undefined)).toEqual([])
  })
  it('give each operator its value editor', () => {
    expect(valueKind('text', 'is_empty')).toBe('none')
    expect(valueKind('choice', 'in')).toBe('list')
    expect(valueKind('number', 'between')).toBe('range')
    expect(valueKind('datetime', 'within_last')).toBe('duration')
    expect(valueKind('text', 'any_keyword')).toBe('keywords')
    expect(valueKind('bool', 'eq')).toBe('bool')
    expect(valueKind('tree', 'eq')).toBe('scalar')
  })
})

describe('values follow the operator', () => {
  it('wrap and unwrap between scalar and list', () => {
    expect(coerceValue('choice', 'in', 'P1')).toEqual(['P1'])
    expect(coerceValue('choice', 'eq', ['P1', 'P2'])).toBe('P1')
    expect(coerceValue('choice', 'in', undefined)).toEqual([])
    expect(coerceValue('number', 'between', 5)).toEqual([5, null])
    expect(coerceValue('number', 'between', [1, 2])).toEqual([1, 2])
    expect(coerceValue('datetime', 'within_last', '2026-01-01')).toBe('7d')
    expect(coerceValue('datetime', 'within_last', '24h')).toBe('24h')
    expect(coerceValue('text', 'is_empty', 'x')).toBeUndefined()
    expect(coerceValue('bool', 'eq', 'x')).toBe(true)
    expect(coerceValue('text', 'any_keyword', '慢 差')).toBe('慢 差')
  })
  it('know when a value is complete', () => {
    expect(valueReady('choice', 'in', [])).toBe(false)
    expect(valueReady('choice', 'in', ['P1'])).toBe(true)
    expect(valueReady('number', 'between', [1, null])).toBe(false)
    expect(valueReady('number', 'eq', 0)).toBe(true)
    expect(valueReady('datetime', 'within_next', '2h')).toBe(true)
    expect(valueReady('datetime', 'within_next', '2 hours')).toBe(false)
    expect(valueReady('text', 'is_not_empty', undefined)).toBe(true)
    expect(splitDuration('30m')).toEqual({ amount: 30, unit: 'm' })
  })
  it('change field and operator without leaving a stale value', () => {
    const status = FIELDS[0]!
    const count = FIELDS[3]!
    let rule = newRule(status)
    expect(toServer(rule)).toEqual({ field: 'status', op: 'eq', value: '' })
    rule = changeOperator({ ...rule, value: 'new' }, 'in', status)
    expect(rule.value).toEqual(['new'])
    rule = changeField(rule, count, status)
    expect(rule.op).toBe('in')
    expect(rule.value).toEqual([])
    rule = changeOperator(rule, 'is_empty', count)
    expect(toServer(rule)).toEqual({ field: 'reopen_count', op: 'is_empty' })
    const kept = changeField({ ...newRule(status), value: 'closed' }, FIELDS[1], status)
    expect(kept.value).toBe('closed') // same type: kept (the server says if it is not a choice)
  })
})

describe('to/from the server format', () => {
  const examples: unknown[] = [
    { all: [] },
    { any: [] },
    { field: 'priority', op: 'eq', value: 'P1' },
    { not: { not: { field: 'tags', op: 'contains', value: '已核实' } } },
    { all: [{ field: 'category', op: 'in', value: ['product_quality'] },
      { any: [{ field: 'customer.tier', op: 'in', value: ['vip', 'gold'] }, { field: 'data.amount', op: 'gt', value: 1000 }] },
      { not: { field: 'tags', op: 'contains', value: '已核实' } },
      { field: 'created_at', op: 'within_last', value: '24h' },
      { formula: 'DATEDIF({purchase_date}, TODAY(), "d") <= 7' }] },
    { field: 'subject', op: 'is_empty', value: 'ignored' },
    { field: 'subject', op: 'is_empty' },
    { field: 'x', op: 'eq', value: null },
    { all: [{ field: 'a' }, 3, null] },
  ]
  it('round-trips the documented examples exactly', () => {
    for (const example of examples) expect(toServer(fromServer(example))).toEqual(example)
  })
  it('round-trips 2,000 random conditions exactly (property)', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed)
      const condition = randomCondition(r)
      const back = toServer(fromServer(condition))
      expect(back, `seed ${seed}`).toEqual(condition)
      // Twice is the same as once (ids differ, JSON does not).
      expect(toServer(fromServer(back)), `seed ${seed}`).toEqual(condition)
      expect(JSON.stringify(back)).toBe(JSON.stringify(condition)) // key order too
    }
  })
  it('treats null as an empty AND group and keeps malformed parts verbatim', () => {
    expect(toServer(fromServer(null))).toEqual({ all: [] })
    expect(fromServer({ all: 'no' }).kind).toBe('raw')
    expect(fromServer({ field: 'a', op: 'eq', value: 1, extra: 1 }).kind).toBe('raw')
  })
})

describe('helpers', () => {
  it('find local problems', () => {
    const tree = fromServer({ all: [{ field: 'nope', op: 'eq', value: 1 }, { field: 'status', op: 'gt', value: 'x' },
      { field: 'status', op: 'in', value: [] }, { formula: ' ' }, { field: 'data.free', op: 'is_empty' }] })
    expect(localProblems(tree, FIELDS).map((p) => p.code)).toEqual(['unknown_field', 'operator_not_allowed', 'missing_value', 'empty_formula'])
    expect(localProblems(fromServer({ formula: '1' }), FIELDS, false).map((p) => p.code)).toEqual(['formula_not_allowed'])
    expect(localProblems(fromServer({ field: 'status', op: 'in', value: ['new'] }), FIELDS)).toEqual([])
  })
  it('count, detect empty, parse raw, and AND parts together', () => {
    expect(countLeaves(fromServer({ all: [{ not: { field: 'a', op: 'is_empty' } }, { any: [{ formula: '1' }] }] }))).toBe(2)
    expect(isEmptyCondition({ all: [] })).toBe(true)
    expect(isEmptyCondition({ any: [] })).toBe(false)
    expect(parseRaw('{"all": []}')).toEqual({ ok: true, value: { all: [] } })
    expect(parseRaw('[1]')).toEqual({ ok: false, error: 'not_object' })
    expect(parseRaw('{').ok).toBe(false)
    expect(andConditions([{ all: [{ field: 'a', op: 'is_empty' }] }, { field: 'b', op: 'is_empty' }]))
      .toEqual({ all: [{ field: 'a', op: 'is_empty' }, { field: 'b', op: 'is_empty' }] })
  })
})
