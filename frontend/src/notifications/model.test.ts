import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/errors'
import {
  configToForm, fieldErrors, formToConfig, groupTemplates, insertVariable, secretsPatch, templateVariables,
  type TemplateLike,
} from './model'

describe('template variable insertion', () => {
  it('inserts at the caret', () => {
    expect(insertVariable('工单 ：已受理', 'ticket.number', 3, 3)).toEqual({ text: '工单 {{ ticket.number }}：已受理', caret: 22 })
  })
  it('replaces a selection', () => {
    expect(insertVariable('Hello NAME!', 'recipient.display_name', 6, 10)).toEqual({
      text: 'Hello {{ recipient.display_name }}!', caret: 34,
    })
  })
  it('appends when the field never had focus, and clamps positions', () => {
    expect(insertVariable('abc', 'site.url').text).toBe('abc{{ site.url }}')
    expect(insertVariable('abc', 'site.url', 99, 120).text).toBe('abc{{ site.url }}')
    expect(insertVariable('abc', 'site.url', -4, 1).text).toBe('{{ site.url }}bc')
    expect(insertVariable('', 'ticket.link', null, null)).toEqual({ text: '{{ ticket.link }}', caret: 17 })
  })
  it('the variables follow the event and channel', () => {
    const sla = templateVariables('sla.breached', 'dingtalk').map((v) => v.name)
    expect(sla).toContain('ticket.number')
    expect(sla).toContain('event.target')
    expect(sla).not.toContain('event.rule_name')
    expect(sla).not.toContain('recipient.display_name')
    expect(templateVariables('alert.fired', 'in_app').map((v) => v.name)).toContain('recipient.display_name')
    const all = templateVariables('').map((v) => v.name)
    expect(new Set(all).size).toBe(all.length)
    expect(all).toContain('event.node_name')
  })
})

describe('templates grouped by key and channel', () => {
  const tpl = (id: number, key: string, channel_kind: string, locale: string, is_system = false): TemplateLike => ({
    id, key, channel_kind, locale, event: 'sla.breached', subject: '', body: 'x', is_system, updated_at: '',
  })
  it('one row per key and channel with its languages', () => {
    const groups = groupTemplates([tpl(1, 'sla_breached', 'any', 'zh-CN', true), tpl(2, 'sla_breached', 'any', 'en', true),
      tpl(3, 'sla_breached', 'dingtalk', 'zh-CN'), tpl(4, 'a_key', 'email', 'en')])
    expect(groups.map((g) => g.id)).toEqual(['a_key.email', 'sla_breached.any', 'sla_breached.dingtalk'])
    expect(Object.keys(groups[1]!.locales)).toEqual(['zh-CN', 'en'])
    expect(groups[1]!.is_system).toBe(true)
    expect(groups[2]!.is_system).toBe(false)
  })
})

describe('channel settings forms', () => {
  it('round trip of a stored config; empty settings left out', () => {
    const form = configToForm('dingtalk', { base_url: 'http://127.0.0.1:9/robot/send', at_mobiles: ['138'] })
    expect(form).toEqual({ base_url: 'http://127.0.0.1:9/robot/send', msgtype: '', at_mobiles: ['138'], at_all: false })
    expect(formToConfig('dingtalk', form)).toEqual({ base_url: 'http://127.0.0.1:9/robot/send', at_mobiles: ['138'] })
  })
  it('email: the recipients are always sent, the port as a number', () => {
    const form = configToForm('email', {})
    expect(formToConfig('email', form)).toEqual({ to: [] })
    expect(formToConfig('email', { ...form, to: [' qa@example.com ', ''], host: '127.0.0.1', port: 2525, use_tls: true }))
      .toEqual({ to: ['qa@example.com'], host: '127.0.0.1', port: 2525, use_tls: true })
  })
  it('secrets: typed values replace, cleared ones are removed, blank ones kept', () => {
    expect(secretsPatch({ access_token: 'new', secret: '' }, new Set(['secret']))).toEqual({ access_token: 'new', secret: '' })
    expect(secretsPatch({ access_token: '', secret: '' }, new Set())).toEqual({})
  })
})

describe('field errors', () => {
  it('domain details by field in the UI language', () => {
    const err = new ApiError(422, { code: 'validation_error', message: '渠道配置无效 / Invalid channel settings',
      details: { 'config.to': '邮箱地址列表 / A list of email addresses', event_pattern: 'zzz' } })
    expect(fieldErrors(err, 'en')).toEqual({ 'config.to': 'A list of email addresses',
      event_pattern: 'Invalid channel settings: zzz' })
  })
  it('request validation problems by field; conflicts are not field errors', () => {
    const err = new ApiError(422, { code: 'validation_error', message: 'Invalid input',
      details: [{ loc: ['body', 'payload', 'key'], message: 'String should match pattern' }] })
    expect(fieldErrors(err, 'zh-CN')).toEqual({ key: 'String should match pattern' })
    expect(fieldErrors(new ApiError(409, { code: 'conflict', message: 'x', details: { key: 'a' } }), 'en')).toEqual({})
  })
})
