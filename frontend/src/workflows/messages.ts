/**
 * Strings of the process panel, node actions and the ticket detail's attachments / links panels
 * (the ticket detail page is the only place they are used). Merged over the core strings.
 */
import type { ModuleMessages } from '@/i18n/modules'

const messages: ModuleMessages = {
  'zh-CN': {
    process: {
      title: '处理流程', diagram: '流程图', historyTable: '办理记录', none: '该工单尚未启动流程', start: '启动流程', restart: '重新启动流程',
      startTitle: '启动流程', pick: '选择流程', pickRequired: '请选择要启动的流程', started: '流程已启动',
      noPublished: '没有已发布的流程', loadingDiagram: '正在加载流程图…', diagramFailed: '流程图无法显示：{reason}',
      status: { running: '进行中', completed: '已完成', terminated: '已终止', withdrawn: '已撤回' },
      version: '版本 {n}', startedBy: '发起人', startedAt: '发起时间', endedAt: '结束时间', current: '当前节点',
      legend: { done: '已完成', active: '办理中', waiting: '等待中', pending: '未到达', cancelled: '已取消' },
      nodeHistory: '节点记录：{name}', noHistory: '该节点暂无办理记录', clickHint: '点击流程图中的节点查看办理记录',
      fit: '适应画布', zoomIn: '放大', zoomOut: '缩小',
      col: {
        node: '节点', assignee: '办理人', actor: '操作人', start: '开始', end: '结束', duration: '耗时', outcome: '结果',
        comment: '意见', round: '轮次', state: '状态',
      },
      itemState: { ready: '待签收', claimed: '已签收', completed: '已办理', cancelled: '已取消', waiting: '等待前序' },
      outcome: {
        approve: '通过', reject: '驳回', satisfied: '满意', unsatisfied: '不满意', transferred: '已转交',
        returned: '已退回', withdrawn: '已撤回', terminated: '已终止', timeout: '超时',
      },
    },
    action: {
      title: '节点操作', processOps: '流程操作', pool: '待签收（任务池）', due: '时限 {time}', assignedTo: '办理人：{name}',
      claim: '签收', release: '放回任务池', complete: '办理', transfer: '转交', return: '退回', add_signer: '加签',
      urge: '催办', cc: '抄送', withdraw: '撤回', terminate: '终止流程',
      comment: '办理意见', commentRequired: '选择“{outcome}”时必须填写意见', commentPlaceholder: '填写办理意见',
      reason: '原因', reasonRequired: '请填写原因', reasonPlaceholder: '说明原因',
      outcome: '办理结果', toUser: '转交给', toUsers: '抄送给', signer: '加签人', position: '加签位置',
      before: '在我之前（前加签）', after: '在我之后（后加签）', userRequired: '请选择人员', usersRequired: '请至少选择一人',
      returnTo: '退回到', returnToRequired: '请选择退回的节点', urgeMessage: '催办说明', urgePlaceholder: '补充说明（可选）',
      terminateConfirm: '终止后流程无法继续，确定终止吗？', withdrawHint: '撤回后流程结束，工单回到发起前的状态。',
      done: {
        claim: '已签收', release: '已放回任务池', complete: '已办理', transfer: '已转交', return: '已退回',
        add_signer: '已加签', urge: '已催办', cc: '已抄送', withdraw: '已撤回', terminate: '流程已终止',
      },
      fieldsLater: '本节点的可编辑表单字段请在工单表单中修改。', searchUser: '输入姓名或用户名搜索',
    },
    attach: {
      title: '附件', upload: '上传附件', uploading: '正在上传 {name}', tooLarge: '{name} 超过 {mb} MB，无法上传',
      uploaded: '已上传 {name}', none: '暂无附件', download: '下载', by: '{name} 上传', hint: '单个文件不超过 {mb} MB',
    },
    links: {
      title: '关联工单', add: '关联工单', merge: '合并到…', none: '暂无关联工单', target: '工单号', targetRequired: '请输入工单号',
      kind: '关系', kinds: { related: '相关', duplicate_of: '重复于', parent_of: '父工单' },
      remove: '取消关联', removeConfirm: '确定取消与 {number} 的关联吗？', notFound: '找不到工单 {number}',
      mergeTitle: '合并工单', mergeInto: '合并到工单号', mergeConfirm: '将本工单 {from} 合并到 {to}？合并后本工单关闭，记录并入 {to}。',
      merged: '已合并到 {number}', mergedBanner: '本工单已合并到', linked: '已关联 {number}', unlinked: '已取消关联',
      self: '不能关联工单自身', incoming: '被关联',
    },
    detail: {
      history: '历史投诉 {count} 件', historyTitle: '查看该客户的全部投诉', currentNode: '当前节点', noNode: '—',
      department: '部门', team: '团队', attachmentsEvent: '上传了附件 {name}',
    },
  },
  en: {
    process: {
      title: 'Process', diagram: 'Diagram', historyTable: 'Handling history', none: 'No process has been started on this ticket',
      restart: 'Start again',
      start: 'Start process', startTitle: 'Start a process', pick: 'Process', pickRequired: 'Choose a process to start',
      started: 'Process started', noPublished: 'No published process', loadingDiagram: 'Loading the diagram…',
      diagramFailed: 'The diagram cannot be shown: {reason}',
      status: { running: 'Running', completed: 'Completed', terminated: 'Terminated', withdrawn: 'Withdrawn' },
      version: 'Version {n}', startedBy: 'Started by', startedAt: 'Started', endedAt: 'Ended', current: 'Current node',
      legend: { done: 'Done', active: 'In progress', waiting: 'Waiting', pending: 'Not reached', cancelled: 'Cancelled' },
      nodeHistory: 'Node history: {name}', noHistory: 'Nothing handled at this node yet',
      clickHint: 'Click a node of the diagram to see its history', fit: 'Fit', zoomIn: 'Zoom in', zoomOut: 'Zoom out',
      col: {
        node: 'Node', assignee: 'Assignee', actor: 'Done by', start: 'Start', end: 'End', duration: 'Duration',
        outcome: 'Outcome', comment: 'Comment', round: 'Round', state: 'State',
      },
      itemState: { ready: 'To claim', claimed: 'Claimed', completed: 'Done', cancelled: 'Cancelled', waiting: 'Waiting' },
      outcome: {
        approve: 'Approve', reject: 'Reject', satisfied: 'Satisfied', unsatisfied: 'Unsatisfied', transferred: 'Transferred',
        returned: 'Returned', withdrawn: 'Withdrawn', terminated: 'Terminated', timeout: 'Timed out',
      },
    },
    action: {
      title: 'Node actions', processOps: 'Process actions', pool: 'To claim (pool)', due: 'Due {time}', assignedTo: 'Assignee: {name}',
      claim: 'Claim', release: 'Release to pool', complete: 'Complete', transfer: 'Transfer', return: 'Return',
      add_signer: 'Add signer', urge: 'Urge', cc: 'CC', withdraw: 'Withdraw', terminate: 'Terminate',
      comment: 'Comment', commentRequired: 'A comment is required for “{outcome}”', commentPlaceholder: 'Your comment',
      reason: 'Reason', reasonRequired: 'Please give a reason', reasonPlaceholder: 'Why',
      outcome: 'Outcome', toUser: 'Transfer to', toUsers: 'Copy to', signer: 'Signer', position: 'Position',
      before: 'Before me', after: 'After me', userRequired: 'Choose a person', usersRequired: 'Choose at least one person',
      returnTo: 'Return to', returnToRequired: 'Choose the node to return to', urgeMessage: 'Message',
      urgePlaceholder: 'Anything to add (optional)',
      terminateConfirm: 'A terminated process cannot continue. Terminate it?',
      withdrawHint: 'Withdrawing ends the process; the ticket goes back to where it was before.',
      done: {
        claim: 'Claimed', release: 'Released to the pool', complete: 'Completed', transfer: 'Transferred', return: 'Returned',
        add_signer: 'Signer added', urge: 'Reminder sent', cc: 'Copied', withdraw: 'Withdrawn', terminate: 'Process terminated',
      },
      fieldsLater: 'Change this node’s editable form fields in the ticket form.', searchUser: 'Type a name or user name',
    },
    attach: {
      title: 'Attachments', upload: 'Upload', uploading: 'Uploading {name}', tooLarge: '{name} is larger than {mb} MB',
      uploaded: 'Uploaded {name}', none: 'No attachments', download: 'Download', by: 'uploaded by {name}',
      hint: 'Up to {mb} MB per file',
    },
    links: {
      title: 'Linked tickets', add: 'Link a ticket', merge: 'Merge into…', none: 'No linked tickets', target: 'Ticket number',
      targetRequired: 'Enter a ticket number', kind: 'Relation',
      kinds: { related: 'Related', duplicate_of: 'Duplicate of', parent_of: 'Parent of' },
      remove: 'Unlink', removeConfirm: 'Remove the link to {number}?', notFound: 'Ticket {number} not found',
      mergeTitle: 'Merge ticket', mergeInto: 'Merge into ticket number',
      mergeConfirm: 'Merge this ticket {from} into {to}? This ticket is closed and its history joins {to}.',
      merged: 'Merged into {number}', mergedBanner: 'This ticket was merged into', linked: 'Linked {number}', unlinked: 'Link removed',
      self: 'A ticket cannot be linked to itself', incoming: 'Linked from',
    },
    detail: {
      history: '{count} complaints', historyTitle: 'All complaints of this customer', currentNode: 'Current node', noNode: '—',
      department: 'Department', team: 'Team', attachmentsEvent: 'attached {name}',
    },
  },
}

export default messages
