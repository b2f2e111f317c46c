import { describe, expect, it } from 'vitest'
import zhCN from './zh-CN'
import en from './en'
import { initialLocale } from './index'

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()
}

describe('UI strings', () => {
  it('exist in both languages', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
  it('use the same placeholders in both languages, and none is empty', () => {
    const get = (obj: object, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj) as string
    for (const key of keys(zhCN)) {
      expect(get(en, key), key).not.toBe('')
      expect(placeholders(get(en, key)), key).toEqual(placeholders(get(zhCN, key)))
    }
  })
  it('defaults to Chinese and remembers only known languages', () => {
    expect(initialLocale(null)).toBe('zh-CN')
    expect(initialLocale('en')).toBe('en')
    expect(initialLocale('fr')).toBe('zh-CN')
  })
})
