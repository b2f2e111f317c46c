/** What the designer's parts share (provide/inject): the schema being edited, the selection, the drag in progress. */
import { inject, type ComputedRef, type InjectionKey, type Ref } from 'vue'
import type { ContainerKind, FieldTypeInfo, FormSchema, Problem, Slot } from './model'

/** What is being dragged: a new field type, a new container, or a node already on the canvas. */
export type DragItem =
  | { kind: 'type'; type: string }
  | { kind: 'container'; container: ContainerKind }
  | { kind: 'node'; from: Slot }

export type Selection = { kind: 'field'; key: string } | { kind: 'node'; slot: Slot } | null

export interface DesignerContext {
  schema: Ref<FormSchema>
  types: ComputedRef<Map<string, FieldTypeInfo>>
  selection: Ref<Selection>
  problems: ComputedRef<Map<string, Problem[]>>
  drag: Ref<DragItem | null>
  dropTarget: Ref<Slot | null>
  select: (selection: Selection) => void
  drop: (target: Slot) => void
  moveBy: (slot: Slot, delta: -1 | 1) => void
  removeAt: (slot: Slot) => void
  duplicate: (key: string) => void
}

export const DESIGNER: InjectionKey<DesignerContext> = Symbol('form-designer')

export function useDesigner(): DesignerContext {
  const context = inject(DESIGNER)
  if (!context) throw new Error('designer parts must be used inside DesignerPage')
  return context
}
