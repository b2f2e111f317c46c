/** Pure helpers of the agents' "new complaint" page: the caller's number, the customer match, the ticket to create. */
import type { Schemas } from '@/api/client'
import type { FormField, FormSchema } from '@/forms/model'

/** The field holding the caller's number: `contact_phone`, else the first phone field. */
export function phoneFieldKey(schema: FormSchema | null | undefined): string | null {
  const fields = schema?.fields ?? []
  return fields.find((f) => f.key === 'contact_phone')?.key ?? fields.find((f) => f.type === 'phone')?.key ?? null
}

/** Digits of a typed number, without the +86 / 0086 country prefix (what customers' phones are matched on). */
export function phoneDigits(text: unknown): string {
  if (typeof text !== 'string') return ''
  const digits = text.replace(/\D/g, '')
  if (digits.startsWith('0086')) return digits.slice(4)
  if (digits.startsWith('86') && digits.length === 13) return digits.slice(2)
  return digits
}

/** Worth a lookup: enough digits to narrow the customers down (prefix search). */
export function shouldLookUp(digits: string): boolean {
  return digits.length >= 4
}

export function sameNumber(a: string, b: string): boolean {
  const x = phoneDigits(a)
  return x !== '' && x === phoneDigits(b)
}

function textOf(values: Record<string, unknown>, key: string): string {
  const value = values[key]
  return typeof value === 'string' ? value.trim() : ''
}

export function hasField(schema: FormSchema | null | undefined, key: string): boolean {
  return (schema?.fields ?? []).some((f: FormField) => f.key === key)
}

export interface IntakeInput {
  schema: FormSchema
  values: Record<string, unknown>
  versionId: number
  channel: string
  subject: string
  customerId: number | null
  submissionId: string
}

/**
 * The body of POST /tickets: the form's values in `data`, the subject and description from the
 * form's `subject` / `description` fields (as public intake does) or the page's subject box, the
 * chosen customer or the caller's contact fields (found or created by the server), and an external
 * id that makes a double click one ticket.
 */
export function ticketBody(input: IntakeInput): Schemas['TicketIn'] {
  const { values } = input
  const subject = (hasField(input.schema, 'subject') ? textOf(values, 'subject') : '') || input.subject.trim()
  const phoneKey = phoneFieldKey(input.schema)
  const customer = input.customerId == null
    ? { name: textOf(values, 'contact_name'), phone: phoneKey ? textOf(values, phoneKey) : '', email: textOf(values, 'contact_email'),
        region: '', external_ids: {} }
    : null
  return {
    subject,
    description: textOf(values, 'description'),
    channel: input.channel,
    order_number: textOf(values, 'order_number').slice(0, 64),
    urgency: 'medium',
    impact: 'medium',
    tags: [],
    form_version_id: input.versionId,
    data: values,
    external_id: `desk:${input.submissionId}`,
    ...(input.customerId != null ? { customer_id: input.customerId } : customer && (customer.name || customer.phone || customer.email) ? { customer } : {}),
  }
}
