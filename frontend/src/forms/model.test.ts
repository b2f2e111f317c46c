import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/errors'
import {
  adoptDefaults, conditionalKeys, effectiveLayout, errorsFromApiError, isFieldVisible, isNodeVisible, isRequired, messageText,
  newSubmissionId, nodeFieldKeys, orphanErrors, rootKey, shownErrors, submittableValues, type FormSchema,
} from './model'

const schema: FormSchema = {
  fields: [
    { key: 'name', type: 'text', label: '姓名', required: true },
    { key: 'kind', type: 'dropdown', label: '类型', options: [{ value: 'a' }, { value: 'b' }] },
    { key: 'amount', type: 'money', label: '金额', visible_when: { field: 'kind', op: 'eq', value: 'a' } },
    { key: 'store', type: 'text', label: '门店' },
    { key: 'days', type: 'formula', label: '天数', formula: '1+1' },
    { key: 'serial', type: 'serial_number', label: '流水号' },
    { key: 'note', type: 'description', label: '说明' },
    { key: 'source', type: 'hidden', label: '来源' },
    { key: 'secret', type: 'text', label: '内部' },
    { key: 'locked', type: 'text', label: '锁定', read_only: true },
    { key: 'items', type: 'sub_table', label: '明细', config: { columns: [
      { key: 'qty', type: 'integer', label: '数量' }, { key: 'sum', type: 'formula', label: '小计', formula: '{qty}' }] } },
    { key: 'other', type: 'text', label: '其他', required: true, required_when: { field: 'kind', op: 'eq', value: 'b' } },
  ],
  layout: [
    { type: 'columns', columns: [{ span: 12, children: ['name'] }, { span: 12, children: ['kind'] }] },
    'amount',
    { type: 'section', title: '门店', visible_when: { field: 'kind', op: 'eq', value: 'b' }, children: ['store'] },
    { type: 'tabs', tabs: [{ title: 'x', children: ['days', 'serial', 'note'] }, { title: 'y', children: [{ type: 'field', key: 'items' }] }] },
    'secret', 'locked', 'other',
  ],
}

describe('layout', () => {
  it('lists the fields under each node, and every field when the layout is empty', () => {
    expect(nodeFieldKeys(schema.layout![0]!)).toEqual(['name', 'kind'])
    expect(nodeFieldKeys(schema.layout![3]!)).toEqual(['days', 'serial', 'note', 'items'])
    expect(effectiveLayout({ fields: [{ key: 'a', type: 'text' }, { key: 'b', type: 'text' }] })).toEqual(['a', 'b'])
  })
  it('knows which fields depend on a condition: their own or a section around them', () => {
    expect([...conditionalKeys(schema)].sort()).toEqual(['amount', 'store'])
  })
})

describe('visibility', () => {
  const conditional = conditionalKeys(schema)
  const field = (key: string) => schema.fields!.find((f) => f.key === key)!
  it('waits for the server for conditional fields and shows the rest at once', () => {
    expect(isFieldVisible(field('name'), null, conditional)).toBe(true)
    expect(isFieldVisible(field('amount'), null, conditional)).toBe(false)
    expect(isFieldVisible(field('store'), null, conditional)).toBe(false)
  })
  it('follows the server answer once there is one', () => {
    const answer = { visibility: { amount: true, store: false, name: true } }
    expect(isFieldVisible(field('amount'), answer, conditional)).toBe(true)
    expect(isFieldVisible(field('store'), answer, conditional)).toBe(false)
  })
  it('never shows hidden-type fields or fields hidden by the viewer\'s rights', () => {
    expect(isFieldVisible(field('source'), { visibility: { source: true } }, conditional)).toBe(false)
    expect(isFieldVisible(field('secret'), { visibility: { secret: true } }, conditional, { hidden: ['secret'] })).toBe(false)
  })
  it('shows a section or tab while any field inside shows', () => {
    const section = schema.layout![2]!
    expect(isNodeVisible(section, (k) => k === 'store')).toBe(true)
    expect(isNodeVisible(section, () => false)).toBe(false)
  })
})

describe('required', () => {
  const field = (key: string) => schema.fields!.find((f) => f.key === key)!
  it('takes the server\'s required map, and before it only unconditional required', () => {
    expect(isRequired(field('name'), null)).toBe(true)
    expect(isRequired(field('other'), null)).toBe(false)
    expect(isRequired(field('other'), { required: { other: true } })).toBe(true)
    expect(isRequired(field('days'), { required: { days: true } })).toBe(false)
  })
})

describe('submitted values', () => {
  it('leaves out computed, layout, hidden-type, read-only, rights-restricted and blank values', () => {
    const model = {
      name: ' 张三 ', kind: 'a', amount: '12.50', store: '', days: 2, serial: 'X-1', source: 'x', secret: 's', locked: 'l',
      other: [], items: [{ qty: 2, sum: 2 }, { qty: '', sum: 0 }],
    }
    expect(submittableValues(schema, model, { hidden: ['secret'] })).toEqual({
      name: ' 张三 ', kind: 'a', amount: '12.50', items: [{ qty: 2 }, {}],
    })
    expect(submittableValues(schema, { secret: 's' }, { readOnly: ['secret'] })).toEqual({})
  })
  it('adopts the server\'s defaults only for fields still blank', () => {
    const next = adoptDefaults(schema, { name: '李四', kind: '' }, { name: '默认', kind: 'b', days: 3, source: 'x' })
    expect(next).toEqual({ name: '李四', kind: 'b' })
  })
})

describe('errors', () => {
  const required = [{ code: 'required', 'zh-CN': '此项为必填项', en: 'This field is required' }]
  it('speaks the server\'s message in the UI language', () => {
    expect(messageText(required[0]!, 'zh-CN')).toBe('此项为必填项')
    expect(messageText(required[0]!, 'en')).toBe('This field is required')
    expect(messageText({ code: 'odd' }, 'en')).toBe('odd')
  })
  it('shows errors of touched fields, all after a submit attempt, and always a refused submission\'s', () => {
    const evaluated = { name: required, 'items[1].qty': required, kind: required }
    expect(Object.keys(shownErrors(evaluated, {}, new Set(), false))).toEqual([])
    expect(Object.keys(shownErrors(evaluated, {}, new Set(['items']), false))).toEqual(['items[1].qty'])
    expect(Object.keys(shownErrors(evaluated, {}, new Set(), true)).sort()).toEqual(['items[1].qty', 'kind', 'name'])
    expect(Object.keys(shownErrors({}, { store: required }, new Set(), false))).toEqual(['store'])
  })
  it('reads the field errors of a refused submission (422 invalid_data)', () => {
    const error = new ApiError(422, { code: 'invalid_data', message: '表单数据无效 / The form data is invalid',
      details: { errors: { name: required, junk: 'x', 'items[0].qty': [{ nope: 1 }, required[0]] } } })
    expect(errorsFromApiError(error)).toEqual({ name: required, 'items[0].qty': required })
    expect(errorsFromApiError(new ApiError(429, { code: 'rate_limited', message: 'x', details: { limit: 10 } }))).toBeNull()
    expect(errorsFromApiError(new Error('x'))).toBeNull()
  })
  it('puts errors of fields not on the page above the button', () => {
    expect(rootKey('items[2].qty')).toBe('items')
    expect(orphanErrors({ name: required, ghost: required, 'items[0].qty': required }, new Set(['name', 'items'])))
      .toEqual([['ghost', required]])
  })
})

it('makes submission ids the server accepts', () => {
  const id = newSubmissionId()
  expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
  expect(newSubmissionId()).not.toBe(id)
})
