/**
 * The one API client, typed from docs/openapi.json (src/api/schema.d.ts, `npm run gen:api`).
 * Same origin as the page: the session cookie authenticates and unsafe methods carry the CSRF
 * token from Django's `csrftoken` cookie.
 */
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'
import { ApiError } from './errors'

export type Schemas = components['schemas']

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function readCookie(name: string, cookie: string = document.cookie): string | null {
  for (const part of cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

let onUnauthenticated: (() => void) | null = null

/** Called once by the router: where to go when the session has expired. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) {
      const token = readCookie('csrftoken')
      if (token) request.headers.set('X-CSRFToken', token)
    }
    return request
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.includes('/auth/login') && onUnauthenticated) onUnauthenticated()
    return response
  },
}

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })
api.use(csrf)

interface Result<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The data of a call, or an ApiError carrying the status and the error body. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>
  try {
    result = await call
  } catch {
    // fetch itself failed: offline, DNS, the server is down.
    throw new ApiError(0, null)
  }
  if (result.error !== undefined || !result.response.ok) throw new ApiError(result.response.status, result.error)
  return result.data as T
}
