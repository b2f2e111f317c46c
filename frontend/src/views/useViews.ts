/** The saved views of the signed-in user, the view options and the ticket condition fields. */
import { ref } from 'vue'
import { api, unwrap, type Schemas } from '@/api/client'
import type { ConditionField } from '@/conditions/model'
import { TICKET_FIELD_PICKERS } from '@/conditions/pickers'

export type SavedView = Schemas['SavedViewOut']
export type ViewOptions = Schemas['ViewOptionsOut']

let fieldsPromise: Promise<ConditionField[]> | null = null

/** The ticket fields a condition may name (queryable ones only: a view runs in SQL), with pickers. */
export function loadTicketFields(): Promise<ConditionField[]> {
  if (!fieldsPromise) {
    fieldsPromise = unwrap(api.GET('/api/v1/conditions/fields')).then((fields) =>
      fields.filter((f) => f.queryable).map((f) => ({ ...f, picker: TICKET_FIELD_PICKERS[f.name] })))
    fieldsPromise.catch(() => (fieldsPromise = null))
  }
  return fieldsPromise
}

export function useViews() {
  const views = ref<SavedView[]>([])
  const options = ref<ViewOptions | null>(null)
  const error = ref<unknown>(null)

  async function reload(): Promise<void> {
    try {
      const [list, opts] = await Promise.all([
        unwrap(api.GET('/api/v1/views')),
        options.value ? Promise.resolve(options.value) : unwrap(api.GET('/api/v1/views/options')),
      ])
      views.value = list
      options.value = opts
      error.value = null
    } catch (err) {
      error.value = err
    }
  }

  return { views, options, error, reload }
}

/** Per-field messages of a domain 422 (`details: {field: "中文 / English"}`), in the UI language. */
export function fieldErrors(details: unknown, pick: (message: string) => string): Record<string, string> {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return {}
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = pick(value)
  }
  return out
}
