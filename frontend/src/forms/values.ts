/**
 * Converting between what an input control holds and the value format the server stores
 * (docs/forms.md, "Field types"). Each function is the only place its conversion happens.
 */

const pad = (n: number) => String(n).padStart(2, '0')

/** A stored datetime (ISO 8601, UTC) as the `<input type="datetime-local">` value in the browser's zone. */
export function datetimeToInput(value: unknown): string {
  if (typeof value !== 'string' || !value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/**
 * A `datetime-local` input value as ISO 8601 with the browser's offset, so the server reads the
 * instant the person meant (without an offset it would read the organisation's zone).
 */
export function inputToDatetime(local: string, offsetMinutes?: number): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local)
  if (!match) return null
  const [, y, mo, d, h, mi, s] = match
  const offset = offsetMinutes ?? -new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)).getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  const abs = Math.abs(offset)
  return `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

export interface RegionValue {
  province?: string | null
  city?: string | null
  district?: string | null
  names?: string[]
  detail?: string
}

/** A stored region (`{province, city, district, names}`) as the cascader's path of codes. */
export function regionToPath(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return []
  const region = value as RegionValue
  return [region.province, region.city, region.district].filter((c): c is string => typeof c === 'string' && !!c)
}

/** The cascader's path of codes as the value the server takes (it fills the names itself). */
export function pathToRegion(path: unknown): string[] | null {
  if (!Array.isArray(path) || !path.length) return null
  return path.map(String)
}

/** `{start, end}` of a date range from two inputs; null when both are blank. */
export function dateRange(start: string, end: string): { start: string; end: string } | null {
  if (!start && !end) return null
  return { start, end }
}

/**
 * A number typed on a phone: full-width digits and the Chinese decimal point become ASCII, spaces
 * and thousands separators go; everything else is left for the server to judge (its message names
 * the problem, in its words).
 */
export function numberInput(text: string): string {
  return text
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48))
    .replace(/[。．]/g, '.')
    .replace(/[\s,，]/g, '')
}

export interface FileRef {
  id: string
  name?: string
  size?: number | null
  content_type?: string | null
  attachment_id?: number
}

/** The stored list of file references of an attachments/images field (a signature holds one). */
export function fileRefs(value: unknown): FileRef[] {
  const list = Array.isArray(value) ? value : value ? [value] : []
  return list.filter((v): v is FileRef => typeof v === 'object' && v !== null && typeof (v as FileRef).id === 'string')
}

export function formatFileSize(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return ''
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/** The `accept` attribute of a file input from the field's config (`accept`: MIME types, `image/*`). */
export function acceptAttribute(type: string, config: Record<string, unknown> | undefined): string {
  const accept = config?.accept
  if (Array.isArray(accept) && accept.length) return accept.map(String).join(',')
  if (type === 'images') return 'image/jpeg,image/png,image/webp,image/gif'
  if (type === 'signature') return 'image/png,image/jpeg,image/webp'
  return ''
}

/** How many more files the field takes (`max_length`, defaults 10 attachments / 9 images / 1 signature). */
export function remainingFiles(type: string, maxLength: number | null | undefined, count: number): number {
  const max = type === 'signature' ? 1 : maxLength ?? (type === 'images' ? 9 : 10)
  return Math.max(0, max - count)
}

// --- coordinates -------------------------------------------------------------------------------
// Browsers report WGS-84; Chinese maps (AMap, Tencent) use GCJ-02 and Baidu BD-09, and the form's
// location field says which one it stores. The published GCJ-02 transform (outside China it is the
// identity, as the maps do).

const A = 6378245.0
const EE = 0.00669342162296594323

function outOfChina(lat: number, lng: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function transformLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return ret
}

function transformLng(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return ret
}

export function wgs84ToGcj02(lat: number, lng: number): [number, number] {
  if (outOfChina(lat, lng)) return [lat, lng]
  let dLat = transformLat(lng - 105.0, lat - 35.0)
  let dLng = transformLng(lng - 105.0, lat - 35.0)
  const radLat = (lat / 180.0) * Math.PI
  let magic = Math.sin(radLat)
  magic = 1 - EE * magic * magic
  const sqrtMagic = Math.sqrt(magic)
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return [lat + dLat, lng + dLng]
}

export function gcj02ToBd09(lat: number, lng: number): [number, number] {
  const xPi = (Math.PI * 3000.0) / 180.0
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * xPi)
  const theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * xPi)
  return [z * Math.sin(theta) + 0.006, z * Math.cos(theta) + 0.0065]
}

export interface LocationValue {
  lat: number | null
  lng: number | null
  address: string
  accuracy: number | null
}

/** A browser position (WGS-84) as the field stores it, in the field's coordinate system. */
export function positionToLocation(lat: number, lng: number, accuracy: number | null, system: unknown,
  address = ''): LocationValue {
  let point: [number, number] = [lat, lng]
  if (system !== 'wgs84') point = wgs84ToGcj02(lat, lng)
  if (system === 'bd09') point = gcj02ToBd09(point[0], point[1])
  const round = (n: number) => Math.round(n * 1e7) / 1e7
  return { lat: round(point[0]), lng: round(point[1]), address,
    accuracy: accuracy == null ? null : Math.round(accuracy * 10) / 10 }
}

/**
 * The value to send for a number typed as text: money stays a decimal string (stored so, with its
 * exact places); integer, number, percent, rating become JSON numbers when the text is a plain
 * number. Anything else is sent as typed so that the server's message names the problem.
 */
export function numericValue(type: string, text: string): string | number | null {
  const clean = numberInput(text)
  if (!clean) return null
  if (type === 'money') return clean.replace(/^[¥￥]/, '')
  const plain = type === 'percent' ? clean.replace(/%$/, '') : clean
  if (/^-?\d+(\.\d+)?$/.test(plain)) {
    const n = Number(plain)
    if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) return n
  }
  return clean
}

/** The text an input shows for a stored number. */
export function numericText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value)
}
