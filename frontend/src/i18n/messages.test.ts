import { describe, expect, it } from 'vitest'
import zhCNCore from './zh-CN'
import enCore from './en'
import { deepMerge, withModules } from './modules'

const zhCN = withModules('zh-CN', zhCNCore)
const en = withModules('en', enCore)
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
  it('merges a feature module over the core strings', () => {
    const merged = deepMerge({ a: { b: 'x', c: 'y' } }, { a: { c: 'z', d: 'w' }, e: 'v' })
    expect(merged).toEqual({ a: { b: 'x', c: 'z', d: 'w' }, e: 'v' })
  })
  it('defaults to Chinese and remembers only known languages', () => {
    expect(initialLocale(null)).toBe('zh-CN')
    expect(initialLocale('en')).toBe('en')
    expect(initialLocale('fr')).toBe('zh-CN')
  })
})
