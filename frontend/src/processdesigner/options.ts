/**
 * The choices the properties panel offers: roles (by key), users (by username), departments and teams (by
 * name, as the shipped processes name them), and the fields of the published forms. Fetched once per page
 * load; a failure is not cached (the next open retries) and leaves that list empty.
 */
import { api, unwrap } from '@/api/client'
import { currentLocale } from '@/i18n'
import { fetchOnce } from '@/conditions/pickers'

export interface Choice { value: string; label: string; hint?: string }
export interface FormFields { id: number; name: string; fields: Array<{ key: string; label: string; type: string }> }

const once = fetchOnce()

const en = () => currentLocale() === 'en'

export const loadRoleChoices = () => once('roles', async () => {
  const rows = await unwrap(api.GET('/api/v1/roles'))
  return rows.map((r): Choice => ({ value: r.key, label: en() && r.name_en ? r.name_en : r.name, hint: r.key }))
})

export const loadUserChoices = () => once('users', async () => {
  const rows = await unwrap(api.GET('/api/v1/users', { params: { query: { active: true } } }))
  return rows.map((u): Choice => ({ value: u.username, label: u.display_name || u.username, hint: u.department?.name ?? u.username }))
})

export const loadDepartmentChoices = () => once('departments', async () => {
  const rows = await unwrap(api.GET('/api/v1/departments'))
  return rows.filter((d) => d.is_active).map((d): Choice => ({ value: d.name, label: d.name, hint: d.path }))
})

export const loadTeamChoices = () => once('teams', async () => {
  const rows = await unwrap(api.GET('/api/v1/teams'))
  return rows.filter((t) => t.is_active).map((t): Choice => ({ value: t.name, label: t.name }))
})

function labelOf(label: unknown, key: string): string {
  if (typeof label === 'string') return label || key
  const l = label as Record<string, string> | undefined
  return (en() ? l?.en : undefined) || l?.['zh-CN'] || l?.en || key
}

/** The fields of every form that has a published version (top-level fields; sections' children included). */
export const loadFormFields = () => once('forms', async () => {
  const forms = await unwrap(api.GET('/api/v1/forms'))
  const out: FormFields[] = []
  await Promise.all(forms.filter((f) => f.published_version).map(async (f) => {
    const v = await unwrap(api.GET('/api/v1/forms/{form_id}/versions/{number}', { params: { path: { form_id: f.id, number: f.published_version!.number } } }))
    const fields: FormFields['fields'] = []
    const walk = (list: unknown) => {
      for (const raw of Array.isArray(list) ? list : []) {
        const fd = raw as { key?: unknown; type?: unknown; label?: unknown; fields?: unknown; children?: unknown }
        if (typeof fd.key === 'string' && fd.type !== 'section') fields.push({ key: fd.key, label: labelOf(fd.label, fd.key), type: String(fd.type ?? '') })
        if (fd.type === 'section') walk(fd.fields ?? fd.children)
      }
    }
    walk((v.schema as { fields?: unknown } | null)?.fields)
    out.push({ id: f.id, name: en() && f.name_en ? f.name_en : f.name, fields })
  }))
  return out.sort((a, b) => a.id - b.id)
})

/** Fields of all forms, each key once (the first form's label). */
export function unionFields(forms: FormFields[]): FormFields['fields'] {
  const seen = new Map<string, FormFields['fields'][number]>()
  for (const f of forms) for (const fd of f.fields) if (!seen.has(fd.key)) seen.set(fd.key, fd)
  return [...seen.values()]
}
