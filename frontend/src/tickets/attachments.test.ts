import { describe, expect, it } from 'vitest'
import { formatBytes, isImage } from './attachments'

describe('attachments', () => {
  it('previews raster images only', () => {
    expect(isImage('image/png')).toBe(true)
    expect(isImage('IMAGE/JPEG')).toBe(true)
    expect(isImage('image/svg+xml')).toBe(false) // scripts can hide in SVG: downloaded, never inlined
    expect(isImage('application/pdf')).toBe(false)
  })
  it('writes sizes in B / KB / MB', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(200 * 1024)).toBe('200 KB')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB')
  })
})
