/**
 * UI strings that belong to one feature live beside it, in `src/<feature>/messages.ts`:
 *
 *   export default { 'zh-CN': { dashboard: { … } }, en: { dashboard: { … } } }
 *
 * They are deep-merged over the core strings (zh-CN.ts / en.ts), so a feature can add its own
 * top-level section (or keys to a shared one) without editing the core files. The unit test in
 * messages.test.ts checks the merged result: every key in both languages, same placeholders.
 */
import type { Locale } from '@/api/errors'

export type Messages = { [key: string]: string | Messages }
export type ModuleMessages = Record<Locale, Messages>

const found = import.meta.glob<{ default: ModuleMessages }>('../*/messages.ts', { eager: true })

export const MODULES: ModuleMessages[] = Object.keys(found).sort().map((path) => found[path]!.default)

export function deepMerge(base: Messages, extra: Messages): Messages {
  const out: Messages = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key]
    out[key] = typeof value === 'object' && typeof current === 'object' ? deepMerge(current, value) : value
  }
  return out
}

export function withModules(locale: Locale, core: Messages, modules: ModuleMessages[] = MODULES): Messages {
  return modules.reduce((acc, mod) => deepMerge(acc, mod[locale] ?? {}), core)
}
