import { describe, expect, it } from 'vitest'
import { moveItem } from './list'

describe('moveItem', () => {
  it('moves an item forwards and backwards into a new array', () => {
    const list = [1, 2, 3, 4]
    expect(moveItem(list, 0, 2)).toEqual([2, 3, 1, 4])
    expect(moveItem(list, 3, 0)).toEqual([4, 1, 2, 3])
    expect(moveItem(list, 2, 1)).toEqual([1, 3, 2, 4])
    expect(list).toEqual([1, 2, 3, 4])
  })
  it('returns the list itself when nothing moves', () => {
    const same = [1, 2]
    expect(moveItem(same, 0, 5)).toBe(same)
    expect(moveItem(same, -1, 0)).toBe(same)
    expect(moveItem(same, 1, 1)).toBe(same)
  })
})
