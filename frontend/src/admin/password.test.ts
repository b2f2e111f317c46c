import { describe, expect, it } from 'vitest'
import { generatePassword } from './password'

describe('generatePassword', () => {
  it('has every character class, the length asked and nothing ambiguous', () => {
    for (let i = 0; i < 50; i++) {
      const p = generatePassword()
      expect(p).toHaveLength(14)
      expect(p).toMatch(/[a-z]/)
      expect(p).toMatch(/[A-Z]/)
      expect(p).toMatch(/[2-9]/)
      expect(p).toMatch(/[!@#$%&*\-_=+?]/)
      expect(p).not.toMatch(/[lIO01o]/)
    }
  })
  it('never goes below 8 characters and differs each time', () => {
    expect(generatePassword(4)).toHaveLength(8)
    expect(new Set(Array.from({ length: 20 }, () => generatePassword())).size).toBe(20)
  })
})
