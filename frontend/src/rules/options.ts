/**
 * What the rules editor offers: action types with their parameter descriptions, trigger events, forms (for
 * their custom fields in the condition builder) and the option lists of the parameter pickers. Pickers store
 * references the way rules keep them (docs/rules.md): users by username, teams and departments by name,
 * categories by key, templates by key — readable in a dry run and portable between installations.
 * Each list is fetched once per page load; a failure is not cached.
 */
import { api, unwrap } from '@/api/client'
import { buildTree, fetchOnce, TICKET_FIELD_PICKERS, type Option, type TreeOption } from '@/conditions/pickers'
import type { ConditionField } from '@/conditions/model'
import type { ActionTypeSpec } from './model'

const once = fetchOnce()

export function loadActionTypes(): Promise<ActionTypeSpec[]> {
  return once('action-types', async () => (await unwrap(api.GET('/api/v1/rule-action-types'))) as ActionTypeSpec[])
}

export interface EventType { name: string; description: string }

/** The events a rule may name (docs/rules.md: those of tickets, tasks, SLA, alerts, CSAT and processes). */
export function loadTriggerEvents(): Promise<EventType[]> {
  return once('events', async () => (await unwrap(api.GET('/api/v1/event-types')))
    .filter((e) => /^(ticket|task|sla|alert|csat|process)\./.test(e.name)))
}

export function loadForms(): Promise<Option[]> {
  return once('forms', async () => (await unwrap(api.GET('/api/v1/forms')))
    .filter((f) => f.published_version != null)
    .map((f) => ({ value: f.key, label: f.name })))
}

/** Ticket fields (+ the form's custom fields) for the condition builder, with the pickers of the ticket list. */
export function loadConditionFields(form: string | null): Promise<ConditionField[]> {
  return once(`fields:${form ?? ''}`, async () => {
    const query = form ? { form } : {}
    const fields = await unwrap(api.GET('/api/v1/conditions/fields', { params: { query } }))
    return fields.map((f) => ({ ...f, picker: TICKET_FIELD_PICKERS[f.name] }))
  })
}

export function loadUsernames(): Promise<Option[]> {
  return once('usernames', async () => (await unwrap(api.GET('/api/v1/users', { params: { query: { active: true } } })))
    .map((u) => ({ value: u.username, label: u.display_name ? `${u.display_name} (${u.username})` : u.username })))
}

export function loadTeamNames(): Promise<Option[]> {
  return once('team-names', async () => (await unwrap(api.GET('/api/v1/teams')))
    .map((t) => ({ value: t.name, label: t.name })))
}

export function loadDepartmentNames(): Promise<TreeOption[]> {
  return once('department-names', async () => {
    const rows = await unwrap(api.GET('/api/v1/departments'))
    return buildTree(rows, (d) => d.name, (d) => d.name)
  })
}

export function loadCategoryKeys(english: boolean): Promise<TreeOption[]> {
  return once(`category-keys:${english}`, async () => {
    const rows = await unwrap(api.GET('/api/v1/categories'))
    return buildTree(rows, (c) => c.key, (c) => (english && c.name_en ? c.name_en : c.name))
  })
}

export function loadTemplates(): Promise<Option[]> {
  return once('templates', async () => {
    const byKey = new Map<string, Option>()  // one key, several channels / languages
    for (const t of await unwrap(api.GET('/api/v1/notification-templates'))) {
      if (!byKey.has(t.key)) byKey.set(t.key, { value: t.key, label: t.subject ? `${t.key} — ${t.subject}` : t.key })
    }
    return [...byKey.values()]
  })
}

export function loadRoleKeys(): Promise<Option[]> {
  return once('role-keys', async () => (await unwrap(api.GET('/api/v1/roles'))).map((r) => ({ value: r.key, label: `${r.name} (${r.key})` })))
}

export function loadProcessKeys(): Promise<Option[]> {
  return once('process-keys', async () => (await unwrap(api.GET('/api/v1/processes')))
    .map((p) => ({ value: p.key, label: `${p.name} (${p.key})` })))
}

export function loadSlaPolicyNames(): Promise<Option[]> {
  return once('sla-policies', async () => (await unwrap(api.GET('/api/v1/sla-policies'))).map((p) => ({ value: p.name, label: p.name })))
}
