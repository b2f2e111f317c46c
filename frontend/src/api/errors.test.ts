import { describe, expect, it } from 'vitest'
import { ApiError, describeError, fieldProblems, pickLanguage } from './errors'

const t = (key: string, named?: Record<string, unknown>) => (named ? `${key}:${JSON.stringify(named)}` : key)

describe('pickLanguage', () => {
  it('takes the half of a bilingual message for the locale', () => {
    expect(pickLanguage('用户名或密码错误 / Wrong username or password', 'zh-CN')).toBe('用户名或密码错误')
    expect(pickLanguage('用户名或密码错误 / Wrong username or password', 'en')).toBe('Wrong username or password')
  })
  it('keeps the English half whole when it contains the separator itself', () => {
    expect(pickLanguage('分页参数无效 / 1 <= page / size', 'en')).toBe('1 <= page / size')
  })
  it('keeps a message that is not bilingual', () => {
    expect(pickLanguage('Not Found', 'zh-CN')).toBe('Not Found')
    expect(pickLanguage('a / b', 'zh-CN')).toBe('a / b')
  })
})

describe('fieldProblems', () => {
  it('reads ninja validation details without the location prefix', () => {
    expect(fieldProblems([{ loc: ['body', 'payload', 'body'], message: 'Field required' }])).toEqual([
      { field: 'body', message: 'Field required' },
    ])
  })
  it('ignores domain-error details that are not a problem list', () => {
    expect(fieldProblems({ sort: ['a', 'b'] })).toEqual([])
    expect(fieldProblems([null, 3, { loc: ['x'] }])).toEqual([])
  })
})

describe('describeError', () => {
  it('shows the API message in the UI language', () => {
    const err = new ApiError(400, { code: 'invalid_credentials', message: '用户名或密码错误 / Wrong username or password', details: {} })
    expect(describeError(err, 'zh-CN', t)).toBe('用户名或密码错误')
    expect(describeError(err, 'en', t)).toBe('Wrong username or password')
  })
  it('appends field problems of a validation error', () => {
    const err = new ApiError(422, {
      code: 'validation_error', message: '请求参数无效 / Invalid request',
      details: [{ loc: ['body', 'payload', 'body'], message: 'String should have at least 1 character' }],
    })
    expect(describeError(err, 'en', t)).toBe('Invalid request: body String should have at least 1 character')
    expect(describeError(err, 'zh-CN', t)).toBe('请求参数无效：body String should have at least 1 character')
  })
  it('names the status when the answer is not our error shape', () => {
    expect(describeError(new ApiError(502, '<html>Bad gateway</html>'), 'zh-CN', t)).toBe('errors.server:{"status":502}')
    expect(describeError(new ApiError(418, null), 'en', t)).toBe('errors.http:{"status":418}')
    expect(describeError(new ApiError(404, null), 'en', t)).toBe('errors.notFound')
  })
  it('treats a failed fetch as a network problem', () => {
    expect(describeError(new ApiError(0, null), 'zh-CN', t)).toBe('errors.network')
    expect(describeError(new TypeError('Failed to fetch'), 'zh-CN', t)).toBe('errors.network')
    expect(new ApiError(0, null).code).toBe('network_error')
  })
  it('never returns an empty sentence', () => {
    expect(describeError(undefined, 'zh-CN', t)).toBe('errors.unknown')
    expect(describeError(new Error('boom'), 'zh-CN', t)).toBe('boom')
  })
})
