/** The customer's view of their complaint as a timeline: received, replies, resolved, closed — oldest first. */
export interface TrackedTicket {
  created_at: string
  resolved_at?: string | null
  closed_at?: string | null
  replies: { body: string; created_at: string }[]
}

export interface TrackingEntry {
  kind: 'received' | 'reply' | 'resolved' | 'closed'
  at: string
  body?: string
}

const ORDER: Record<TrackingEntry['kind'], number> = { received: 0, reply: 1, resolved: 2, closed: 3 }

export function trackingTimeline(ticket: TrackedTicket): TrackingEntry[] {
  const entries: TrackingEntry[] = [{ kind: 'received', at: ticket.created_at }]
  for (const reply of ticket.replies) entries.push({ kind: 'reply', at: reply.created_at, body: reply.body })
  if (ticket.resolved_at) entries.push({ kind: 'resolved', at: ticket.resolved_at })
  if (ticket.closed_at) entries.push({ kind: 'closed', at: ticket.closed_at })
  // Same instant: the natural order of the loop (a reply sent with the resolution reads first).
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || ORDER[a.entry.kind] - ORDER[b.entry.kind] || a.index - b.index)
    .map(({ entry }) => entry)
}
