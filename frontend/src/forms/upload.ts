/**
 * Uploading a file with progress. fetch() cannot report upload progress, so this one call uses
 * XMLHttpRequest; failures become the same ApiError as every other call (status + error body).
 */
import { readCookie } from '@/api/client'
import { ApiError } from '@/api/errors'
import type { FileRef } from './values'

export function uploadWithProgress(url: string, file: File, onProgress: (fraction: number) => void,
  { csrf = false }: { csrf?: boolean } = {}): Promise<FileRef> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    if (csrf) {
      const token = readCookie('csrftoken')
      if (token) xhr.setRequestHeader('X-CSRFToken', token)
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
    }
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = null
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        onProgress(1)
        resolve(body as FileRef)
      } else {
        reject(new ApiError(xhr.status, body))
      }
    }
    xhr.onerror = () => reject(new ApiError(0, null))
    const data = new FormData()
    data.append('file', file, file.name)
    xhr.send(data)
  })
}
