/** Editing a stored submission (the ticket page): what changed, as `PATCH /tickets/{id}` takes it. */
import { isEditableField, submittableValues, type FieldRights, type FormSchema } from './model'

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

/**
 * The `data` of a ticket update: every field the viewer may edit whose value differs from the stored one;
 * a value the viewer cleared is `null` (the server removes the key). Read-only, hidden and computed
 * fields are never sent, so a save cannot touch what the viewer may not change.
 */
export function changedValues(schema: FormSchema, stored: Record<string, unknown>, model: Record<string, unknown>,
  rights: FieldRights = {}): Record<string, unknown> {
  const next = submittableValues(schema, model, rights)
  const out: Record<string, unknown> = {}
  for (const field of schema.fields ?? []) {
    if (!isEditableField(field, rights)) continue
    const after = field.key in next ? next[field.key] : null
    if (!same(stored[field.key], after)) out[field.key] = after
  }
  return out
}
