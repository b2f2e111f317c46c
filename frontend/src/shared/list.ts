/** Small list helpers shared by the editors. */

/** The list with the item at `from` moved to `to`: a new array, or the list itself when nothing moves (an index
 * out of range, or `from === to`), so a caller can tell by identity that there is nothing to save. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return list as T[]
  const out = [...list]
  const [item] = out.splice(from, 1)
  out.splice(to, 0, item as T)
  return out
}
