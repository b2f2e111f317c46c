import type { ModuleMessages } from '@/i18n/modules'

const messages: ModuleMessages = {
  'zh-CN': {
    views: {
      picker: '视图', none: '全部工单（无视图）', mine: '我的视图', shared: '共享给我的', saveAs: '另存为视图', edit: '编辑视图',
      delete: '删除视图', deleteConfirm: '确定删除视图“{name}”？', deleted: '视图已删除', saved: '视图已保存', newTitle: '保存为视图',
      editTitle: '编辑视图', name: '名称', namePlaceholder: '例如：VIP 未结工单', sharing: '共享范围', role: '角色', team: '团队',
      search: '搜索文字', columns: '显示列', sort: '排序', pageSize: '每页条数', condition: '筛选条件', owner: '创建人 {name}',
      readOnly: '这是别人共享的视图，只能查看', fixProblems: '请先修正条件中标出的问题', advanced: '高级筛选', apply: '应用',
      clearAdvanced: '清除高级筛选', advancedActive: '高级筛选 {n} 条', advancedTitle: '高级筛选（条件）', columnsChooser: '选择列',
      resetColumns: '恢复默认列', moveUp: '上移', moveDown: '下移', viewNotFound: '视图不存在或未共享给你',
      sharingModes: { private: '仅自己', everyone: '所有人', role: '某个角色', team: '某个团队' },
      sorts: {
        '-created_at': '最新创建', created_at: '最早创建', '-updated_at': '最近更新', updated_at: '最早更新', priority: '优先级（高→低）',
        '-priority': '优先级（低→高）', resolution_due_at: '解决期限', sla_remaining: 'SLA 剩余时间（少→多）', number: '编号（升序）',
        '-number': '编号（降序）',
      },
      col: {
        number: '编号', subject: '主题', customer: '客户', category: '分类', product: '产品', priority: '优先级', status: '状态',
        channel: '渠道', assignee: '处理人', team: '团队', department: '部门', tags: '标签', created_at: '创建时间',
        updated_at: '更新时间', first_response_due_at: '首次响应期限', resolution_due_at: 'SLA 剩余',
      },
    },
    bulk: {
      selected: '已选 {n} 张', clear: '取消选择', assign: '分派', transition: '变更状态', addTag: '添加标签', removeTag: '移除标签',
      assignee: '处理人', team: '团队', status: '目标状态', reason: '原因', tag: '标签', run: '执行', title: '批量操作：{action}',
      resultTitle: '批量结果：成功 {ok} 张，失败 {failed} 张', ok: '成功', failed: '失败', ticket: '工单', reasonCol: '原因',
      hidden: '（无权查看）', needTarget: '请选择处理人或团队', needStatus: '请选择状态', needTag: '请输入标签', max: '一次最多 {n} 张',
    },
    export: {
      button: '导出 Excel', running: '正在导出… {percent}%', done: '导出完成：{rows} 行', download: '下载文件', failed: '导出失败：{error}',
      started: '已开始导出',
    },
  },
  en: {
    views: {
      picker: 'View', none: 'All tickets (no view)', mine: 'My views', shared: 'Shared with me', saveAs: 'Save as view', edit: 'Edit view',
      delete: 'Delete view', deleteConfirm: 'Delete the view "{name}"?', deleted: 'View deleted', saved: 'View saved', newTitle: 'Save as a view',
      editTitle: 'Edit view', name: 'Name', namePlaceholder: 'e.g. VIP open tickets', sharing: 'Shared with', role: 'Role', team: 'Team',
      search: 'Search text', columns: 'Columns', sort: 'Sort', pageSize: 'Page size', condition: 'Conditions', owner: 'By {name}',
      readOnly: 'Shared with you by someone else: read only', fixProblems: 'Fix the problems marked in the conditions first',
      advanced: 'Advanced filter', apply: 'Apply', clearAdvanced: 'Clear advanced filter', advancedActive: 'Advanced filter: {n}',
      advancedTitle: 'Advanced filter (conditions)', columnsChooser: 'Choose columns', resetColumns: 'Default columns', moveUp: 'Move up',
      moveDown: 'Move down', viewNotFound: 'The view does not exist or is not shared with you',
      sharingModes: { private: 'Only me', everyone: 'Everyone', role: 'A role', team: 'A team' },
      sorts: {
        '-created_at': 'Newest first', created_at: 'Oldest first', '-updated_at': 'Recently updated', updated_at: 'Least recently updated',
        priority: 'Priority (high → low)', '-priority': 'Priority (low → high)', resolution_due_at: 'Resolution due',
        sla_remaining: 'SLA time left (least first)', number: 'Number (ascending)', '-number': 'Number (descending)',
      },
      col: {
        number: 'Number', subject: 'Subject', customer: 'Customer', category: 'Category', product: 'Product', priority: 'Priority',
        status: 'Status', channel: 'Channel', assignee: 'Assignee', team: 'Team', department: 'Department', tags: 'Tags',
        created_at: 'Created', updated_at: 'Updated', first_response_due_at: 'First response due', resolution_due_at: 'SLA left',
      },
    },
    bulk: {
      selected: '{n} selected', clear: 'Clear selection', assign: 'Assign', transition: 'Change status', addTag: 'Add tag', removeTag: 'Remove tag',
      assignee: 'Assignee', team: 'Team', status: 'New status', reason: 'Reason', tag: 'Tag', run: 'Run', title: 'Bulk: {action}',
      resultTitle: 'Bulk result: {ok} succeeded, {failed} failed', ok: 'Done', failed: 'Failed', ticket: 'Ticket', reasonCol: 'Reason',
      hidden: '(not visible to you)', needTarget: 'Choose an assignee or a team', needStatus: 'Choose a status', needTag: 'Enter a tag',
      max: 'At most {n} at once',
    },
    export: {
      button: 'Export to Excel', running: 'Exporting… {percent}%', done: 'Export ready: {rows} rows', download: 'Download', failed: 'Export failed: {error}',
      started: 'Export started',
    },
  },
}

export default messages
