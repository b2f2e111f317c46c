import { createI18n } from 'vue-i18n'
import type { Locale } from '@/api/errors'
import zhCN from './zh-CN'
import en from './en'
import { withModules } from './modules'

export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
]

const STORAGE_KEY = 'cd.locale'

export function initialLocale(stored: string | null = safeStorageGet()): Locale {
  return stored === 'en' || stored === 'zh-CN' ? stored : 'zh-CN'
}

function safeStorageGet(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': withModules('zh-CN', zhCN), en: withModules('en', en) },
})

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    window.localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}
