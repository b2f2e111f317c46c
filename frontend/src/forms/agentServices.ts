/** What FormRenderer needs on the agents' pages: the signed-in endpoints for a pinned form version. */
import { api, unwrap } from '@/api/client'
import type { RefChoice, RendererServices } from './context'
import type { Evaluation } from './model'
import { uploadWithProgress } from './upload'

export function agentFormServices(version: { formId: number; number: number; versionId: number }): RendererServices {
  return {
    evaluate: async (values) => (await unwrap(api.POST('/api/v1/forms/{form_id}/versions/{number}/evaluate', {
      params: { path: { form_id: version.formId, number: version.number } }, body: { values, url_params: {} },
    }))) as unknown as Evaluation,
    upload: (field, file, onProgress) => uploadWithProgress(
      `/api/v1/uploads?form_version_id=${version.versionId}&field=${encodeURIComponent(field)}`, file, onProgress, { csrf: true }),
    regions: (parent) => unwrap(api.GET('/api/v1/forms/regions', { params: { query: parent ? { parent } : {} } })),
    search: async (kind, query): Promise<RefChoice[]> => {
      const q = query.trim() || undefined
      if (kind === 'user') {
        const users = await unwrap(api.GET('/api/v1/users', { params: { query: { q, active: true } } }))
        return users.slice(0, 50).map((u) => ({ value: u.id, label: u.display_name || u.username }))
      }
      if (kind === 'department') {
        const departments = await unwrap(api.GET('/api/v1/departments'))
        return departments.filter((d) => d.is_active && (!q || d.name.includes(q))).slice(0, 50).map((d) => ({ value: d.id, label: d.name }))
      }
      if (kind === 'customer') {
        const page = await unwrap(api.GET('/api/v1/customers', { params: { query: { q, page_size: 20 } } }))
        return page.items.map((c) => ({ value: c.id, label: c.phone ? `${c.name} · ${c.phone}` : c.name }))
      }
      const products = await unwrap(api.GET('/api/v1/products', { params: { query: { q, active: true } } }))
      return products.slice(0, 50).map((p) => ({ value: p.id, label: `${p.sku} ${p.name}` }))
    },
  }
}
