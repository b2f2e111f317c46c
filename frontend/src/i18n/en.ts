/** English. Same keys as zh-CN.ts (a unit test checks). */
import type zhCN from './zh-CN'

type Messages<T> = { [K in keyof T]: T[K] extends string ? string : Messages<T[K]> }

const en: Messages<typeof zhCN> = {
  app: { name: 'ComplaintDesk', title: 'ComplaintDesk', short: 'ComplaintDesk' },
  nav: { inbox: 'My tasks', tickets: 'Tickets', dashboard: 'Dashboard', admin: 'Administration', collapse: 'Collapse menu', expand: 'Expand menu' },
  user: { menu: 'User menu', logout: 'Sign out', language: 'Language', profile: 'Profile', roles: 'Roles', department: 'Department', scope: 'Data scope' },
  login: {
    title: 'Sign in', subtitle: 'Intake, routing, handling, replies and follow-up in one place', username: 'Username',
    password: 'Password', submit: 'Sign in', usernameRequired: 'Enter your username', passwordRequired: 'Enter your password',
    loggedOut: 'You have signed out', sessionExpired: 'Your session has expired; please sign in again',
    tagline: 'Every complaint with an owner, a record and a closed loop',
  },
  common: {
    search: 'Search', reset: 'Reset', refresh: 'Refresh', retry: 'Retry', loading: 'Loading…', empty: 'No data',
    all: 'All', none: 'None', yes: 'Yes', no: 'No', back: 'Back', submit: 'Submit', cancel: 'Cancel', unassigned: 'Unassigned',
    total: '{count} in total', totalAtLeast: 'More than {count}', saved: 'Saved',
  },
  ticket: {
    number: 'Number', subject: 'Subject', customer: 'Customer', category: 'Category', priority: 'Priority', status: 'Status',
    channel: 'Channel', assignee: 'Assignee', created: 'Created', resolutionDue: 'Resolution due', firstResponseDue: 'First response due',
    team: 'Team', department: 'Department', product: 'Product', tags: 'Tags', description: 'Description', orderNumber: 'Order number',
    repeat: 'Repeat complaint', tier: 'Tier', phone: 'Phone', formData: 'Form', timeline: 'Timeline', noFormData: 'No form fields filled in', readOnlyField: 'Read-only: you can see this field but not change it',
    searchPlaceholder: 'Number / subject / customer / phone', filterStatus: 'Status', filterPriority: 'Priority', filterChannel: 'Channel',
    filters: 'Filters', openOnly: 'Open only', listTitle: 'Tickets', detailTitle: 'Ticket', notFound: 'The ticket does not exist or you may not see it',
    openTicket: 'Open ticket {number}', createdBy: 'Created by', updated: 'Updated', form: 'Form', version: 'version {n}',
  },
  reply: {
    title: 'Reply and notes', public: 'Reply to customer', internal: 'Internal note',
    placeholderPublic: 'Write a reply to the customer (the customer sees it)', placeholderInternal: 'Write an internal note (staff only)',
    send: 'Send', sentPublic: 'Reply sent to the customer', sentInternal: 'Internal note added', empty: 'Write something first',
    publicHint: 'Visible to the customer', internalHint: 'Staff only',
  },
  sla: { remaining: '{time} left', overdue: '{time} overdue', met: 'Met', none: '—', day: '{n}d', hour: '{n}h', minute: '{n}m' },
  status: {
    new: 'New', accepted: 'Accepted', in_progress: 'In progress', pending_customer: 'Waiting for customer', resolved: 'Resolved',
    closed: 'Closed', reopened: 'Reopened', cancelled: 'Cancelled',
  },
  priority: { P1: 'P1 Urgent', P2: 'P2 High', P3: 'P3 Medium', P4: 'P4 Low' },
  channel: {
    web_form: 'Web form', api: 'API', email: 'Email', phone: 'Phone', wechat: 'WeChat', wecom: 'WeCom',
    dingtalk: 'DingTalk', mini_program: 'Mini program', store: 'Store', social: 'Social media', sms: 'SMS', import: 'Import', other: 'Other',
  },
  tier: { normal: 'Normal', silver: 'Silver', gold: 'Gold', vip: 'VIP' },
  event: {
    created: 'Ticket created', updated: 'Ticket changed', status_changed: 'Status changed', assigned: 'Assigned', commented: 'Reply / note',
    attachment_added: 'Attachment added', linked: 'Linked', unlinked: 'Unlinked', merged: 'Merged', repeat_detected: 'Repeat complaint detected',
    process_started: 'Process started', process_completed: 'Process completed', process_terminated: 'Process terminated',
    process_withdrawn: 'Withdrawn', task_claimed: 'Task claimed', task_released: 'Task released', task_completed: 'Task completed',
    task_transferred: 'Transferred', task_returned: 'Returned', task_signer_added: 'Signer added', task_cc: 'CC', task_urged: 'Urged',
    task_timed_out: 'Task timed out', sla_applied: 'SLA applied', sla_paused: 'SLA paused', sla_resumed: 'SLA resumed',
    sla_warning: 'SLA warning', sla_breached: 'SLA breached', sla_escalated: 'Escalated', rule_run: 'Rule run',
    notification_sent: 'Customer notified', alert_linked: 'Alert linked', improvement_linked: 'Improvement linked', unknown: 'Other event',
    publicReply: 'Reply to customer', internalNote: 'Internal note', system: 'System', statusFromTo: '{from} → {to}', assignedTo: 'Assigned to {name}',
  },
  errors: {
    network: 'Cannot reach the server; check the network and retry', unauthenticated: 'Please sign in',
    forbidden: 'You are not allowed to do this', notFound: 'Not found', server: 'Server error (HTTP {status}); please retry later',
    http: 'The request failed (HTTP {status})', unknown: 'An unknown error occurred', pageNotFound: 'Page not found',
  },
  inbox: {
    title: 'My tasks', node: 'Step', process: 'Process', due: 'Step due', state: 'State', received: 'Arrived', ticket: 'Ticket',
    box: { mine: 'Mine', team: 'My teams', overdue: 'Overdue', cc: 'CC to me', done: 'Done', all: 'All' },
    states: { ready: 'To claim', claimed: 'Claimed', completed: 'Completed', cancelled: 'Cancelled', waiting: 'Waiting' },
  },
  dashboard: { title: 'Dashboard' },
}

export default en
