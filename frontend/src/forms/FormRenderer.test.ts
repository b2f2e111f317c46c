import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h, ref } from 'vue'
import { i18n } from '@/i18n'
import FormRenderer from './FormRenderer.vue'
import type { Evaluation, FieldErrors, FormSchema } from './model'

const schema: FormSchema = {
  fields: [
    { key: 'name', type: 'text', label: { 'zh-CN': '姓名', en: 'Name' }, required: true },
    { key: 'kind', type: 'radio', label: '类型', options: [{ value: 'refund', label: '退款' }, { value: 'other', label: '其他' }] },
    { key: 'amount', type: 'money', label: '退款金额', visible_when: { field: 'kind', op: 'eq', value: 'refund' } },
    { key: 'total', type: 'formula', label: '合计', formula: '{amount}*2', config: { result_type: 'money' } },
    { key: 'secret', type: 'text', label: '内部备注' },
    { key: 'locked', type: 'text', label: '已锁定' },
  ],
  layout: [],
}

const REQUIRED = { code: 'required', 'zh-CN': '此项为必填项', en: 'This field is required' }

/** A stand-in for the server: the same answer shape, with the rules of this one schema. */
function fakeServer() {
  return vi.fn(async (values: Record<string, unknown>): Promise<Evaluation> => {
    const errors: FieldErrors = {}
    if (!values.name) errors.name = [REQUIRED]
    const refund = values.kind === 'refund'
    return {
      valid: !Object.keys(errors).length,
      values: { ...values, ...(refund && values.amount ? { total: (Number(values.amount) * 2).toFixed(2) } : {}) },
      visibility: { name: true, kind: true, amount: refund, total: true, secret: true, locked: true },
      required: { name: true }, errors, formula_errors: {}, totals: {},
    }
  })
}

function mountRenderer(props: Record<string, unknown> = {}) {
  const model = ref<Record<string, unknown>>({})
  const evaluate = fakeServer()
  const Host = defineComponent({
    setup: () => () => h(FormRenderer, {
      schema, services: { evaluate }, modelValue: model.value, debounce: 0,
      'onUpdate:modelValue': (v: Record<string, unknown>) => (model.value = v), ...props,
    }),
  })
  const wrapper = mount(Host, { global: { plugins: [i18n] }, attachTo: document.body })
  return { wrapper, model, evaluate }
}

const item = (wrapper: ReturnType<typeof mount>, key: string) => wrapper.find(`.cd-form-item[data-field=${key}]`)
// Element Plus shows a form item's message a render later than the prop changes: poll for it.
const errorOf = (wrapper: ReturnType<typeof mount>, key: string) => {
  const error = item(wrapper, key).find('.el-form-item__error')
  return error.exists() ? error.text() : ''
}
async function settle() {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 5))
  await flushPromises()
}

describe('FormRenderer', () => {
  it('shows a conditional field once the server says so, and its computed value', async () => {
    const { wrapper, evaluate } = mountRenderer()
    await settle()
    expect(evaluate).toHaveBeenCalled()
    expect(item(wrapper, 'amount').exists()).toBe(false)
    await wrapper.findAll('.el-radio')[0]!.trigger('click')
    await settle()
    expect(item(wrapper, 'amount').exists()).toBe(true)
    await item(wrapper, 'amount').find('input').setValue('12.5')
    await settle()
    expect(evaluate).toHaveBeenLastCalledWith({ kind: 'refund', amount: '12.5' })
    expect(wrapper.find('[data-computed=total]').text()).toBe('¥25.00')
    wrapper.unmount()
  })

  it('shows the server\'s message only for touched fields, and every one after check()', async () => {
    const { wrapper } = mountRenderer()
    await settle()
    expect(item(wrapper, 'name').text()).not.toContain('此项为必填项')
    const renderer = wrapper.findComponent(FormRenderer)
    const valid = await (renderer.vm as unknown as { check: () => Promise<boolean> }).check()
    await settle()
    expect(valid).toBe(false)
    await vi.waitFor(() => expect(errorOf(wrapper, 'name')).toBe('此项为必填项'))
    wrapper.unmount()
  })

  it('leaves out fields hidden by the viewer\'s rights and locks read-only ones', async () => {
    const { wrapper, model } = mountRenderer({ rights: { hidden: ['secret'], readOnly: ['locked'] } })
    model.value = { secret: 'x', locked: 'y', name: '张三' }
    await settle()
    expect(item(wrapper, 'secret').exists()).toBe(false)
    expect(item(wrapper, 'locked').find('input').attributes('disabled')).toBeDefined()
    expect(item(wrapper, 'name').find('input').attributes('disabled')).toBeUndefined()
    wrapper.unmount()
  })

  it('shows a refused submission\'s errors beside the fields until the field changes', async () => {
    const refused = { name: [{ code: 'not_unique', 'zh-CN': '该值已被其他工单使用', en: 'This value is already used by another ticket' }] }
    const { wrapper } = mountRenderer({ submitErrors: refused })
    await settle()
    await vi.waitFor(() => expect(errorOf(wrapper, 'name')).toBe('该值已被其他工单使用'))
    await item(wrapper, 'name').find('input').setValue('李四')
    await settle()
    await vi.waitFor(() => expect(errorOf(wrapper, 'name')).toBe(''))
    wrapper.unmount()
  })
})
