/** The anonymous endpoints the public pages call (docs/api.md, "Public intake"). */
import { api, unwrap } from '@/api/client'
import type { RendererServices } from '@/forms/context'
import type { Evaluation } from '@/forms/model'
import { uploadWithProgress } from '@/forms/upload'

/** Evaluate, upload and regions for a public form: what FormRenderer needs. */
export function publicFormServices(slug: string, urlParams: Record<string, string>): RendererServices {
  return {
    evaluate: async (values) => (await unwrap(api.POST('/api/v1/public/forms/{slug}/evaluate', {
      params: { path: { slug } }, body: { values, url_params: urlParams },
    }))) as unknown as Evaluation,
    upload: (field, file, onProgress) => uploadWithProgress(
      `/api/v1/public/forms/${encodeURIComponent(slug)}/uploads?field=${encodeURIComponent(field)}`, file, onProgress),
    regions: (parent) => unwrap(api.GET('/api/v1/public/regions', { params: { query: parent ? { parent } : {} } })),
  }
}

/** The query string of the page as plain strings: hidden fields take their values from it (`?utm_source=...`). */
export function urlParamsOf(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') out[key] = first.slice(0, 500)
  }
  return out
}

/** The page of the tracking link (the API answers the API path; the customer needs the page). */
export function trackingPath(token: string): string {
  return `/t/${encodeURIComponent(token)}`
}
