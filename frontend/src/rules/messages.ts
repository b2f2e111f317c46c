import type { ModuleMessages } from '@/i18n/modules'

const messages: ModuleMessages = {
  'zh-CN': {
    admin: { nav: { rules: '业务规则' } },
    rules: {
      title: '业务规则', intro: '事件发生时按顺序逐条判断：满足条件就执行动作。拖动行或用箭头调整顺序。',
      create: '新建规则', edit: '编辑', delete: '删除', deleteConfirm: '确定删除规则“{name}”？运行记录会保留。', deleted: '规则已删除',
      runs: '运行记录', filterEvent: '触发事件', filterEnabled: '状态', enabledOn: '已启用', enabledOff: '已停用', allEvents: '全部事件',
      order: '顺序', name: '名称', events: '触发事件', stats: '匹配 / 运行', lastRun: '最近运行', never: '从未运行',
      lastMatched: '最近匹配 {time}', enabled: '启用', stopAfter: '匹配后停止', stopAfterHint: '本规则匹配后，不再判断后面的规则',
      shipped: '内置', moveUp: '上移', moveDown: '下移', dragHandle: '拖动排序', reordered: '顺序已保存',
      reorderFiltered: '筛选时不能调整顺序，请先清除筛选', enabledToast: '规则已启用', disabledToast: '规则已停用',
      empty: '还没有规则', emptyFiltered: '没有符合筛选的规则', statsValue: '{matched} / {runs}', version: 'v{n}',
      noActions: '无动作', actionsCount: '{n} 个动作',
      editor: {
        newTitle: '新建规则', editTitle: '编辑规则：{name}', tabRule: '规则', tabDryRun: '试运行', tabRuns: '运行记录', tabVersions: '版本历史',
        basics: '基本信息', nameZh: '名称（中文）', nameEn: '名称（英文）', nameEnPlaceholder: '可选，英文界面显示', description: '说明',
        when: '当（触发事件）', eventsPlaceholder: '选择一个或多个事件', if: '如果（条件）', then: '那么（动作，按顺序执行）',
        conditionHint: '不加条件表示总是满足。规则条件可以使用公式。', formFields: '自定义字段来自表单', formFieldsNone: '不使用表单字段',
        save: '保存', saveAndClose: '保存并关闭', cancel: '关闭', saved: '规则已保存（版本 {n}）', created: '规则已创建',
        fixLocal: '请先修正标出的问题', problemsTitle: '服务器指出 {n} 个问题，已标在对应位置', conditionProblems: '条件中的问题',
        unsavedSwitch: '有未保存的修改，确定放弃？', saveFirst: '保存后才能查看', enabledHint: '停用的规则不会运行，可先试运行再启用',
      },
      actions: {
        add: '添加动作', type: '动作类型', remove: '删除动作', moveUp: '上移动作', moveDown: '下移动作', empty: '还没有动作：规则匹配后什么也不做',
        json: '参数（JSON）', jsonHint: '此动作类型没有参数表单，请按其文档填写 JSON', jsonInvalid: 'JSON 格式不正确（需要一个对象）',
        required: '必填', range: '超出允许范围', unknownType: '未知的动作类型', fieldName: '字段', fieldValue: '值',
        addField: '添加字段', tagsPlaceholder: '输入后回车', choose: '请选择', step: '动作 {n}',
      },
      dry: {
        intro: '用当前编辑中的规则（无需保存）判断最近的工单，显示会执行哪些动作。不会改动任何数据。',
        days: '时间范围', daysOption: '最近 {n} 天', limit: '工单数量', limitOption: '最近 {n} 张', unmatched: '同时列出不匹配的工单',
        run: '开始试运行', summary: '检查 {scanned} 张工单，匹配 {matched} 张', truncated: '结果较多，只显示前 500 条',
        ticket: '工单', subject: '主题', created: '创建时间', result: '结果', matched: '匹配', notMatched: '不匹配',
        actions: '将执行的动作', none: '没有工单', notRun: '设置范围后点击“开始试运行”',
      },
      log: {
        time: '时间', ticket: '工单', event: '事件', matched: '结果', actions: '执行的动作', errors: '错误', version: '版本',
        duration: '耗时', all: '全部', onlyMatched: '仅匹配', onlyUnmatched: '仅不匹配', empty: '还没有运行记录', ok: '成功', failed: '失败',
        ticketDeleted: '（已删除）',
      },
      versions: {
        version: '版本', time: '时间', by: '修改人', current: '当前', restore: '载入此版本', restored: '已载入版本 {n}，保存后生效',
        system: '系统', changed: '变更', initial: '创建',
        keys: {
          name: '名称', name_en: '英文名称', description: '说明', events: '触发事件', condition: '条件', actions: '动作', order: '顺序',
          stop_after: '匹配后停止', enabled: '启用状态',
        },
      },
      eventNames: {
        ticket_created: '工单创建', ticket_updated: '工单更新', ticket_status_changed: '状态变更', ticket_assigned: '工单分派',
        ticket_commented: '新增回复或备注', ticket_time_passed: '定时检查（每 10 分钟）', ticket_attachment_added: '添加附件',
        ticket_linked: '关联工单', ticket_merged: '合并工单', ticket_repeat_detected: '发现重复投诉',
        task_completed: '任务完成', task_created: '任务生成', task_overdue: '任务超时', task_claimed: '任务签收', task_returned: '任务退回',
        task_transferred: '任务转交', task_urged: '任务催办', task_cc: '抄送', task_signer_added: '加签',
        sla_warning: 'SLA 预警', sla_breached: 'SLA 超时', sla_applied: 'SLA 应用', sla_escalated: 'SLA 升级', sla_paused: 'SLA 暂停',
        sla_resumed: 'SLA 恢复', alert_fired: '预警触发', alert_cleared: '预警解除', process_started: '流程启动',
        process_completed: '流程完成', process_terminated: '流程终止', process_withdrawn: '流程撤回', process_published: '流程发布',
      },
    },
  },
  en: {
    admin: { nav: { rules: 'Business rules' } },
    rules: {
      title: 'Business rules', intro: 'When an event happens, rules are checked one by one in this order: if the condition holds, the actions run. Drag a row or use the arrows to change the order.',
      create: 'New rule', edit: 'Edit', delete: 'Delete', deleteConfirm: 'Delete the rule “{name}”? Its run log is kept.', deleted: 'Rule deleted',
      runs: 'Run log', filterEvent: 'Trigger event', filterEnabled: 'State', enabledOn: 'Enabled', enabledOff: 'Disabled', allEvents: 'All events',
      order: 'Order', name: 'Name', events: 'Trigger events', stats: 'Matched / runs', lastRun: 'Last run', never: 'Never ran',
      lastMatched: 'Last match {time}', enabled: 'Enabled', stopAfter: 'Stop after match', stopAfterHint: 'When this rule matches, later rules are not checked',
      shipped: 'Built-in', moveUp: 'Move up', moveDown: 'Move down', dragHandle: 'Drag to reorder', reordered: 'Order saved',
      reorderFiltered: 'Clear the filters to change the order', enabledToast: 'Rule enabled', disabledToast: 'Rule disabled',
      empty: 'No rules yet', emptyFiltered: 'No rule matches the filters', statsValue: '{matched} / {runs}', version: 'v{n}',
      noActions: 'No actions', actionsCount: '{n} actions',
      editor: {
        newTitle: 'New rule', editTitle: 'Edit rule: {name}', tabRule: 'Rule', tabDryRun: 'Dry run', tabRuns: 'Run log', tabVersions: 'Versions',
        basics: 'Basics', nameZh: 'Name (Chinese)', nameEn: 'Name (English)', nameEnPlaceholder: 'Optional, shown in English', description: 'Description',
        when: 'When (trigger events)', eventsPlaceholder: 'Choose one or more events', if: 'If (condition)', then: 'Then (actions, in order)',
        conditionHint: 'No condition means always. Rule conditions may use formulas.', formFields: 'Custom fields from form', formFieldsNone: 'No form fields',
        save: 'Save', saveAndClose: 'Save and close', cancel: 'Close', saved: 'Rule saved (version {n})', created: 'Rule created',
        fixLocal: 'Fix the marked problems first', problemsTitle: 'The server found {n} problem(s), marked where they are', conditionProblems: 'Problems in the condition',
        unsavedSwitch: 'Discard the unsaved changes?', saveFirst: 'Save the rule first', enabledHint: 'A disabled rule does not run: dry-run it, then enable it',
      },
      actions: {
        add: 'Add action', type: 'Action type', remove: 'Remove action', moveUp: 'Move action up', moveDown: 'Move action down', empty: 'No actions: a match does nothing',
        json: 'Parameters (JSON)', jsonHint: 'This action type has no parameter form; write the JSON its documentation describes', jsonInvalid: 'Invalid JSON (an object is needed)',
        required: 'Required', range: 'Out of the allowed range', unknownType: 'Unknown action type', fieldName: 'Field', fieldValue: 'Value',
        addField: 'Add field', tagsPlaceholder: 'Type and press Enter', choose: 'Choose', step: 'Action {n}',
      },
      dry: {
        intro: 'Checks recent tickets against the rule as it is in the editor (no need to save) and shows which actions would run. Nothing is changed.',
        days: 'Period', daysOption: 'Last {n} days', limit: 'Tickets', limitOption: 'Latest {n}', unmatched: 'List unmatched tickets too',
        run: 'Run dry run', summary: 'Tickets checked: {scanned}; matched: {matched}', truncated: 'Many results: only the first 500 are shown',
        ticket: 'Ticket', subject: 'Subject', created: 'Created', result: 'Result', matched: 'Matched', notMatched: 'Not matched',
        actions: 'Actions that would run', none: 'No tickets', notRun: 'Choose the range and press “Run dry run”',
      },
      log: {
        time: 'Time', ticket: 'Ticket', event: 'Event', matched: 'Result', actions: 'Actions done', errors: 'Errors', version: 'Version',
        duration: 'Duration', all: 'All', onlyMatched: 'Matched only', onlyUnmatched: 'Unmatched only', empty: 'No runs yet', ok: 'OK', failed: 'Failed',
        ticketDeleted: '(deleted)',
      },
      versions: {
        version: 'Version', time: 'Time', by: 'By', current: 'Current', restore: 'Load this version', restored: 'Version {n} loaded; save to apply it',
        system: 'System', changed: 'Changed', initial: 'Created',
        keys: {
          name: 'name', name_en: 'English name', description: 'description', events: 'trigger events', condition: 'condition',
          actions: 'actions', order: 'order', stop_after: 'stop after', enabled: 'enabled state',
        },
      },
      eventNames: {
        ticket_created: 'Ticket created', ticket_updated: 'Ticket updated', ticket_status_changed: 'Status changed', ticket_assigned: 'Ticket assigned',
        ticket_commented: 'Reply or note added', ticket_time_passed: 'Time check (every 10 minutes)', ticket_attachment_added: 'Attachment added',
        ticket_linked: 'Ticket linked', ticket_merged: 'Ticket merged', ticket_repeat_detected: 'Repeat complaint detected',
        task_completed: 'Task completed', task_created: 'Task created', task_overdue: 'Task overdue', task_claimed: 'Task claimed', task_returned: 'Task returned',
        task_transferred: 'Task transferred', task_urged: 'Task urged', task_cc: 'Copied', task_signer_added: 'Signer added',
        sla_warning: 'SLA warning', sla_breached: 'SLA breached', sla_applied: 'SLA applied', sla_escalated: 'SLA escalated', sla_paused: 'SLA paused',
        sla_resumed: 'SLA resumed', alert_fired: 'Alert fired', alert_cleared: 'Alert cleared', process_started: 'Process started',
        process_completed: 'Process completed', process_terminated: 'Process terminated', process_withdrawn: 'Process withdrawn', process_published: 'Process published',
      },
    },
  },
}

export default messages
