/** 简体中文 — the default language. Every key here exists in en.ts too (a unit test checks). */
export default {
  app: { name: 'ComplaintDesk', title: '客户投诉管理系统', short: '投诉管理' },
  nav: { inbox: '我的待办', tickets: '工单列表', dashboard: '运营看板', admin: '系统管理', collapse: '收起菜单', expand: '展开菜单' },
  user: { menu: '用户菜单', logout: '退出登录', language: '语言', profile: '个人信息', roles: '角色', department: '部门', scope: '数据范围' },
  login: {
    title: '登录', subtitle: '统一受理、分派、处理、答复与回访', username: '用户名', password: '密码',
    submit: '登录', usernameRequired: '请输入用户名', passwordRequired: '请输入密码', loggedOut: '您已退出登录',
    sessionExpired: '登录已过期，请重新登录', tagline: '让每一件投诉都有人负责、有据可查、闭环可证',
  },
  common: {
    search: '搜索', reset: '重置', refresh: '刷新', retry: '重试', loading: '加载中…', empty: '暂无数据',
    all: '全部', none: '无', yes: '是', no: '否', back: '返回', submit: '提交', cancel: '取消', unassigned: '未分派',
    total: '共 {count} 条', totalAtLeast: '超过 {count} 条', saved: '已保存',
  },
  ticket: {
    number: '工单号', subject: '主题', customer: '客户', category: '分类', priority: '优先级', status: '状态',
    channel: '渠道', assignee: '处理人', created: '创建时间', resolutionDue: '解决时限', firstResponseDue: '首次响应时限',
    team: '团队', department: '部门', product: '产品', tags: '标签', description: '问题描述', orderNumber: '订单号',
    repeat: '重复投诉', tier: '客户等级', phone: '电话', formData: '表单信息', timeline: '处理记录', noFormData: '未填写表单字段', readOnlyField: '只读：您可以查看但不能修改此字段',
    searchPlaceholder: '工单号 / 主题 / 客户 / 电话', filterStatus: '状态', filterPriority: '优先级', filterChannel: '渠道',
    filters: '筛选', openOnly: '仅未关闭', listTitle: '工单列表', detailTitle: '工单详情', notFound: '工单不存在或无权查看',
    openTicket: '查看工单 {number}', createdBy: '创建人', updated: '更新时间', form: '表单', version: '版本 {n}',
  },
  reply: {
    title: '答复与备注', public: '答复客户', internal: '内部备注', placeholderPublic: '输入给客户的答复（客户可见）',
    placeholderInternal: '输入内部备注（仅内部可见）', send: '发送', sentPublic: '已答复客户', sentInternal: '已添加内部备注',
    empty: '请输入内容', publicHint: '客户可见', internalHint: '仅内部可见',
  },
  sla: { remaining: '剩余 {time}', overdue: '超时 {time}', met: '已达成', none: '—', day: '{n}天', hour: '{n}小时', minute: '{n}分' },
  status: {
    new: '新建', accepted: '已受理', in_progress: '处理中', pending_customer: '待客户反馈', resolved: '已解决',
    closed: '已关闭', reopened: '已重开', cancelled: '已取消',
  },
  priority: { P1: 'P1 紧急', P2: 'P2 高', P3: 'P3 中', P4: 'P4 低' },
  channel: {
    web_form: '网页表单', api: 'API', email: '邮件', phone: '电话', wechat: '微信', wecom: '企业微信',
    dingtalk: '钉钉', mini_program: '小程序', store: '门店', social: '社交媒体', sms: '短信', import: '导入', other: '其他',
  },
  tier: { normal: '普通', silver: '银卡', gold: '金卡', vip: 'VIP' },
  event: {
    created: '创建工单', updated: '修改工单', status_changed: '状态变更', assigned: '分派', commented: '回复/备注',
    attachment_added: '上传附件', linked: '关联工单', unlinked: '取消关联', merged: '合并', repeat_detected: '识别为重复投诉',
    process_started: '流程启动', process_completed: '流程结束', process_terminated: '流程终止', process_withdrawn: '撤回',
    task_claimed: '签收任务', task_released: '退回任务池', task_completed: '办理', task_transferred: '转交',
    task_returned: '退回', task_signer_added: '加签', task_cc: '抄送', task_urged: '催办', task_timed_out: '节点超时',
    sla_applied: 'SLA 生效', sla_paused: 'SLA 暂停', sla_resumed: 'SLA 恢复', sla_warning: 'SLA 预警',
    sla_breached: 'SLA 超时', sla_escalated: '升级', rule_run: '规则执行', notification_sent: '通知客户',
    alert_linked: '关联预警', improvement_linked: '关联整改', unknown: '其他事件',
    publicReply: '答复客户', internalNote: '内部备注', system: '系统', statusFromTo: '{from} → {to}', assignedTo: '分派给 {name}',
  },
  errors: {
    network: '无法连接服务器，请检查网络后重试', unauthenticated: '请先登录', forbidden: '没有权限执行此操作',
    notFound: '请求的资源不存在', server: '服务器错误（HTTP {status}），请稍后重试', http: '请求失败（HTTP {status}）',
    unknown: '发生未知错误', pageNotFound: '页面不存在',
  },
  inbox: {
    title: '我的待办', node: '办理节点', process: '流程', due: '节点时限', state: '状态', received: '到达时间', ticket: '工单',
    box: { mine: '我的待办', team: '团队待办', overdue: '已超时', cc: '抄送我的', done: '已办', all: '全部' },
    states: { ready: '待签收', claimed: '已签收', completed: '已办理', cancelled: '已取消', waiting: '等待前序' },
  },
  dashboard: { title: '运营看板' },
}
