// Client-side check of IP addresses and networks, mirroring the server's ipnet_parse: IPv4 or IPv6,
// an address alone (a /32 or /128) or a CIDR network whose host bits are zero.

function parseV4(text) {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  let value = 0n
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null
    const n = Number(p)
    if (n > 255) return null
    value = (value << 8n) | BigInt(n)
  }
  return value
}

function parseV6(text) {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null
  let groups = []
  const halves = text.split('::')
  if (halves.length > 2) return null
  const side = (s) => (s === '' ? [] : s.split(':'))
  const head = side(halves[0])
  const tail = halves.length === 2 ? side(halves[1]) : []
  // An embedded IPv4 address may end the text (::ffff:192.0.2.1).
  const last = halves.length === 2 ? tail : head
  if (last.length && last[last.length - 1].includes('.')) {
    const v4 = parseV4(last.pop())
    if (v4 === null) return null
    last.push(((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16))
  }
  for (const g of [...head, ...tail]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length
    if (missing < 1) return null
    groups = [...head, ...Array(missing).fill('0'), ...tail]
  } else {
    if (head.length !== 8) return null
    groups = head
  }
  let value = 0n
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16))
  return value
}

function formatV4(value) {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.')
}

/** The problem with one address or network in Chinese, or '' when it is valid. */
export function cidrProblem(input) {
  const text = String(input ?? '').trim()
  if (!text) return '地址段不能为空'
  const [addr, prefixText, extra] = text.split('/')
  if (extra !== undefined) return `IP 地址或网段不合法：${text}`
  const v4 = addr.includes(':') ? null : parseV4(addr)
  const v6 = v4 === null && addr.includes(':') ? parseV6(addr) : null
  if (v4 === null && v6 === null) return `IP 地址不合法：${text}`
  const bits = v4 !== null ? 32 : 128
  let prefix = bits
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return `网段前缀长度不合法：${text}`
    prefix = Number(prefixText)
    if (prefix > bits) return `网段前缀长度超出范围（${v4 !== null ? 'IPv4' : 'IPv6'} 最大 /${bits}）：${text}`
  }
  const value = v4 !== null ? v4 : v6
  const hostBits = BigInt(bits - prefix)
  const host = value & ((1n << hostBits) - 1n)
  if (host !== 0n) {
    const network = value - host
    const shown = v4 !== null ? formatV4(network) : network.toString(16)
    return v4 !== null ? `网段 ${text} 的主机位不为零，应写作 ${shown}/${prefix}` : `网段 ${text} 的主机位不为零`
  }
  return ''
}

/** Splits text typed into a box (one per line, or separated by commas, semicolons or spaces). */
export function splitRanges(text) {
  return String(text || '')
    .split(/[\s,;，；]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}
