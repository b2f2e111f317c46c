/**
 * Turning any failed API call into words for the user. The API answers every 4xx/5xx with
 * `{code, message, details}` where `message` is bilingual ("中文 / English"); this module picks the
 * half for the UI language and adds per-field validation details. Nothing is swallowed: a network
 * failure or a non-JSON answer (a proxy's 502 page) still gets a sentence with the HTTP status.
 */

export type Locale = 'zh-CN' | 'en'

export interface ApiErrorBody {
  code: string
  message: string
  details?: unknown
}

export class ApiError extends Error {
  readonly status: number
  readonly body: ApiErrorBody | null

  constructor(status: number, body: unknown) {
    const parsed = isErrorBody(body) ? body : null
    super(parsed?.message ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.body = parsed
  }

  get code(): string {
    return this.body?.code ?? (this.status === 0 ? 'network_error' : 'http_error')
  }
}

export function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).code === 'string'
    && typeof (value as ApiErrorBody).message === 'string'
}

/** The half of a "中文 / English" message for the locale; a message without the separator is kept whole. */
export function pickLanguage(message: string, locale: Locale): string {
  const at = message.indexOf(' / ')
  if (at < 0) return message.trim()
  const zh = message.slice(0, at).trim()
  const en = message.slice(at + 3).trim()
  // A Chinese half that is not Chinese at all means the slash was part of the text (e.g. a path).
  if (!/[\u3400-\u9fff]/.test(zh)) return message.trim()
  return (locale === 'en' ? en : zh) || message.trim()
}

interface FieldProblem {
  field: string
  message: string
}

const LOCATIONS = new Set(['body', 'query', 'path', 'header', 'cookie', 'form', 'file'])

/** ninja's loc is [where, parameter name, ...field path]: ["body", "payload", "subject"] → "subject". */
function fieldPath(loc: string[]): string {
  let rest = loc
  if (rest.length && LOCATIONS.has(rest[0]!)) rest = rest.slice(1)
  if (rest.length > 1 && (rest[0] === 'payload' || rest[0] === 'params')) rest = rest.slice(1)
  return rest.join('.')
}

/** Validation details from ninja (`[{loc: [...], message}]`) or a domain error (`{field: value}` is not a problem list). */
export function fieldProblems(details: unknown): FieldProblem[] {
  if (!Array.isArray(details)) return []
  const problems: FieldProblem[] = []
  for (const item of details) {
    if (typeof item !== 'object' || item === null) continue
    const loc = (item as { loc?: unknown }).loc
    const message = (item as { message?: unknown }).message
    if (typeof message !== 'string' || !message) continue
    problems.push({ field: Array.isArray(loc) ? fieldPath(loc.map(String)) : '', message })
  }
  return problems
}

export interface Translate {
  (key: string, named?: Record<string, unknown>): string
}

/** One readable sentence (plus field problems) for an error of any kind. */
export function describeError(error: unknown, locale: Locale, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.body) {
      const main = pickLanguage(error.body.message, locale)
      const problems = fieldProblems(error.body.details).slice(0, 5)
      if (!problems.length) return main
      const sep = locale === 'en' ? ': ' : '：'
      const list = problems.map((p) => (p.field ? `${p.field} ${p.message}` : p.message)).join(locale === 'en' ? '; ' : '；')
      return `${main}${sep}${list}`
    }
    if (error.status === 0) return t('errors.network')
    if (error.status === 401) return t('errors.unauthenticated')
    if (error.status === 403) return t('errors.forbidden')
    if (error.status === 404) return t('errors.notFound')
    if (error.status >= 500) return t('errors.server', { status: error.status })
    return t('errors.http', { status: error.status })
  }
  if (error instanceof TypeError) return t('errors.network')
  if (error instanceof Error && error.message) return error.message
  return t('errors.unknown')
}
