/** Calls of the configuration bundle page that the typed client does not cover well: the zip download and the
 * multipart upload. A refused bundle (422 `invalid_bundle`) is an answer with problems, not an exception. */
import { api, readCookie } from '@/api/client'
import { ApiError } from '@/api/errors'
import type { ImportResult } from './plan'

/** The result inside a refused bundle's error, or null when the error is something else. */
export function refusedResult(err: unknown, dryRun: boolean, prune: boolean): ImportResult | null {
  if (!(err instanceof ApiError) || err.body?.code !== 'invalid_bundle') return null
  const details = (err.body.details ?? {}) as Partial<ImportResult>
  return {
    dry_run: details.dry_run ?? dryRun, prune: details.prune ?? prune, applied: false, ok: false,
    template: details.template ?? null, counts: details.counts ?? {}, kinds: details.kinds ?? [],
    problems: details.problems ?? [],
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  return new ApiError(response.status, body)
}

/** Download the whole configuration: answers the file name and the zip. */
export async function exportBundle(): Promise<{ name: string; blob: Blob }> {
  let response: Response
  try {
    response = await fetch('/api/v1/config/export', { credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, null)
  }
  if (!response.ok) throw await errorOf(response)
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'complaintdesk-config.zip'
  return { name, blob: await response.blob() }
}

/** Hand a blob to the browser as a download. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export async function importBundle(file: File, dryRun: boolean, prune: boolean): Promise<ImportResult> {
  const body = new FormData()
  body.append('file', file, file.name)
  body.append('dry_run', String(dryRun))
  body.append('prune', String(prune))
  let response: Response
  try {
    response = await fetch('/api/v1/config/import', {
      method: 'POST', body, credentials: 'same-origin', headers: { 'X-CSRFToken': readCookie('csrftoken') ?? '' },
    })
  } catch {
    throw new ApiError(0, null)
  }
  if (response.status === 401) window.location.assign(`/login?next=${encodeURIComponent(location.pathname)}&expired=1`)
  if (!response.ok) {
    const err = await errorOf(response)
    const refused = refusedResult(err, dryRun, prune)
    if (refused) return refused
    throw err
  }
  return (await response.json()) as ImportResult
}

export async function importTemplate(name: string, dryRun: boolean, prune: boolean): Promise<ImportResult> {
  const result = await api.POST('/api/v1/config/templates/{name}/import', { params: { path: { name }, query: { dry_run: dryRun, prune } } })
    .catch(() => { throw new ApiError(0, null) })
  if (!result.response.ok) {
    const err = new ApiError(result.response.status, result.error)
    const refused = refusedResult(err, dryRun, prune)
    if (refused) return refused
    throw err
  }
  return result.data as ImportResult
}
