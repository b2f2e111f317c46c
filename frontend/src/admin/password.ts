/** A random password that passes the server's policy (length, not common, not all digits), shown once. */
const LOWER = 'abcdefghijkmnpqrstuvwxyz'
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ'
const DIGITS = '23456789'
const SYMBOLS = '!@#$%&*-_=+?'

function pick(chars: string, random: (n: number) => number): string {
  return chars[random(chars.length)]!
}

function cryptoRandom(n: number): number {
  // Rejection sampling: no modulo bias.
  const limit = Math.floor(0x100000000 / n) * n
  const buf = new Uint32Array(1)
  for (;;) {
    crypto.getRandomValues(buf)
    if (buf[0]! < limit) return buf[0]! % n
  }
}

export function generatePassword(length = 14, random: (n: number) => number = cryptoRandom): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS
  // Visually ambiguous characters (l, 1, O, 0, I, o) are left out: the password is read off a screen.
  const chars = [pick(LOWER, random), pick(UPPER, random), pick(DIGITS, random), pick(SYMBOLS, random)]
  while (chars.length < Math.max(length, 8)) chars.push(pick(all, random))
  for (let i = chars.length - 1; i > 0; i--) {
    const j = random(i + 1)
    ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
  }
  return chars.join('')
}
