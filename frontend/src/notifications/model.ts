/**
 * The pure rules of the notifications page: the settings form of each channel kind (docs/notifications.md),
 * the template variables and their insertion, template grouping by key and channel, and field errors.
 */
import { ApiError, fieldProblems, pickLanguage, type Locale } from '@/api/errors'

// --- channels --------------------------------------------------------------------------------------------

export type ChannelKind = 'email' | 'dingtalk' | 'wecom'
export const CHANNEL_KINDS: ChannelKind[] = ['email', 'dingtalk', 'wecom']

export interface SettingSpec {
  key: string
  type: 'text' | 'url' | 'number' | 'bool' | 'list' | 'select'
  options?: string[]
  placeholder?: string
  /** Shown in place of an empty value: what the server uses when the setting is left out. */
  fallback?: string
}

export interface SecretSpec {
  key: string
  required: boolean
}

export interface KindSpec {
  config: SettingSpec[]
  secrets: SecretSpec[]
}

export const KIND_SPECS: Record<ChannelKind, KindSpec> = {
  email: {
    config: [
      { key: 'to', type: 'list', placeholder: 'qa@example.com' },
      { key: 'from_email', type: 'text', placeholder: 'complaintdesk@example.com' },
      { key: 'host', type: 'text', placeholder: 'smtp.example.com' },
      { key: 'port', type: 'number', fallback: '25' },
      { key: 'username', type: 'text' },
      { key: 'use_tls', type: 'bool' },
    ],
    secrets: [{ key: 'password', required: false }],
  },
  dingtalk: {
    config: [
      { key: 'base_url', type: 'url', fallback: 'https://oapi.dingtalk.com/robot/send' },
      { key: 'msgtype', type: 'select', options: ['markdown', 'text'], fallback: 'markdown' },
      { key: 'at_mobiles', type: 'list', placeholder: '13800138000' },
      { key: 'at_all', type: 'bool' },
    ],
    secrets: [{ key: 'access_token', required: true }, { key: 'secret', required: false }],
  },
  wecom: {
    config: [
      { key: 'base_url', type: 'url', fallback: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' },
      { key: 'msgtype', type: 'select', options: ['markdown', 'text'], fallback: 'markdown' },
      { key: 'mentioned_mobile_list', type: 'list', placeholder: '13800138000' },
    ],
    secrets: [{ key: 'key', required: true }],
  },
}

export type SettingValue = string | number | boolean | string[] | null
export type SettingsForm = Record<string, SettingValue>

/** The form values of a channel's stored config (missing settings empty, so the server's default shows). */
export function configToForm(kind: ChannelKind, config: Record<string, unknown>): SettingsForm {
  const out: SettingsForm = {}
  for (const spec of KIND_SPECS[kind].config) {
    const value = config[spec.key]
    if (spec.type === 'list') out[spec.key] = Array.isArray(value) ? value.map(String) : []
    else if (spec.type === 'bool') out[spec.key] = value === true
    else if (spec.type === 'number') out[spec.key] = typeof value === 'number' ? value : null
    else out[spec.key] = typeof value === 'string' ? value : ''
  }
  return out
}

/** The config to send: empty settings are left out (the server's default applies), lists trimmed. */
export function formToConfig(kind: ChannelKind, form: SettingsForm): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const spec of KIND_SPECS[kind].config) {
    const value = form[spec.key]
    if (spec.type === 'list') {
      const items = (Array.isArray(value) ? value : []).map((v) => v.trim()).filter(Boolean)
      // An email channel always names its recipients (the server checks the list).
      if (items.length || spec.key === 'to') out[spec.key] = items
    } else if (spec.type === 'bool') {
      if (value === true) out[spec.key] = true
    } else if (spec.type === 'number') {
      if (typeof value === 'number' && !Number.isNaN(value)) out[spec.key] = value
    } else if (typeof value === 'string' && value.trim()) {
      out[spec.key] = value.trim()
    }
  }
  return out
}

/**
 * The secrets of a PATCH: a typed value replaces the secret, `""` removes it when the user asked to clear it,
 * and a secret left blank is not sent at all (the stored one stays — secrets are never shown again).
 */
export function secretsPatch(typed: Record<string, string>, cleared: Set<string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(typed)) if (value) out[key] = value
  for (const key of cleared) if (!(key in out)) out[key] = ''
  return out
}

// --- templates ----------------------------------------------------------------------------------------------

export const TEMPLATE_CHANNELS = ['any', 'email', 'dingtalk', 'wecom', 'in_app'] as const
export const TEMPLATE_LOCALES: Locale[] = ['zh-CN', 'en']

export interface TemplateLike {
  id: number
  key: string
  event: string
  channel_kind: string
  locale: string
  subject: string
  body: string
  is_system: boolean
  updated_at: string
}

/** One row of the template list: a key for one channel, with its language versions. */
export interface TemplateGroup<T extends TemplateLike = TemplateLike> {
  id: string
  key: string
  channel_kind: string
  event: string
  is_system: boolean
  locales: Partial<Record<string, T>>
}

export function groupTemplates<T extends TemplateLike>(templates: T[]): TemplateGroup<T>[] {
  const groups = new Map<string, TemplateGroup<T>>()
  for (const tpl of templates) {
    const id = `${tpl.key}.${tpl.channel_kind}`
    let group = groups.get(id)
    if (!group) {
      group = { id, key: tpl.key, channel_kind: tpl.channel_kind, event: tpl.event, is_system: false, locales: {} }
      groups.set(id, group)
    }
    group.locales[tpl.locale] = tpl
    group.is_system ||= tpl.is_system
    group.event ||= tpl.event
  }
  const order = (kind: string) => TEMPLATE_CHANNELS.indexOf(kind as (typeof TEMPLATE_CHANNELS)[number])
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key) || order(a.channel_kind) - order(b.channel_kind))
}

export interface TemplateVariable {
  /** What goes between the braces: `ticket.number`. */
  name: string
  /** Message key of its description (notifications.vars.*). */
  label: string
}

const TICKET_VARS = ['number', 'subject', 'status_label', 'priority_label', 'channel_label', 'category', 'customer_name',
  'assignee', 'created_at', 'first_response_due_at', 'resolution_due_at', 'link', 'status', 'priority', 'channel', 'id']
const EVENT_VARS: [pattern: string, names: string[]][] = [
  ['sla.', ['target', 'level', 'at']],
  ['alert.', ['rule_name', 'group_label', 'level', 'count', 'baseline', 'window_days']],
  ['task.', ['node_name', 'work_item_id', 'message']],
]

/** The variables a template for `event` (and `channelKind`) can use, most useful first. */
export function templateVariables(event: string, channelKind: string = 'any'): TemplateVariable[] {
  const vars: TemplateVariable[] = TICKET_VARS.map((n) => ({ name: `ticket.${n}`, label: `notifications.vars.ticket.${n}` }))
  vars.push({ name: 'event.name', label: 'notifications.vars.event.name' },
    { name: 'event.description', label: 'notifications.vars.event.description' })
  for (const [prefix, names] of EVENT_VARS) {
    if (!event || event.startsWith(prefix)) {
      for (const n of names) {
        if (!vars.some((v) => v.name === `event.${n}`)) vars.push({ name: `event.${n}`, label: `notifications.vars.event.${n}` })
      }
    }
  }
  if (channelKind === 'in_app' || channelKind === 'any') {
    vars.push({ name: 'recipient.display_name', label: 'notifications.vars.recipient.display_name' })
  }
  vars.push({ name: 'site.url', label: 'notifications.vars.site.url' })
  return vars
}

/**
 * Insert `{{ name }}` into `text` replacing the selection `start..end` (the caret when equal); answers the new
 * text and where the caret goes (after the inserted placeholder). Out-of-range positions are clamped, so a
 * field that never had focus gets the placeholder at its end.
 */
export function insertVariable(text: string, name: string, start?: number | null, end?: number | null):
  { text: string; caret: number } {
  const placeholder = `{{ ${name} }}`
  const from = clamp(start ?? text.length, 0, text.length)
  const to = clamp(end ?? from, from, text.length)
  return { text: text.slice(0, from) + placeholder + text.slice(to), caret: from + placeholder.length }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high)
}

/** Sample event data for a preview without a real event, by event family. */
export function samplePayload(event: string): Record<string, unknown> {
  if (event.startsWith('sla.')) return { target: 'resolution', level: 1, at: '2026-03-10T10:00:00+08:00' }
  if (event.startsWith('alert.')) {
    return { rule_name: '同一产品7天投诉量', group_label: '星辰 X1 手机', level: 'red', count: 21, baseline: 6, window_days: 7 }
  }
  if (event.startsWith('task.')) return { node_name: '受理', work_item_id: 1, message: '请尽快处理' }
  return {}
}

// --- errors -------------------------------------------------------------------------------------------------

/**
 * The problems of a refused save by field, in the UI language: domain errors name fields in `details`
 * (`{"config.to": "邮箱地址列表 / A list of email addresses"}`), request validation gives a list with `loc`.
 */
export function fieldErrors(err: unknown, locale: Locale): Record<string, string> {
  if (!(err instanceof ApiError) || !err.body || err.status !== 422) return {}
  const details = err.body.details
  const main = pickLanguage(err.body.message, locale)
  // Some details hold the refused value ({"event_pattern": "zzz"}), not a sentence: then the main message says it.
  const words = (value: unknown) => (typeof value === 'string' && /[\s\u3400-\u9fff]/.test(value)
    ? pickLanguage(value, locale) : `${main}${value === '' || value == null ? '' : `: ${String(value)}`}`)
  const out: Record<string, string> = {}
  if (Array.isArray(details)) {
    for (const p of fieldProblems(details)) if (p.field) out[p.field] = pickLanguage(p.message, locale)
  } else if (details && typeof details === 'object') {
    for (const [field, value] of Object.entries(details as Record<string, unknown>)) {
      out[field] = Array.isArray(value) ? value.map(words).join('; ') : words(value)
    }
  }
  return out
}
