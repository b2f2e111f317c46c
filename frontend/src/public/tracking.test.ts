import { describe, expect, it } from 'vitest'
import { trackingPath, urlParamsOf } from './api'
import { trackingTimeline } from './tracking'

describe('tracking', () => {
  it('orders receipt, replies, resolution and closing by time', () => {
    const entries = trackingTimeline({
      created_at: '2026-03-10T01:00:00Z', resolved_at: '2026-03-11T08:00:00Z', closed_at: '2026-03-12T08:00:00Z',
      replies: [{ body: '第二次', created_at: '2026-03-11T08:00:00Z' }, { body: '第一次', created_at: '2026-03-10T02:00:00Z' }],
    })
    expect(entries.map((e) => [e.kind, e.body ?? ''])).toEqual([
      ['received', ''], ['reply', '第一次'], ['reply', '第二次'], ['resolved', ''], ['closed', '']])
  })
  it('gives the page path of a token and the page\'s URL parameters as strings', () => {
    expect(trackingPath('a b/c')).toBe('/t/a%20b%2Fc')
    expect(urlParamsOf({ utm_source: 'wechat', many: ['x', 'y'], none: null })).toEqual({ utm_source: 'wechat', many: 'x' })
  })
})
