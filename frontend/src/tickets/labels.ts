/** How ticket attributes look: Element Plus tag types and colours for priority and status. */

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

export interface PriorityStyle {
  type: TagType
  /** A solid colour for the dot/icon beside the label. */
  color: string
  /** Filled (dark) tags for the two priorities that need attention first. */
  effect: 'dark' | 'light' | 'plain'
}

const PRIORITY: Record<string, PriorityStyle> = {
  P1: { type: 'danger', color: '#f56c6c', effect: 'dark' },
  P2: { type: 'warning', color: '#e6a23c', effect: 'dark' },
  P3: { type: 'primary', color: '#409eff', effect: 'light' },
  P4: { type: 'info', color: '#909399', effect: 'plain' },
}

export function priorityStyle(priority: string): PriorityStyle {
  return PRIORITY[priority] ?? { type: 'info', color: '#909399', effect: 'plain' }
}

const STATUS: Record<string, TagType> = {
  new: 'primary',
  accepted: 'primary',
  in_progress: 'warning',
  pending_customer: 'info',
  resolved: 'success',
  closed: 'info',
  reopened: 'danger',
  cancelled: 'info',
}

export function statusType(status: string): TagType {
  return STATUS[status] ?? 'info'
}

/** Statuses whose clocks no longer run: no countdown is shown for them. */
export const FINISHED_STATUSES = new Set(['resolved', 'closed', 'cancelled'])

export const STATUS_VALUES = ['new', 'accepted', 'in_progress', 'pending_customer', 'resolved', 'closed', 'reopened', 'cancelled']
export const PRIORITY_VALUES = ['P1', 'P2', 'P3', 'P4']
export const CHANNEL_VALUES = ['web_form', 'phone', 'email', 'wechat', 'wecom', 'dingtalk', 'mini_program', 'store', 'social', 'api']
