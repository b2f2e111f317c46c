import { describe, expect, it } from 'vitest'
import { changedValues } from './edit'
import type { FormSchema } from './model'

const schema = {
  fields: [
    { key: 'order_no', type: 'text', label: '订单号' },
    { key: 'amount', type: 'number', label: '金额' },
    { key: 'remark', type: 'textarea', label: '备注' },
    { key: 'total', type: 'formula', label: '合计', formula: '=amount*2' },
    { key: 'locked', type: 'text', label: '锁定', read_only: true },
    { key: 'secret', type: 'text', label: '内部' },
    { key: 'audit', type: 'text', label: '审核意见' },
  ],
} as unknown as FormSchema

describe('changedValues (ticket form edits)', () => {
  const stored = { order_no: 'A1', amount: 5, remark: '旧', total: 10, locked: 'x', secret: 's', audit: 'ok' }
  it('sends only what the viewer changed; a cleared value is null', () => {
    const model = { ...stored, amount: 6, remark: '' }
    expect(changedValues(schema, stored, model)).toEqual({ amount: 6, remark: null })
  })
  it('never sends computed, read-only or hidden fields, even when the model differs', () => {
    const model = { ...stored, total: 99, locked: 'y', secret: 't', audit: 'changed' }
    expect(changedValues(schema, stored, model, { hidden: ['secret'], readOnly: ['audit'] })).toEqual({})
  })
  it('is empty when nothing changed, and adds a value that was missing', () => {
    expect(changedValues(schema, stored, { ...stored })).toEqual({})
    expect(changedValues(schema, { order_no: 'A1' }, { order_no: 'A1', amount: 3 })).toEqual({ amount: 3 })
  })
})
