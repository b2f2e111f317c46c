import { describe, expect, it } from 'vitest'
import { phoneDigits, phoneFieldKey, sameNumber, shouldLookUp, ticketBody } from './intake'

const schema = { fields: [
  { key: 'contact_name', type: 'text' }, { key: 'mobile', type: 'phone' }, { key: 'contact_phone', type: 'phone' },
  { key: 'subject', type: 'text' }, { key: 'description', type: 'textarea' },
] }

describe('the caller', () => {
  it('finds the phone field and compares numbers by their digits', () => {
    expect(phoneFieldKey(schema)).toBe('contact_phone')
    expect(phoneFieldKey({ fields: [{ key: 'tel', type: 'phone' }] })).toBe('tel')
    expect(phoneFieldKey({ fields: [] })).toBeNull()
    expect(phoneDigits('+86 139-0013-9000')).toBe('13900139000')
    expect(phoneDigits('0086 13900139000')).toBe('13900139000')
    expect(sameNumber('139 0013 9000', '13900139000')).toBe(true)
    expect(sameNumber('', '')).toBe(false)
    expect(shouldLookUp('139')).toBe(false)
    expect(shouldLookUp('1390')).toBe(true)
  })
})

describe('the ticket to create', () => {
  const base = { schema, versionId: 7, channel: 'phone', subject: '', submissionId: 'abc' }
  it('takes subject and description from the form and the chosen customer by id', () => {
    const body = ticketBody({ ...base, values: { subject: ' 屏幕碎裂 ', description: '收到即碎', contact_phone: '139' }, customerId: 5 })
    expect(body).toMatchObject({ subject: '屏幕碎裂', description: '收到即碎', channel: 'phone', form_version_id: 7, customer_id: 5,
      external_id: 'desk:abc' })
    expect(body.customer).toBeUndefined()
    expect(body.data).toEqual({ subject: ' 屏幕碎裂 ', description: '收到即碎', contact_phone: '139' })
  })
  it('registers an unknown caller from the contact fields, and uses the page subject without a subject field', () => {
    const body = ticketBody({ ...base, schema: { fields: [{ key: 'contact_phone', type: 'phone' }] }, subject: '来电投诉',
      values: { contact_name: '王五', contact_phone: '13800138000' }, customerId: null })
    expect(body.subject).toBe('来电投诉')
    expect(body.customer).toMatchObject({ name: '王五', phone: '13800138000', email: '' })
    expect(ticketBody({ ...base, values: {}, customerId: null }).customer).toBeUndefined()
  })
})
