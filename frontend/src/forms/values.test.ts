import { describe, expect, it } from 'vitest'
import {
  acceptAttribute, dateRange, datetimeToInput, fileRefs, formatFileSize, gcj02ToBd09, inputToDatetime, numberInput, numericValue,
  pathToRegion, positionToLocation, regionToPath, remainingFiles, wgs84ToGcj02,
} from './values'

describe('numbers in the server\'s format', () => {
  it('sends JSON numbers for integer, number and percent, and decimal strings for money', () => {
    expect(numericValue('integer', '42')).toBe(42)
    expect(numericValue('number', '3.25')).toBe(3.25)
    expect(numericValue('percent', '12.5%')).toBe(12.5)
    expect(numericValue('money', '1,234.50')).toBe('1234.50')
    expect(numericValue('money', '¥99')).toBe('99')
    expect(numericValue('integer', '')).toBeNull()
  })
  it('turns a phone keyboard\'s full-width digits and Chinese punctuation into a number', () => {
    expect(numberInput('１２。５')).toBe('12.5')
    expect(numericValue('number', '１ ２３４，５')).toBe(12345)
  })
  it('sends what it cannot read as typed, for the server to name the problem', () => {
    expect(numericValue('integer', 'abc')).toBe('abc')
    expect(numericValue('number', '12.')).toBe('12.')
  })
})

describe('dates', () => {
  it('sends a datetime with the browser offset and shows a stored one in local time', () => {
    expect(inputToDatetime('2026-03-10T10:30', 480)).toBe('2026-03-10T10:30:00+08:00')
    expect(inputToDatetime('2026-03-10T10:30:15', -300)).toBe('2026-03-10T10:30:15-05:00')
    expect(inputToDatetime('junk', 0)).toBeNull()
    const local = datetimeToInput('2026-03-10T02:30:00Z')
    expect(local).toMatch(/^2026-03-10T\d{2}:30$/)
    expect(new Date(inputToDatetime(local)!).toISOString()).toBe('2026-03-10T02:30:00.000Z')
    expect(datetimeToInput(null)).toBe('')
  })
  it('makes a date range from two inputs', () => {
    expect(dateRange('2026-01-01', '2026-01-05')).toEqual({ start: '2026-01-01', end: '2026-01-05' })
    expect(dateRange('', '')).toBeNull()
  })
})

describe('regions', () => {
  it('maps a stored region to the cascader path and back to codes', () => {
    const stored = { province: '440000', city: '440300', district: null, names: ['广东省', '深圳市'] }
    expect(regionToPath(stored)).toEqual(['440000', '440300'])
    expect(pathToRegion(['440000', '440300'])).toEqual(['440000', '440300'])
    expect(pathToRegion([])).toBeNull()
    expect(regionToPath(null)).toEqual([])
  })
})

describe('files', () => {
  it('reads references, counts what is left and names the accepted types', () => {
    expect(fileRefs([{ id: 'a', name: 'x.png' }, 'junk', null])).toEqual([{ id: 'a', name: 'x.png' }])
    expect(fileRefs({ id: 'sig' })).toEqual([{ id: 'sig' }])
    expect(remainingFiles('images', null, 3)).toBe(6)
    expect(remainingFiles('attachments', 2, 5)).toBe(0)
    expect(remainingFiles('signature', null, 0)).toBe(1)
    expect(acceptAttribute('attachments', { accept: ['application/pdf', 'image/*'] })).toBe('application/pdf,image/*')
    expect(acceptAttribute('images', {})).toContain('image/jpeg')
    expect(formatFileSize(512)).toBe('512 B')
    expect(formatFileSize(2.5 * 1024 * 1024)).toBe('2.5 MB')
  })
})

describe('coordinates', () => {
  it('converts the browser\'s WGS-84 to GCJ-02 in China (a few hundred metres) and leaves other places alone', () => {
    const [lat, lng] = wgs84ToGcj02(39.908823, 116.39747)
    // Tian'anmen: the published GCJ-02 offset is about +0.0014 lat, +0.0062 lng.
    expect(lat - 39.908823).toBeGreaterThan(0.001)
    expect(lat - 39.908823).toBeLessThan(0.002)
    expect(lng - 116.39747).toBeGreaterThan(0.005)
    expect(lng - 116.39747).toBeLessThan(0.007)
    expect(wgs84ToGcj02(51.5, -0.12)).toEqual([51.5, -0.12])
    const [bdLat, bdLng] = gcj02ToBd09(lat, lng)
    expect(bdLat - lat).toBeGreaterThan(0.005)
    expect(bdLng - lng).toBeGreaterThan(0.005)
  })
  it('stores a position in the field\'s system, rounded as the server rounds', () => {
    expect(positionToLocation(22.54, 113.95, 12.34, 'wgs84')).toEqual({ lat: 22.54, lng: 113.95, address: '', accuracy: 12.3 })
    const gcj = positionToLocation(22.54, 113.95, null, 'gcj02', '科技园')
    expect(gcj.address).toBe('科技园')
    expect(gcj.lat).not.toBe(22.54)
    expect(String(gcj.lng).split('.')[1]!.length).toBeLessThanOrEqual(7)
  })
})
