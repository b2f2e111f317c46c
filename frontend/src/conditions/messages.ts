import type { ModuleMessages } from '@/i18n/modules'

const messages: ModuleMessages = {
  'zh-CN': {
    condition: {
      all: '满足全部条件', any: '满足任一条件', not: '不满足以下条件', addRule: '添加条件', addGroup: '添加条件组',
      addFormula: '添加公式', negate: '取反', unnegate: '取消取反', remove: '删除', field: '字段', operator: '运算符',
      value: '值', formula: '公式', formulaPlaceholder: '例如 {amount} > 1000', visual: '可视化', raw: 'JSON 原文',
      rawInvalid: 'JSON 无效：{error}', rawNotObject: '条件必须是一个 JSON 对象', emptyGroup: '（空条件组：全部满足）',
      emptyAny: '（空“任一”组：都不满足）', rawNode: '无法图形化编辑的部分（保留原样）', yes: '是', no: '否',
      from: '从', to: '到', pick: '请选择', keywords: '输入关键词后回车', listPlaceholder: '可多选或输入后回车',
      problems: {
        unknown_field: '未知字段', operator_not_allowed: '该字段不支持此运算符', missing_value: '请填写值',
        formula_not_allowed: '此处不能使用公式（需在数据库中执行）', empty_formula: '公式为空',
      },
      units: { s: '秒', m: '分钟', h: '小时', d: '天', w: '周' },
      ops: {
        eq: '等于', ne: '不等于', in: '属于', not_in: '不属于', contains: '包含', not_contains: '不包含',
        starts_with: '开头是', any_keyword: '包含任一关键词', is_empty: '为空', is_not_empty: '不为空',
        gt: '大于', gte: '大于等于', lt: '小于', lte: '小于等于', between: '介于', before: '早于', after: '晚于',
        within_last: '最近', within_next: '未来',
      },
      level: { high: '高', medium: '中', low: '低' },
    },
  },
  en: {
    condition: {
      all: 'All of these', any: 'Any of these', not: 'None of this', addRule: 'Add condition', addGroup: 'Add group',
      addFormula: 'Add formula', negate: 'Negate', unnegate: 'Remove negation', remove: 'Remove', field: 'Field', operator: 'Operator',
      value: 'Value', formula: 'Formula', formulaPlaceholder: 'e.g. {amount} > 1000', visual: 'Visual', raw: 'JSON',
      rawInvalid: 'Invalid JSON: {error}', rawNotObject: 'A condition must be a JSON object', emptyGroup: '(empty group: always true)',
      emptyAny: '(empty "any" group: never true)', rawNode: 'A part the builder cannot show (kept as is)', yes: 'Yes', no: 'No',
      from: 'From', to: 'To', pick: 'Choose', keywords: 'Type a word and press Enter', listPlaceholder: 'Choose several or type and press Enter',
      problems: {
        unknown_field: 'Unknown field', operator_not_allowed: 'This field does not allow this operator', missing_value: 'Enter a value',
        formula_not_allowed: 'Formulas are not allowed here (it runs as a database query)', empty_formula: 'The formula is empty',
      },
      units: { s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' },
      ops: {
        eq: 'is', ne: 'is not', in: 'is one of', not_in: 'is none of', contains: 'contains', not_contains: 'does not contain',
        starts_with: 'starts with', any_keyword: 'contains any word', is_empty: 'is empty', is_not_empty: 'is not empty',
        gt: 'greater than', gte: 'at least', lt: 'less than', lte: 'at most', between: 'between', before: 'before', after: 'after',
        within_last: 'in the last', within_next: 'in the next',
      },
      level: { high: 'High', medium: 'Medium', low: 'Low' },
    },
  },
}

export default messages
