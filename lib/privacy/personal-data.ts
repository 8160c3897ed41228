import { type MemberText, memberPaths, memberTexts } from '../receive/json-member-text'

// What in a gift event is personal: the customer objects Voucherify embeds (`SimpleCustomer` in
// its OpenAPI: name, e-mail, source id, metadata) at `data.customer`, `data.holder`,
// `data.redemption.customer` and `data.rollback.customer` (a rollback is a `SimpleRedemption`
// too). Ids stay everywhere: they are how subscribers join.

const CUSTOMER_MEMBERS = ['customer', 'holder'] as const
/** The data's members whose `customer` member may hold a customer object. */
const REDEMPTION_MEMBERS = ['redemption', 'rollback'] as const
/** The data's top-level members that may hold a customer object. */
export const PERSONAL_MEMBERS = [...CUSTOMER_MEMBERS, ...REDEMPTION_MEMBERS] as const
export type PersonalMember = (typeof PERSONAL_MEMBERS)[number]
export const PERSONAL_MEMBER_PATHS = memberPaths(PERSONAL_MEMBERS)
/** Where each personal member's value stands in the data's JSON text. */
export type PersonalMemberTexts = Partial<Record<PersonalMember, MemberText>>

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A customer object reduced to what identifies it. */
function customerIdentity(customer: Record<string, unknown>): Record<string, unknown> {
  return { id: customer.id ?? null, object: customer.object ?? 'customer' }
}

/** Whether a data object holds a customer object anywhere `withoutPersonalData` looks. */
export function holdsPersonalData(data: Record<string, unknown>): boolean {
  for (const name of PERSONAL_MEMBERS) {
    const value = data[name]
    if (!isObject(value)) continue
    if (!(REDEMPTION_MEMBERS as readonly string[]).includes(name) || isObject(value.customer)) {
      return true
    }
  }
  return false
}

/**
 * The customer a payload's personal data belongs to: the customer, else the card's holder.
 * Read from any JSON object (a quarantined payload too), so every field is checked.
 */
export function customerIdOf(data: unknown): string | undefined {
  if (!isObject(data)) return undefined
  for (const member of CUSTOMER_MEMBERS) {
    const customer = data[member]
    if (isObject(customer) && typeof customer.id === 'string' && customer.id) return customer.id
  }
  const voucher = data.voucher
  if (isObject(voucher) && typeof voucher.holder_id === 'string' && voucher.holder_id) {
    return voucher.holder_id
  }
  return undefined
}

/** The data of a webhook body or envelope: `data` when it is an envelope. */
export function eventDataOf(body: unknown): unknown {
  return isObject(body) && isObject(body.data) ? body.data : body
}

/**
 * The data object's JSON with every customer object reduced to its id; the very text when
 * there is none. Only the members that change are serialised again. `members`: where they stand
 * in `dataJson`, when the caller's own pass over the text found them already.
 */
export function withoutPersonalData(
  dataJson: string,
  members: PersonalMemberTexts | undefined = memberTexts(dataJson, PERSONAL_MEMBER_PATHS),
): string {
  // A key written with escapes might spell one of them: redact the parsed value instead.
  if (members === undefined) return JSON.stringify(redacted(JSON.parse(dataJson)))
  const replacements: Array<MemberText> = []
  for (const name of PERSONAL_MEMBERS) {
    const member = members[name]
    if (member === undefined || member.text.charCodeAt(0) !== 0x7b) continue
    const text = redactedMember(name, JSON.parse(member.text))
    if (text !== undefined) replacements.push({ ...member, text })
  }
  if (replacements.length === 0) return dataJson
  replacements.sort((a, b) => a.start - b.start)
  let result = ''
  let from = 0
  for (const { start, end, text } of replacements) {
    result += dataJson.slice(from, start) + text
    from = end
  }
  return result + dataJson.slice(from)
}

/** The member's JSON with its customer reduced; undefined when it holds none. */
function redactedMember(name: PersonalMember, value: Record<string, unknown>): string | undefined {
  if (!(REDEMPTION_MEMBERS as readonly string[]).includes(name)) {
    return JSON.stringify(customerIdentity(value))
  }
  if (!isObject(value.customer)) return undefined
  return JSON.stringify({ ...value, customer: customerIdentity(value.customer) })
}

function redacted(data: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...data }
  for (const name of PERSONAL_MEMBERS) {
    const value = copy[name]
    if (isObject(value)) {
      const text = redactedMember(name, value)
      if (text !== undefined) copy[name] = JSON.parse(text)
    }
  }
  return copy
}
