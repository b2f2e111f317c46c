/**
 * The ticket list's columns (the keys the saved views store; complaintdesk/savedviews/choices.py)
 * and the pure logic of views: filters → a condition, the view to save from the list's state.
 */
import type { TicketListState } from '@/tickets/listQuery'

export const COLUMN_KEYS = [
  'number', 'subject', 'customer', 'category', 'product', 'priority', 'status', 'channel', 'assignee', 'team',
  'department', 'tags', 'created_at', 'updated_at', 'first_response_due_at', 'resolution_due_at',
] as const
export type ColumnKey = (typeof COLUMN_KEYS)[number]

export const DEFAULT_COLUMNS: ColumnKey[] = [
  'number', 'subject', 'customer', 'category', 'priority', 'status', 'channel', 'assignee', 'created_at', 'resolution_due_at',
]

/** Width and sortability of each column in the table. */
export const COLUMN_SPECS: Record<ColumnKey, { width?: number; minWidth?: number; sortable?: boolean }> = {
  number: { width: 140, sortable: true },
  subject: { minWidth: 120 },
  customer: { width: 88 },
  category: { width: 90 },
  product: { width: 110 },
  priority: { width: 92, sortable: true },
  status: { width: 92 },
  channel: { width: 96 },
  assignee: { width: 84 },
  team: { width: 96 },
  department: { width: 96 },
  tags: { width: 120 },
  created_at: { width: 108, sortable: true },
  updated_at: { width: 108, sortable: true },
  first_response_due_at: { width: 128 },
  resolution_due_at: { width: 128, sortable: true },
}

/** Statuses whose tickets are still open (the "open only" switch; tickets/choices.py). */
export const OPEN_STATUSES = ['new', 'accepted', 'in_progress', 'pending_customer', 'reopened']

type Condition = Record<string, unknown>

/** The list's quick filters as leaves of the one condition format. */
export function filtersToCondition(state: Pick<TicketListState, 'status' | 'priority' | 'channel' | 'openOnly'>): Condition[] {
  const out: Condition[] = []
  if (state.status.length) out.push({ field: 'status', op: 'in', value: [...state.status] })
  if (state.openOnly) out.push({ field: 'status', op: 'in', value: [...OPEN_STATUSES] })
  if (state.priority.length) out.push({ field: 'priority', op: 'in', value: [...state.priority] })
  if (state.channel.length) out.push({ field: 'channel', op: 'in', value: [...state.channel] })
  return out
}

function isAll(c: unknown): c is { all: unknown[] } {
  return typeof c === 'object' && c !== null && !Array.isArray(c) && Object.keys(c).length === 1 && Array.isArray((c as Condition).all)
}

/** AND of conditions, flattening top-level "all" groups; one part stays itself. */
export function andAll(parts: unknown[]): Condition {
  const items: unknown[] = []
  for (const part of parts) {
    if (part == null) continue
    if (isAll(part)) items.push(...part.all)
    else items.push(part)
  }
  return { all: items }
}

export interface ViewDraft {
  condition: Condition
  search: string
  columns: string[]
  sort: string
  page_size: number
}

/** What "save as view" stores: the current view's condition, the quick filters and the extra
 *  condition ANDed into one; the search text; the columns, sort and page size on screen. */
export function viewFromState(state: TicketListState, current: { condition: unknown; search: string; columns: string[] } | null): ViewDraft {
  const extra = state.cond ? (JSON.parse(state.cond) as unknown) : null
  // One search text per view: the typed one wins over the view's (both are substring filters).
  const search = state.q.trim() || current?.search || ''
  return {
    condition: andAll([current?.condition ?? null, ...filtersToCondition(state), extra]),
    search: search.slice(0, 200),
    columns: state.cols ?? current?.columns ?? [...DEFAULT_COLUMNS],
    sort: state.sort,
    page_size: state.pageSize,
  }
}

/** The columns on screen: the URL's, else the view's, else the defaults (unknown keys dropped). */
export function visibleColumns(urlCols: string[] | null, viewCols: string[] | null | undefined): ColumnKey[] {
  const chosen = urlCols ?? viewCols ?? DEFAULT_COLUMNS
  const known = chosen.filter((c): c is ColumnKey => (COLUMN_KEYS as readonly string[]).includes(c))
  return known.length ? known : [...DEFAULT_COLUMNS]
}
