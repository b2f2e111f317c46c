import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n } from '@/i18n'
import PropertiesPanel, { type Selection } from './PropertiesPanel.vue'

const task: Selection = {
  id: 'sign', type: 'userTask', name: '会签', problems: ['用户任务缺少 cd:assignee'], broken: {},
  cd: { multi: { mode: 'quorum', quorum: 2 }, fieldRights: { amount: 'readonly', gone: 'hidden' }, deadline: { hours: 8, business: true, onTimeout: 'transfer' } },
}

function mountPanel(selection: Selection | null, readonly = false) {
  return mount(PropertiesPanel, {
    global: { plugins: [i18n] },
    props: {
      selection, readonly, roles: [{ value: 'handler', label: '处理人' }], users: [], departments: [{ value: '质量部', label: '质量部' }],
      teams: [], nodes: [], conditionFields: [],
      forms: [{ id: 1, name: '投诉登记', fields: [{ key: 'kind', label: '诉求类型', type: 'radio' }, { key: 'amount', label: '涉及金额', type: 'money' }] }],
    },
  })
}

// Element Plus in jsdom is slow on a busy machine: a generous limit, the assertions decide.
describe('properties panel', { timeout: 60_000 }, () => {
  it('shows a user task: its problems, the quorum, the field-rights grid with the fields the form lacks', () => {
    const w = mountPanel(task)
    expect(w.find('[data-testid=pd-props-problem]').text()).toContain('cd:assignee')
    expect(w.find('[data-testid=pd-prop-quorum] input').element).toBeTruthy()
    const rows = w.findAll('[data-testid=pd-field-rights] tbody tr').map((r) => r.attributes('data-testid'))
    expect(rows).toEqual(['pd-right-kind', 'pd-right-amount', 'pd-right-gone'])
    expect(w.find('[data-testid=pd-right-amount] [data-access=readonly]').classes()).toContain('is-checked')
    expect(w.find('[data-testid=pd-right-kind] [data-access=none]').classes()).toContain('is-checked')
    expect(w.find('[data-testid=pd-right-gone]').classes()).toContain('cd-rights-unknown')
    expect(w.find('[data-testid=pd-deadline-transfer]').exists()).toBe(true)
  })

  it('emits the changed property as the BPMN stores it', async () => {
    const w = mountPanel(task)
    await w.find('[data-testid=pd-right-kind] [data-access=required] input').setValue(true)
    expect(w.emitted('cd')!.at(-1)).toEqual([{ fieldRights: { amount: 'readonly', gone: 'hidden', kind: 'required' } }])
    await w.find('[data-testid=pd-right-amount] [data-access=none] input').setValue(true)
    expect(w.emitted('cd')!.at(-1)).toEqual([{ fieldRights: { gone: 'hidden' } }])
    const multi = w.findAll('[data-testid=pd-prop-multi] input[type=radio]')
    await multi[1]!.setValue(true) // 会签 all
    expect(w.emitted('cd')!.at(-1)).toEqual([{ multi: { mode: 'all' } }])
    await w.find('[data-testid=pd-deadline-on] input').setValue(false)
    expect(w.emitted('cd')!.at(-1)).toEqual([{ deadline: null }])
    await w.find('[data-testid=pd-prop-essential]').trigger('click')
    expect(w.emitted('cd')!.at(-1)).toEqual([{ essential: false }])
    const name = w.find('input[data-testid=pd-prop-name]')
    await name.setValue('质量会签')
    await name.trigger('change')
    expect(w.emitted('name')!.at(-1)).toEqual(['质量会签'])
  })

  it('offers the default-flow switch and the condition only on flows out of a gateway; read-only disables edits', () => {
    const flow = mountPanel({ id: 'f', type: 'sequenceFlow', name: '', cd: {}, broken: {}, problems: [], fromGateway: false })
    expect(flow.find('[data-testid=pd-prop-default]').exists()).toBe(false)
    const out = mountPanel({ id: 'f', type: 'sequenceFlow', name: '', cd: {}, broken: {}, problems: [], fromGateway: true, condition: null })
    expect(out.find('[data-testid=pd-prop-default]').exists()).toBe(true)
    expect(out.find('[data-testid=pd-condition-add]').exists()).toBe(true)
    const ro = mountPanel(task, true)
    expect(ro.find('input[data-testid=pd-prop-name]').attributes('disabled')).toBeDefined()
    expect(ro.findAll('[data-testid=pd-field-rights] input[type=radio]').every((i) => i.attributes('disabled') !== undefined)).toBe(true)
  })
})
