/**
 * Trees kept by the API as flat lists with `parent_id` (departments, complaint categories): building the
 * nested tree the pages show, the nodes a node may move under, and the new sibling order of a move up/down.
 */

export interface FlatNode {
  id: number
  parent_id: number | null
  sort_order?: number
}

export type TreeNode<T extends FlatNode> = T & { children: TreeNode<T>[]; depth: number }

/** Nested tree from a flat list; siblings ordered by sort_order then id. A node whose parent is missing
 * from the list (deactivated and filtered out, or a bad row) becomes a root instead of disappearing. */
export function buildTree<T extends FlatNode>(items: readonly T[]): TreeNode<T>[] {
  const byId = new Map<number, TreeNode<T>>()
  for (const item of items) byId.set(item.id, { ...item, children: [], depth: 0 })
  const roots: TreeNode<T>[] = []
  for (const node of byId.values()) {
    const parent = node.parent_id !== null ? byId.get(node.parent_id) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  const order = (a: TreeNode<T>, b: TreeNode<T>) => (a.sort_order ?? 0) - (b.sort_order ?? 0) || a.id - b.id
  const visit = (nodes: TreeNode<T>[], depth: number, seen: Set<number>) => {
    nodes.sort(order)
    for (const node of nodes) {
      if (seen.has(node.id)) { node.children = []; continue } // a cycle in bad data: cut it
      seen.add(node.id)
      node.depth = depth
      visit(node.children, depth + 1, seen)
    }
  }
  visit(roots, 0, new Set())
  return roots
}

/** The ids of a node and everything below it. */
export function subtreeIds<T extends FlatNode>(items: readonly T[], id: number): Set<number> {
  const children = new Map<number, number[]>()
  for (const item of items) {
    if (item.parent_id === null) continue
    const list = children.get(item.parent_id) ?? []
    list.push(item.id)
    children.set(item.parent_id, list)
  }
  const out = new Set<number>()
  const stack = [id]
  while (stack.length) {
    const next = stack.pop()!
    if (out.has(next)) continue
    out.add(next)
    stack.push(...(children.get(next) ?? []))
  }
  return out
}

/** Where a node may move: anywhere except itself and its own descendants (the API refuses those too). */
export function moveTargets<T extends FlatNode>(items: readonly T[], id: number): T[] {
  const blocked = subtreeIds(items, id)
  return items.filter((item) => !blocked.has(item.id))
}

/** Depth-first order with depth, for indented pickers. */
export function flatten<T extends FlatNode>(roots: TreeNode<T>[]): TreeNode<T>[] {
  const out: TreeNode<T>[] = []
  const walk = (nodes: TreeNode<T>[]) => nodes.forEach((n) => { out.push(n); walk(n.children) })
  walk(roots)
  return out
}

/**
 * Moving a node one place up (-1) or down (+1) among its siblings: the sort_order every sibling should
 * get (10, 20, 30 … so later inserts fit between), only for those whose value changes. Empty when the node
 * is already first/last.
 */
export function reorderSiblings<T extends FlatNode>(items: readonly T[], id: number, delta: -1 | 1): { id: number; sort_order: number }[] {
  const node = items.find((i) => i.id === id)
  if (!node) return []
  const siblings = items
    .filter((i) => i.parent_id === node.parent_id)
    .sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0) || a.id - b.id)
  const at = siblings.findIndex((s) => s.id === id)
  const to = at + delta
  if (to < 0 || to >= siblings.length) return []
  const reordered = [...siblings]
  reordered.splice(at, 1)
  reordered.splice(to, 0, node)
  return reordered
    .map((s, index) => ({ id: s.id, sort_order: (index + 1) * 10, old: s.sort_order ?? 0 }))
    .filter((s) => s.sort_order !== s.old)
    .map(({ id: sid, sort_order }) => ({ id: sid, sort_order }))
}
