/**
 * The ticket timeline: audit events (GET /tickets/{id}/events) with the comments they refer to
 * (GET /tickets/{id}/comments) folded in, newest first. A comment without its event (older data)
 * still appears; an event never hides a comment.
 */
export interface TimelineEvent {
  id: number
  type: string
  actor: { display_name: string } | null
  created_at: string
  data: Record<string, unknown>
}

export interface TimelineComment {
  id: number
  body: string
  is_public: boolean
  author: { display_name: string } | null
  created_at: string
}

export type TimelineKind = 'event' | 'public' | 'internal'

export interface TimelineItem {
  key: string
  kind: TimelineKind
  type: string
  actor: string | null
  at: string
  event?: TimelineEvent
  comment?: TimelineComment
}

export function buildTimeline(events: TimelineEvent[], comments: TimelineComment[]): TimelineItem[] {
  const byId = new Map(comments.map((c) => [c.id, c]))
  const used = new Set<number>()
  const items: TimelineItem[] = []
  for (const event of events) {
    const commentId = event.type === 'commented' ? event.data.comment_id : undefined
    const comment = typeof commentId === 'number' ? byId.get(commentId) : undefined
    if (comment) {
      used.add(comment.id)
      items.push({
        key: `e${event.id}`, kind: comment.is_public ? 'public' : 'internal', type: event.type,
        actor: event.actor?.display_name ?? comment.author?.display_name ?? null, at: event.created_at, event, comment,
      })
    } else {
      items.push({ key: `e${event.id}`, kind: 'event', type: event.type, actor: event.actor?.display_name ?? null, at: event.created_at, event })
    }
  }
  for (const comment of comments) {
    if (used.has(comment.id)) continue
    items.push({
      key: `c${comment.id}`, kind: comment.is_public ? 'public' : 'internal', type: 'commented',
      actor: comment.author?.display_name ?? null, at: comment.created_at, comment,
    })
  }
  // Newest first; equal times keep the server's order (ids ascend with time).
  return items
    .map((item, index) => ({ item, index, t: Date.parse(item.at) }))
    .sort((a, b) => (b.t - a.t) || (b.index - a.index))
    .map((x) => x.item)
}

/** Status changes name both ends; the page translates the values. */
export function statusChange(event: TimelineEvent): { from: string; to: string; reason: string } | null {
  if (event.type !== 'status_changed') return null
  const { old, new: next, reason } = event.data
  if (typeof old !== 'string' || typeof next !== 'string') return null
  return { from: old, to: next, reason: typeof reason === 'string' ? reason : '' }
}
