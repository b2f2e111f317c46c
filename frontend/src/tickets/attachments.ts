/** Attachments on the ticket detail: which ones preview as images, sizes in words, and the upload. */
import { readCookie } from '@/api/client'
import { ApiError } from '@/api/errors'

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024 // the server's default CD_ATTACHMENT_MAX_BYTES; it checks again

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'])

export function isImage(contentType: string): boolean {
  return IMAGE_TYPES.has(contentType.toLowerCase())
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(size < 10 * 1024 ? 1 : 0)} KB`
  return `${(size / (1024 * 1024)).toFixed(1)} MB`
}

/**
 * POST a file as multipart (field `file`) with upload progress — fetch cannot report it, so this is
 * the one XMLHttpRequest of the app; it carries the CSRF token like the API client and fails with the
 * same ApiError, so errors read the same.
 */
export function uploadWithProgress<T>(url: string, file: File, onProgress: (percent: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.withCredentials = true
    const token = readCookie('csrftoken')
    if (token) xhr.setRequestHeader('X-CSRFToken', token)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)) }
    xhr.onerror = () => reject(new ApiError(0, null))
    xhr.onload = () => {
      let body: unknown = null
      try { body = JSON.parse(xhr.responseText) } catch { body = null }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T)
      else reject(new ApiError(xhr.status, body))
    }
    const form = new FormData()
    form.append('file', file)
    xhr.send(form)
  })
}
