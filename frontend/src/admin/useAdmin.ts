/** Small shared pieces of the administration pages. */
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage, ElMessageBox } from 'element-plus'
import { ApiError, describeError } from '@/api/errors'
import { currentLocale } from '@/i18n'

/** A load function with loading and error state; the latest call wins. */
export function useLoader(fn: () => Promise<void>) {
  const loading = ref(false)
  const error = ref<unknown>(null)
  let seq = 0
  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      await fn()
    } catch (err) {
      if (mine === seq) error.value = err
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  return { loading, error, load }
}

/** Toasts for the outcome of a change; errors in words (bilingual API messages pick the UI language). */
export function useNotify() {
  const { t } = useI18n()
  return {
    saved: (message?: string) => ElMessage.success(message ?? t('common.saved')),
    failed: (err: unknown) => ElMessage.error({ message: describeError(err, currentLocale(), t), duration: 6000 }),
    describe: (err: unknown) => describeError(err, currentLocale(), t),
  }
}

/** A change to one row of a list (a switch, a delete): ask first when ``confirm`` is given (declined: nothing
 * happens), then call, toast ``done`` or the error in words, and reload the list either way. */
export function useRowChange(load: () => Promise<void>) {
  const { t } = useI18n()
  const notify = useNotify()
  return async (call: () => Promise<unknown>, done: string, confirm?: { message: string; title: string; button: string }) => {
    if (confirm) {
      try {
        await ElMessageBox.confirm(confirm.message, confirm.title,
          { type: 'warning', confirmButtonText: confirm.button, cancelButtonText: t('common.cancel') })
      } catch {
        return
      }
    }
    try {
      await call()
      notify.saved(done)
    } catch (err) {
      notify.failed(err)
    }
    await load()
  }
}

/** The per-field messages of a domain error's details ({"password": ["too short", …]}). */
export function detailMessages(err: unknown, field: string): string[] {
  if (!(err instanceof ApiError) || !err.body || typeof err.body.details !== 'object' || err.body.details === null) return []
  const value = (err.body.details as Record<string, unknown>)[field]
  if (Array.isArray(value)) return value.map(String)
  return typeof value === 'string' ? [value] : []
}

/** A role's / category's name in the UI language (English falls back to the Chinese name). */
export function localName(item: { name: string; name_en?: string | null }): string {
  return currentLocale() === 'en' && item.name_en ? item.name_en : item.name
}

/** A label given in both languages (an action type, a parameter, a choice) in the UI language. */
export function localLabel(item: { label: string; label_en?: string | null }): string {
  return currentLocale() === 'en' && item.label_en ? item.label_en : item.label
}
