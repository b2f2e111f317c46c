import { describe, expect, it } from 'vitest'
import { buildTree, flatten, moveTargets, reorderSiblings, subtreeIds } from './tree'

const flat = [
  { id: 1, parent_id: null, sort_order: 0, name: '产品质量' },
  { id: 2, parent_id: 1, sort_order: 20, name: '外观' },
  { id: 3, parent_id: 1, sort_order: 10, name: '功能' },
  { id: 4, parent_id: 3, sort_order: 0, name: '死机' },
  { id: 5, parent_id: null, sort_order: 0, name: '物流' },
  { id: 6, parent_id: 99, sort_order: 0, name: '孤儿' },
]

describe('buildTree', () => {
  it('nests by parent_id and orders siblings by sort_order then id', () => {
    const roots = buildTree(flat)
    expect(roots.map((r) => r.id)).toEqual([1, 5, 6])
    expect(roots[0]!.children.map((c) => c.id)).toEqual([3, 2])
    expect(roots[0]!.children[0]!.children[0]!.name).toBe('死机')
    expect(roots[0]!.children[0]!.children[0]!.depth).toBe(2)
  })
  it('keeps a node whose parent is missing as a root', () => {
    expect(buildTree(flat).find((r) => r.id === 6)?.depth).toBe(0)
  })
  it('survives a cycle in bad data without looping', () => {
    const roots = buildTree([{ id: 1, parent_id: 2 }, { id: 2, parent_id: 1 }, { id: 3, parent_id: null }])
    expect(flatten(roots).map((n) => n.id)).toEqual([3])
  })
  it('flattens depth-first', () => {
    expect(flatten(buildTree(flat)).map((n) => n.id)).toEqual([1, 3, 4, 2, 5, 6])
  })
})

describe('moving', () => {
  it('a node cannot move under itself or its descendants', () => {
    expect([...subtreeIds(flat, 1)].sort()).toEqual([1, 2, 3, 4])
    expect(moveTargets(flat, 1).map((n) => n.id)).toEqual([5, 6])
    expect(moveTargets(flat, 4).map((n) => n.id)).toEqual([1, 2, 3, 5, 6])
  })
  it('up/down renumbers the siblings that change', () => {
    // 功能 (10) is first, 外观 (20) second: moving 外观 up swaps them.
    expect(reorderSiblings(flat, 2, -1)).toEqual([{ id: 2, sort_order: 10 }, { id: 3, sort_order: 20 }])
    expect(reorderSiblings(flat, 2, 1)).toEqual([])
    expect(reorderSiblings(flat, 3, -1)).toEqual([])
    // Roots 1 and 5 share sort_order 0 (ordered by id); 6 hangs under a missing parent, not a sibling.
    expect(reorderSiblings(flat, 5, -1)).toEqual([{ id: 5, sort_order: 10 }, { id: 1, sort_order: 20 }])
  })
  it('an unknown node changes nothing', () => {
    expect(reorderSiblings(flat, 42, 1)).toEqual([])
  })
})
