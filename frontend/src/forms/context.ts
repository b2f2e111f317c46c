/**
 * What the renderer's parts share (provide/inject): the schema, the values, the server's last
 * evaluation, and the services of the page that hosts it — the public form and the agents' pages
 * call different endpoints for the same things.
 */
import { inject, type ComputedRef, type InjectionKey, type Ref } from 'vue'
import type { Evaluation, FieldErrors, FormField } from './model'
import type { FileRef } from './values'

export interface Region {
  code: string
  name: string
  level: string
  has_children: boolean
}

export interface RefChoice {
  value: number
  label: string
}

export type RefKind = 'user' | 'department' | 'customer' | 'product'

export interface RendererServices {
  /** POST .../evaluate: formulas, visibility, required-ness and messages from the server. */
  evaluate?: (values: Record<string, unknown>) => Promise<Evaluation>
  /** Upload a file for a file field; `onProgress` gets 0..1. */
  upload?: (fieldKey: string, file: File, onProgress: (fraction: number) => void) => Promise<FileRef>
  /** China's divisions under `parent` (provinces for null). */
  regions?: (parent: string | null) => Promise<Region[]>
  /** Search users, departments, customers or products (agents only; public forms type an id). */
  search?: (kind: RefKind, query: string) => Promise<RefChoice[]>
}

export interface RendererContext {
  fields: ComputedRef<Map<string, FormField>>
  model: Ref<Record<string, unknown>>
  evaluation: Ref<Evaluation | null>
  errors: ComputedRef<FieldErrors>
  services: RendererServices
  disabled: ComputedRef<boolean>
  narrow: Ref<boolean>
  setValue: (key: string, value: unknown) => void
  touch: (key: string) => void
  isVisible: (key: string) => boolean
  isRequired: (key: string) => boolean
  isLocked: (key: string) => boolean
  errorText: (path: string) => string
}

export const RENDERER: InjectionKey<RendererContext> = Symbol('form-renderer')

export function useRenderer(): RendererContext {
  const context = inject(RENDERER)
  if (!context) throw new Error('form parts must be used inside FormRenderer')
  return context
}
