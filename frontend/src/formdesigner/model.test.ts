import { describe, expect, it } from 'vitest'
import {
  conditionFields, duplicateField, generateKey, insertContainer, insertField, keyProblem, keysUnder, locate, messageFor,
  moveByOne, moveNode, newField, normalizeSchema, problemFieldKey, problemProperty, removeField, removeNode, slugKey,
  updateField, type FieldTypeInfo, type FormSchema,
} from './model'
import { applyCompletion, completionAt, functionsCalled, rankCandidates, references, tokenize } from './formula'

const f = (key: string, type = 'text') => ({ key, type, label: { 'zh-CN': key } })
const numberType: FieldTypeInfo = { type: 'number', family: 'number', label: { 'zh-CN': '数字', en: 'Number' }, has_value: true, computed: false, properties: ['min', 'max'], config: [] }
const radioType: FieldTypeInfo = { ...numberType, type: 'radio', family: 'choice', label: { 'zh-CN': '单选', en: 'Radio' }, properties: ['options'] }
const tableType: FieldTypeInfo = { ...numberType, type: 'sub_table', family: 'advanced', label: { 'zh-CN': '子表单', en: 'Sub-table' }, properties: [] }

function sample(): FormSchema {
  // a, [section: b, [columns: (c) | (d)]], [tabs: (e) | ()]
  return {
    fields: ['a', 'b', 'c', 'd', 'e'].map((k) => f(k)),
    layout: [
      'a',
      { type: 'section', title: 'S', children: [{ type: 'field', key: 'b' }, { type: 'columns', columns: [{ span: 12, children: ['c'] }, { span: 12, children: ['d'] }] }] },
      { type: 'tabs', tabs: [{ title: 'T1', children: ['e'] }, { title: 'T2', children: [] }] },
    ],
    settings: {},
  }
}
const order = (s: FormSchema) => (s.layout ?? []).flatMap(keysUnder)

describe('layout edits', () => {
  it('normalises an empty layout to every field in order, and strings to field nodes', () => {
    const s = normalizeSchema({ fields: [f('x'), f('y')], layout: [] })
    expect(s.layout).toEqual([{ type: 'field', key: 'x' }, { type: 'field', key: 'y' }])
    expect(normalizeSchema(sample()).layout![0]).toEqual({ type: 'field', key: 'a' })
  })

  it('locates fields in sections, columns and tabs', () => {
    const s = sample()
    expect(locate(s.layout!, 'a')).toEqual({ path: [], index: 0 })
    expect(locate(s.layout!, 'b')).toEqual({ path: [{ i: 1 }], index: 0 })
    expect(locate(s.layout!, 'd')).toEqual({ path: [{ i: 1 }, { i: 1, sub: 1 }], index: 0 })
    expect(locate(s.layout!, 'e')).toEqual({ path: [{ i: 2, sub: 0 }], index: 0 })
    expect(locate(s.layout!, 'zz')).toBeNull()
  })

  it('inserts a field into a column, a tab, or at the end', () => {
    let s = insertField(sample(), f('n'), { path: [{ i: 1 }, { i: 1, sub: 0 }], index: 1 })
    expect(locate(s.layout!, 'n')).toEqual({ path: [{ i: 1 }, { i: 1, sub: 0 }], index: 1 })
    s = insertField(s, f('m'), { path: [{ i: 2, sub: 1 }], index: 0 })
    expect(locate(s.layout!, 'm')).toEqual({ path: [{ i: 2, sub: 1 }], index: 0 })
    s = insertField(s, f('z'))
    expect(order(s)).toEqual(['a', 'b', 'c', 'n', 'd', 'e', 'm', 'z'])
    expect(s.fields!.map((x) => x.key)).toEqual(order(s)) // fields follow the layout
    expect(sample().fields!.length).toBe(5) // inputs are never changed
  })

  it('moves within a list (both directions) and between sections', () => {
    let s = insertField(sample(), f('z')) // a, S, T, z
    s = moveNode(s, { path: [], index: 3 }, { path: [], index: 0 })
    expect(order(s)).toEqual(['z', 'a', 'b', 'c', 'd', 'e'])
    s = moveNode(s, { path: [], index: 0 }, { path: [], index: 2 }) // after a
    expect(order(s)).toEqual(['a', 'z', 'b', 'c', 'd', 'e'])
    s = moveNode(s, { path: [], index: 1 }, { path: [{ i: 2 }], index: 1 }) // into the section (index 2 before the move)
    expect(locate(s.layout!, 'z')).toEqual({ path: [{ i: 1 }], index: 1 })
    s = moveNode(s, locate(s.layout!, 'e')!, { path: [{ i: 1 }], index: 0 }) // out of a tab into the section
    expect(order(s)).toEqual(['a', 'e', 'b', 'z', 'c', 'd'])
  })

  it('moves a container with its fields, and refuses to drop it into itself', () => {
    const s = sample()
    const same = moveNode(s, { path: [], index: 1 }, { path: [{ i: 1 }, { i: 1, sub: 0 }], index: 0 })
    expect(order(same)).toEqual(order(s))
    const moved = moveNode(s, { path: [], index: 1 }, { path: [], index: 3 })
    expect(order(moved)).toEqual(['a', 'e', 'b', 'c', 'd'])
  })

  it('moves up and down by one, leaving a container at its ends', () => {
    let s = sample()
    s = moveByOne(s, locate(s.layout!, 'b')!, -1) // first in the section: out, above it
    expect(locate(s.layout!, 'b')).toEqual({ path: [], index: 1 })
    s = moveByOne(s, locate(s.layout!, 'a')!, 1)
    expect(order(s).slice(0, 2)).toEqual(['b', 'a'])
    s = moveByOne(s, locate(s.layout!, 'e')!, 1) // last in its tab: out, below the tabs
    expect(locate(s.layout!, 'e')).toEqual({ path: [], index: 4 })
    expect(moveByOne(s, { path: [], index: 0 }, -1)).toEqual(normalizeSchema(s)) // top stays
  })

  it('removes a field, or a container with the fields in it', () => {
    let s = removeField(sample(), 'c')
    expect(order(s)).toEqual(['a', 'b', 'd', 'e'])
    s = removeNode(s, { path: [], index: 1 })
    expect(order(s)).toEqual(['a', 'e'])
    expect(s.fields!.map((x) => x.key)).toEqual(['a', 'e'])
  })

  it('adds sections, columns and tabs', () => {
    const s = insertContainer(insertContainer(sample(), 'columns', { path: [], index: 0 }), 'section', { path: [{ i: 0, sub: 1 }], index: 0 })
    const columns = s.layout![0] as { type: string; columns: { children: unknown[] }[] }
    expect(columns.type).toBe('columns')
    expect(columns.columns[1]!.children[0]).toMatchObject({ type: 'section', children: [] })
  })

  it('duplicates a field after itself with a fresh key; renames keep the layout', () => {
    const { schema, key } = duplicateField(sample(), 'b')
    expect(key).toBe('b_copy')
    expect(locate(schema.layout!, 'b_copy')).toEqual({ path: [{ i: 1 }], index: 1 })
    const renamed = updateField(schema, 'b_copy', { ...f('b2') })
    expect(locate(renamed.layout!, 'b2')).toEqual({ path: [{ i: 1 }], index: 1 })
    expect(renamed.fields!.some((x) => x.key === 'b_copy')).toBe(false)
  })
})

describe('keys', () => {
  it('slugs English labels and numbers duplicates', () => {
    expect(slugKey('Unit price')).toBe('unit_price')
    expect(slugKey('  2nd Café – total! ')).toBe('nd_cafe_total')
    expect(slugKey('单价')).toBe('')
    expect(generateKey({ 'zh-CN': '单价', en: 'Unit price' }, 'number', new Set())).toBe('unit_price')
    expect(generateKey({ 'zh-CN': '单价' }, 'number', new Set(['number']))).toBe('number_1')
    expect(generateKey({ 'zh-CN': '单价', en: 'Price' }, 'number', new Set(['price', 'price_1']))).toBe('price_2')
  })

  it('new fields get unique keys across sub-table columns, and starting content', () => {
    let s: FormSchema = { fields: [], layout: [] }
    const table = newField(tableType, s)
    s = insertField(s, table)
    const table2 = newField(tableType, s)
    expect(table2.key).not.toBe(table.key)
    expect((table2.config!.columns as { key: string }[])[0]!.key).not.toBe((table.config!.columns as { key: string }[])[0]!.key)
    expect(newField(radioType, s).options).toHaveLength(3)
    expect(keyProblem('Bad-Key', s)).toBe('format')
    expect(keyProblem(table.key, s)).toBe('duplicate')
    expect(keyProblem(table.key, s, table.key)).toBe('')
    expect(keyProblem('item', s)).toBe('duplicate') // a column's key
  })
})

describe('server problems and conditions', () => {
  it('maps problem paths to fields and properties', () => {
    const s: FormSchema = { fields: [f('a'), { key: 't', type: 'sub_table', config: { columns: [f('q')] } }] }
    expect(problemFieldKey(s, 'fields[0].formula')).toBe('a')
    expect(problemFieldKey(s, 'fields[1].config.columns[0].formula')).toBe('q')
    expect(problemFieldKey(s, 'layout[0].children[1]')).toBeNull()
    expect(problemProperty('fields[0].formula')).toBe('formula')
    expect(problemProperty('fields[1].config.columns[0].config.scale')).toBe('config.scale')
    expect(problemProperty('fields[0].visible_when/all/0/field')).toBe('visible_when')
    expect(messageFor('公式有误 / Bad formula', 'en')).toBe('Bad formula')
    expect(messageFor('公式有误 / Bad formula', 'zh-CN')).toBe('公式有误')
  })

  it('describes the form fields for the condition builder with option labels', () => {
    const s: FormSchema = { fields: [
      { key: 'need', type: 'radio', label: { 'zh-CN': '是否退款', en: 'Refund?' }, options: [{ value: 'yes', label: { 'zh-CN': '是', en: 'Yes' } }] },
      { key: 'total', type: 'formula', config: { result_type: 'money' } }, f('d', 'divider'), f('when', 'date'),
    ] }
    const fields = conditionFields(s, 'zh-CN', 'when')
    expect(fields.map((x) => [x.name, x.type])).toEqual([['need', 'choice'], ['total', 'number']])
    expect(fields[0]).toMatchObject({ choices: ['yes'], choice_labels: { yes: '是' }, label: '是否退款', label_en: 'Refund?' })
  })
})

describe('formula lexer and completion', () => {
  it('tokenizes fields, strings, functions, errors and array constants', () => {
    const kinds = tokenize('=IF({qty}>0, "a""b", #DIV/0!) & {1,2}').filter((t) => t.kind !== 'space').map((t) => `${t.kind}:${t.text}`)
    expect(kinds).toEqual(['op:=', 'ident:IF', 'paren:(', 'field:{qty}', 'op:>', 'number:0', 'comma:,', 'string:"a""b"', 'comma:,',
      'error:#DIV/0!', 'paren:)', 'op:&', 'brace:{', 'number:1', 'comma:,', 'number:2', 'brace:}'])
    expect(references('{unit_price}*{ quantity } + SUM({items.qty}) + {unit_price}')).toEqual(['unit_price', 'quantity', 'items.qty'])
    expect(functionsCalled('round(SUM({a}), 2) + IF')).toEqual(['ROUND', 'SUM'])
    expect(tokenize('"open').at(-1)).toMatchObject({ kind: 'string', closed: false })
  })

  it('knows what is typed at the cursor', () => {
    expect(completionAt('{unit', 5)).toEqual({ kind: 'field', prefix: 'unit', start: 1, end: 5 })
    expect(completionAt('1 + {', 5)).toEqual({ kind: 'field', prefix: '', start: 5, end: 5 })
    expect(completionAt('{qu} * 2', 3)).toEqual({ kind: 'field', prefix: 'qu', start: 1, end: 3 })
    expect(completionAt('{qty}', 5)).toBeNull()
    expect(completionAt('1 + ROU', 7)).toEqual({ kind: 'function', prefix: 'ROU', start: 4, end: 7 })
    expect(completionAt('"ROU', 4)).toBeNull()
    expect(completionAt('12', 2)).toBeNull()
  })

  it('applies a completion and places the cursor after it', () => {
    expect(applyCompletion('{unit', completionAt('{unit', 5)!, 'unit_price')).toEqual({ text: '{unit_price}', cursor: 12 })
    expect(applyCompletion('{qu} * 2', completionAt('{qu} * 2', 3)!, 'quantity')).toEqual({ text: '{quantity} * 2', cursor: 10 })
    expect(applyCompletion('1 + rou', completionAt('1 + rou', 7)!, 'ROUND')).toEqual({ text: '1 + ROUND(', cursor: 10 })
    expect(applyCompletion('SU(1)', completionAt('SU(1)', 2)!, 'SUM')).toEqual({ text: 'SUM(1)', cursor: 4 })
  })

  it('ranks prefix matches before inner matches', () => {
    const names = ['SUM', 'SUMIF', 'ISNUMBER', 'NOW']
    expect(rankCandidates(names, 'num', (n) => [n])).toEqual(['ISNUMBER'])
    expect(rankCandidates(names, 'su', (n) => [n])).toEqual(['SUM', 'SUMIF'])
    expect(rankCandidates(names, '', (n) => [n], 2)).toEqual(['SUM', 'SUMIF'])
  })
})
