import { describe, expect, it } from 'vitest'
import { displayRows, formatValue, type FormSchema } from './formDisplay'

const words = { yes: '是', no: '否', files: (n: number) => `${n} 个文件` }

const schema: FormSchema = {
  fields: [
    { key: 'kind', type: 'radio', label: { 'zh-CN': '诉求', en: 'Request' },
      options: [{ value: 'refund', label: { 'zh-CN': '退款', en: 'Refund' } }] },
    { key: 'amount', type: 'money', label: { 'zh-CN': '金额', en: 'Amount' } },
    { key: 'note', type: 'description', label: '说明' },
    { key: 'secret', type: 'text', label: '内部字段' },
    { key: 'where', type: 'cascade', label: '问题部位',
      options: [{ value: 'phone', label: '手机', children: [{ value: 'battery', label: { 'zh-CN': '电池', en: 'Battery' } }] }] },
    { key: 'items', type: 'sub_table', label: '明细', config: { columns: [{ key: 'qty', type: 'integer', label: '数量' }] } },
  ],
}

describe('displayRows', () => {
  it('labels values from the pinned form version in the UI language', () => {
    const rows = displayRows(schema, { kind: 'refund', amount: '12.50' }, 'en', words)
    expect(rows.map((r) => [r.label, r.text])).toEqual([['Request', 'Refund'], ['Amount', '¥12.50']])
  })
  it('shows only keys present in the data: fields hidden from the viewer stay absent', () => {
    const rows = displayRows(schema, { kind: 'refund' }, 'zh-CN', words)
    expect(rows.map((r) => r.key)).toEqual(['kind'])
  })
  it('shows keys without a definition by key, last', () => {
    const rows = displayRows(schema, { legacy: 'x', kind: 'refund' }, 'zh-CN', words)
    expect(rows.map((r) => [r.label, r.text])).toEqual([['诉求', '退款'], ['legacy', 'x']])
    expect(displayRows(null, { a: 1 }, 'zh-CN', words)[0]).toMatchObject({ label: 'a', text: '1' })
  })
  it('walks cascade paths and sub-table rows', () => {
    const rows = displayRows(schema, { where: ['phone', 'battery'], items: [{ qty: 2 }, { qty: 3 }] }, 'en', words)
    expect(rows[0]!.text).toBe('手机 / Battery')
    expect(rows[1]!.rows!.map((r) => r[0]!.text)).toEqual(['2', '3'])
  })
})

describe('formatValue', () => {
  it('formats structured values as text', () => {
    expect(formatValue({ key: 's', type: 'switch' }, false, 'zh-CN', words)).toBe('否')
    expect(formatValue({ key: 'r', type: 'china_region' }, { names: ['广东省', '深圳市'], detail: '科技园' }, 'zh-CN', words))
      .toBe('广东省深圳市 科技园')
    expect(formatValue({ key: 'l', type: 'location' }, { lat: 22.5, lng: 113.9 }, 'zh-CN', words)).toBe('22.5, 113.9')
    expect(formatValue({ key: 'i', type: 'images' }, [{ id: 'a' }, { id: 'b' }], 'zh-CN', words)).toBe('2 个文件')
    expect(formatValue({ key: 'h', type: 'rich_text' }, '<p>你好<script>x</script></p>', 'zh-CN', words)).toBe('你好x')
    expect(formatValue({ key: 'x', type: 'text' }, '', 'zh-CN', words)).toBe('—')
  })
})

describe('read-only fields', () => {
  it('marks the rows of read-only fields as locked', () => {
    const schema: FormSchema = { fields: [{ key: 'a', type: 'text', label: 'A' }, { key: 'b', type: 'text', label: 'B' }] }
    const words = { yes: 'yes', no: 'no', files: (n: number) => `${n}` }
    const rows = displayRows(schema, { a: 'x', b: 'y' }, 'en', words, ['b'])
    expect(rows.map((r) => [r.key, !!r.locked])).toEqual([['a', false], ['b', true]])
    expect(displayRows(schema, { a: 'x' }, 'en', words).every((r) => !r.locked)).toBe(true)
  })
})
