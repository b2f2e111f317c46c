/** The form designer's calls (typed from docs/openapi.json). */
import { api, unwrap, type Schemas } from '@/api/client'
import type { Evaluation } from '@/forms/model'
import type { FieldTypeInfo, FormSchema } from './model'

export type FormOut = Schemas['FormOut']
export type DraftOut = Schemas['DraftOut']
export type DiffOut = Schemas['DiffOut']
export type FormulaFunction = Schemas['FormulaFunctionOut']
export type FormSettingsIn = Schemas['FormIn']

const path = (formId: number) => ({ params: { path: { form_id: formId } } })

export const designerApi = {
  listForms: () => unwrap(api.GET('/api/v1/forms')),
  getForm: (formId: number) => unwrap(api.GET('/api/v1/forms/{form_id}', path(formId))),
  createForm: (body: FormSettingsIn) => unwrap(api.POST('/api/v1/forms', { body })),
  updateForm: (formId: number, body: Schemas['FormPatch']) => unwrap(api.PATCH('/api/v1/forms/{form_id}', { ...path(formId), body })),
  fieldTypes: async () => (await unwrap(api.GET('/api/v1/forms/field-types'))) as FieldTypeInfo[],
  functions: () => unwrap(api.GET('/api/v1/formulas/functions')),
  categories: () => unwrap(api.GET('/api/v1/categories')),
  getDraft: (formId: number) => unwrap(api.GET('/api/v1/forms/{form_id}/draft', path(formId))),
  getPublished: (formId: number) => unwrap(api.GET('/api/v1/forms/{form_id}/published', path(formId))),
  saveDraft: (formId: number, schema: FormSchema, baseRevision: number | null) => unwrap(api.PUT('/api/v1/forms/{form_id}/draft', {
    ...path(formId), body: { schema: schema as Record<string, unknown>, base_revision: baseRevision },
  })),
  discardDraft: (formId: number) => unwrap(api.DELETE('/api/v1/forms/{form_id}/draft', path(formId))),
  publish: (formId: number) => unwrap(api.POST('/api/v1/forms/{form_id}/publish', path(formId))),
  diff: (formId: number, from: string) => unwrap(api.GET('/api/v1/forms/{form_id}/diff', {
    params: { path: { form_id: formId }, query: { from_version: from, to_version: 'draft' } },
  })),
  evaluate: async (formId: number, schema: FormSchema, values: Record<string, unknown>) => (await unwrap(api.POST(
    '/api/v1/forms/{form_id}/draft/evaluate', { ...path(formId), body: { schema: schema as Record<string, unknown>, values, url_params: {} } },
  ))) as unknown as Evaluation,
}
