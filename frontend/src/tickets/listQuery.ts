/**
 * The ticket list's state lives in the URL (so reload, back and shared links keep the view):
 * these functions turn the route query into filters, filters into API parameters, and back.
 */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import { CHANNEL_VALUES, PRIORITY_VALUES, STATUS_VALUES } from './labels'
import { COLUMN_KEYS } from '@/views/columns'

type QueryValue = LocationQuery[string] | undefined

export const PAGE_SIZES = [20, 50, 100] as const
export const DEFAULT_PAGE_SIZE = 20
export const SORTS = ['-created_at', 'created_at', '-updated_at', 'updated_at', 'priority', '-priority', 'resolution_due_at',
  'sla_remaining', 'number', '-number'] as const
export type Sort = (typeof SORTS)[number]

export interface TicketListState {
  q: string
  status: string[]
  priority: string[]
  channel: string[]
  openOnly: boolean
  sort: Sort
  page: number
  pageSize: number
  /** A saved view (its condition and search apply on the server). */
  view: number | null
  /** An extra condition (JSON text in the one condition format), from the advanced filter. */
  cond: string
  /** Visible columns when they differ from the view's / the default. */
  cols: string[] | null
  /** One customer's complaints (the ticket page's "history" link). */
  customer: number | null
}

export function defaultState(): TicketListState {
  return {
    q: '', status: [], priority: [], channel: [], openOnly: false, sort: '-created_at', page: 1, pageSize: DEFAULT_PAGE_SIZE,
    view: null, cond: '', cols: null, customer: null,
  }
}

function list(value: QueryValue, allowed: readonly string[]): string[] {
  const raw = Array.isArray(value) ? value : value == null ? [] : [value]
  const out: string[] = []
  for (const item of raw) {
    for (const part of String(item ?? '').split(',')) {
      if (allowed.includes(part) && !out.includes(part)) out.push(part)
    }
  }
  return out
}

function first(value: QueryValue): string {
  const v = Array.isArray(value) ? value[0] : value
  return v == null ? '' : String(v)
}

function positiveInt(value: QueryValue, fallback: number, max: number): number {
  const n = Number.parseInt(first(value), 10)
  return Number.isFinite(n) && n >= 1 && n <= max ? n : fallback
}

/** Unknown or malformed values fall back to defaults instead of reaching the API as a 422. */
export function stateFromQuery(query: LocationQuery): TicketListState {
  const d = defaultState()
  const sort = first(query.sort)
  const size = positiveInt(query.size, d.pageSize, 200)
  return {
    q: first(query.q).slice(0, 200),
    status: list(query.status, STATUS_VALUES),
    priority: list(query.priority, PRIORITY_VALUES),
    channel: list(query.channel, CHANNEL_VALUES),
    openOnly: first(query.open) === '1',
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as Sort) : d.sort,
    page: positiveInt(query.page, 1, 1_000_000),
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : d.pageSize,
    view: first(query.view) ? positiveInt(query.view, 0, 2 ** 31) || null : null,
    cond: validCondition(first(query.cond)),
    cols: first(query.cols) ? list(query.cols, COLUMN_KEYS) : null,
    customer: first(query.customer_id) ? positiveInt(query.customer_id, 0, 2 ** 31) || null : null,
  }
}

/** A condition from the URL: JSON text of an object (the server checks the rest), else nothing. */
function validCondition(text: string): string {
  if (!text || text.length > 20000) return ''
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? text : ''
  } catch {
    return ''
  }
}

/** Only what differs from the defaults, so a plain list has a plain URL. */
export function queryFromState(state: TicketListState): LocationQueryRaw {
  const d = defaultState()
  const query: LocationQueryRaw = {}
  if (state.q.trim()) query.q = state.q.trim()
  if (state.status.length) query.status = state.status.join(',')
  if (state.priority.length) query.priority = state.priority.join(',')
  if (state.channel.length) query.channel = state.channel.join(',')
  if (state.openOnly) query.open = '1'
  if (state.sort !== d.sort) query.sort = state.sort
  if (state.page !== 1) query.page = String(state.page)
  if (state.pageSize !== d.pageSize) query.size = String(state.pageSize)
  if (state.view) query.view = String(state.view)
  if (state.cond) query.cond = state.cond
  if (state.cols) query.cols = state.cols.join(',')
  if (state.customer) query.customer_id = String(state.customer)
  return query
}

export interface TicketListParams {
  q?: string
  status?: string[]
  priority?: string[]
  channel?: string[]
  open_only?: boolean
  sort: string
  page: number
  page_size: number
  view_id?: number
  condition?: string
  customer_id?: number
}

export function apiParams(state: TicketListState): TicketListParams {
  const params: TicketListParams = { sort: state.sort, page: state.page, page_size: state.pageSize }
  if (state.q.trim()) params.q = state.q.trim()
  if (state.status.length) params.status = state.status
  if (state.priority.length) params.priority = state.priority
  if (state.channel.length) params.channel = state.channel
  if (state.openOnly) params.open_only = true
  if (state.view) params.view_id = state.view
  if (state.cond) params.condition = state.cond
  if (state.customer) params.customer_id = state.customer
  return params
}

/** Element Plus table sort event → our sort key (columns map to the API's sort names). */
export function sortFromTable(prop: string | null, order: 'ascending' | 'descending' | null): Sort {
  const key = prop && ['created_at', 'updated_at', 'priority', 'resolution_due_at', 'number'].includes(prop) ? prop : null
  if (!key || !order) return '-created_at'
  // The due-time column sorts by SLA remaining: running clocks first, least time left first.
  if (key === 'resolution_due_at') return 'sla_remaining'
  const sort = order === 'descending' ? `-${key}` : key
  return (SORTS as readonly string[]).includes(sort) ? (sort as Sort) : '-created_at'
}

export function tableSort(sort: Sort): { prop: string; order: 'ascending' | 'descending' } {
  if (sort === 'sla_remaining') return { prop: 'resolution_due_at', order: 'ascending' }
  const desc = sort.startsWith('-')
  return { prop: desc ? sort.slice(1) : sort, order: desc ? 'descending' : 'ascending' }
}
