/**
 * The formula editor's small lexer (docs/formulas.md syntax): enough to colour a formula, list the field keys
 * it reads, and know what is being typed at the cursor — a field key after `{`, or a function name — so the
 * editor can offer completions. The server's parser stays the authority on whether a formula is valid.
 */

export type TokenKind = 'string' | 'field' | 'number' | 'ident' | 'error' | 'op' | 'space' | 'paren' | 'comma' | 'brace'

export interface Token { kind: TokenKind; text: string; start: number; end: number; closed?: boolean }

const ERROR_VALUES = ['#DIV/0!', '#VALUE!', '#NAME?', '#NULL!', '#REF!', '#NUM!', '#N/A']
const IDENT_START = /[A-Za-z_\u00c0-\uffff]/
const IDENT_PART = /[A-Za-z0-9_.\u00c0-\uffff]/

/** The formula as tokens; never throws (an unclosed string or field runs to the end, `closed: false`). */
export function tokenize(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  const push = (kind: TokenKind, start: number, end: number, closed?: boolean) =>
    out.push({ kind, text: text.slice(start, end), start, end, ...(closed === undefined ? {} : { closed }) })
  while (i < text.length) {
    const c = text[i]!
    const start = i
    if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text[i]!)) i++
      push('space', start, i)
    } else if (c === '"') {
      i++
      let closed = false
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') { i += 2; continue }
          i++
          closed = true
          break
        }
        i++
      }
      push('string', start, i, closed)
    } else if (c === '{') {
      // `{key}` is a field, `{1,2}` / `{"a"}` an array constant (its braces only).
      const rest = text.slice(i + 1)
      const m = /^\s*([A-Za-z_\u00c0-\uffff][A-Za-z0-9_.\-\u00c0-\uffff]*)?\s*(\})?/.exec(rest)
      const looksLikeField = m && (m[1] !== undefined || (m[2] === undefined && !/^\s*["0-9.\-+]/.test(rest)))
      if (looksLikeField) {
        i += 1 + m[0].length
        push('field', start, i, m[2] !== undefined)
      } else {
        i++
        push('brace', start, i)
      }
    } else if (c === '}') {
      i++
      push('brace', start, i)
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i))!
      i += m[0].length
      push('number', start, i)
    } else if (c === '#') {
      const value = ERROR_VALUES.find((e) => text.startsWith(e, i) || text.slice(i, i + e.length).toUpperCase() === e)
      i += value ? value.length : 1
      push(value ? 'error' : 'op', start, i)
    } else if (IDENT_START.test(c)) {
      while (i < text.length && IDENT_PART.test(text[i]!)) i++
      push('ident', start, i)
    } else if (c === '(' || c === ')') {
      i++
      push('paren', start, i)
    } else if (c === ',' || c === ';') {
      i++
      push('comma', start, i)
    } else {
      const two = text.slice(i, i + 2)
      i += two === '<>' || two === '<=' || two === '>=' ? 2 : 1
      push('op', start, i)
    }
  }
  return out
}

/** The field key of a field token (`{ qty }` → `qty`). */
export function fieldName(token: Token): string {
  return token.text.replace(/^\{\s*/, '').replace(/\s*\}?$/, '').trim()
}

/** Field keys a formula reads, in order of first use (`{items.qty}` counts as `items.qty`). */
export function references(text: string): string[] {
  const seen: string[] = []
  for (const t of tokenize(text)) {
    if (t.kind !== 'field') continue
    const name = fieldName(t)
    if (name && !seen.includes(name)) seen.push(name)
  }
  return seen
}

/** Names called as functions (`ROUND(` → ROUND), upper-cased. */
export function functionsCalled(text: string): string[] {
  const tokens = tokenize(text).filter((t) => t.kind !== 'space')
  const names: string[] = []
  tokens.forEach((t, i) => {
    if (t.kind === 'ident' && tokens[i + 1]?.text === '(') {
      const name = t.text.toUpperCase()
      if (!names.includes(name)) names.push(name)
    }
  })
  return names
}

/** What is being typed at the cursor: a field key inside `{…`, or a function name. */
export interface Completion { kind: 'field' | 'function'; prefix: string; start: number; end: number }

export function completionAt(text: string, cursor: number): Completion | null {
  for (const t of tokenize(text)) {
    if (cursor <= t.start || cursor > t.end) continue
    if (t.kind === 'field') {
      if (t.closed && cursor === t.end) return null // just after the closing brace
      const inner = text.slice(t.start + 1, cursor)
      const lead = inner.length - inner.trimStart().length
      const end = t.closed ? t.end - 1 : t.end
      return { kind: 'field', prefix: inner.trimStart(), start: t.start + 1 + lead, end }
    }
    if (t.kind === 'brace' && t.text === '{' && cursor === t.end) {
      return { kind: 'field', prefix: '', start: cursor, end: cursor }
    }
    if (t.kind === 'ident') {
      return { kind: 'function', prefix: text.slice(t.start, cursor), start: t.start, end: t.end }
    }
    return null
  }
  return null
}

/** The text after choosing a completion, and where the cursor goes. */
export function applyCompletion(text: string, at: Completion, value: string): { text: string; cursor: number } {
  if (at.kind === 'field') {
    const closed = text[at.end] === '}'
    const insert = closed ? value : `${value}}`
    const next = text.slice(0, at.start) + insert + text.slice(closed ? at.end : at.end)
    const cursor = at.start + value.length + 1
    return { text: next, cursor }
  }
  const hasParen = text[at.end] === '('
  const insert = hasParen ? value : `${value}(`
  return { text: text.slice(0, at.start) + insert + text.slice(at.end), cursor: at.start + value.length + 1 }
}

/** Candidates for a prefix: those starting with it first, then those containing it (case-insensitive). */
export function rankCandidates<T>(items: T[], prefix: string, keys: (item: T) => string[], limit = 12): T[] {
  const p = prefix.toLowerCase()
  if (!p) return items.slice(0, limit)
  const starts: T[] = []
  const contains: T[] = []
  for (const item of items) {
    const ks = keys(item).map((k) => k.toLowerCase())
    if (ks.some((k) => k.startsWith(p))) starts.push(item)
    else if (ks.some((k) => k.includes(p))) contains.push(item)
  }
  return [...starts, ...contains].slice(0, limit)
}
