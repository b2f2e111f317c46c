import { describe, expect, it } from 'vitest'
import { buildTimeline, statusChange, type TimelineComment, type TimelineEvent } from './timeline'

const ev = (id: number, type: string, at: string, data: Record<string, unknown> = {}): TimelineEvent =>
  ({ id, type, actor: null, created_at: at, data })
const note = (id: number, at: string, isPublic = false): TimelineComment =>
  ({ id, body: `c${id}`, is_public: isPublic, author: { display_name: '王五' }, created_at: at })

describe('buildTimeline', () => {
  it('folds comments into their events, newest first', () => {
    const items = buildTimeline(
      [ev(1, 'created', '2026-03-10T01:00:00Z'), ev(2, 'commented', '2026-03-10T02:00:00Z', { comment_id: 7, is_public: true })],
      [note(7, '2026-03-10T02:00:00Z', true)],
    )
    expect(items.map((i) => [i.key, i.kind])).toEqual([['e2', 'public'], ['e1', 'event']])
    expect(items[0]!.comment!.body).toBe('c7')
    expect(items[0]!.actor).toBe('王五') // the event has no actor: the comment's author
  })
  it('keeps a comment whose event is missing, and an event whose comment is missing', () => {
    const items = buildTimeline([ev(3, 'commented', '2026-03-10T03:00:00Z', { comment_id: 99 })], [note(8, '2026-03-10T04:00:00Z')])
    expect(items.map((i) => [i.key, i.kind])).toEqual([['c8', 'internal'], ['e3', 'event']])
  })
  it('keeps the server order for equal times (later id first)', () => {
    const at = '2026-03-10T01:00:00Z'
    expect(buildTimeline([ev(1, 'created', at), ev(2, 'assigned', at)], []).map((i) => i.key)).toEqual(['e2', 'e1'])
  })
})

describe('statusChange', () => {
  it('reads both ends and the reason', () => {
    expect(statusChange(ev(1, 'status_changed', '', { old: 'new', new: 'resolved', reason: '已退款' })))
      .toEqual({ from: 'new', to: 'resolved', reason: '已退款' })
    expect(statusChange(ev(1, 'assigned', '', {}))).toBeNull()
    expect(statusChange(ev(1, 'status_changed', '', { old: 1 }))).toBeNull()
  })
})
