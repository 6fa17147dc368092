// The platform's webhook as rules: which URLs are taken, how a delivery is signed and checked, and when a
// failing one is tried again or given up on. Pure: the time is an argument.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import { days } from './calendar.js'
import type { Millis } from './calendar.js'
import { retryDelay } from './rate-limit.js'
import { isStorableText } from './text.js'

/** The header that carries the timestamp and the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'X-Assistant-Signature'
export const EVENT_ID_HEADER = 'X-Assistant-Event-Id'
export const EVENT_TYPE_HEADER = 'X-Assistant-Event-Type'
/** A receiver should refuse a signature whose timestamp is further than this from its own clock (a replay). */
export const SIGNATURE_TOLERANCE_SECONDS = 300
const WEBHOOK_URL_MAX = 2048

export interface WebhookPolicy {
  /** Attempts before an event is given up on. */
  maxAttempts: number
  /** An event still not delivered this long after it was queued is given up on. */
  maxAge: Millis
  /** How long one attempt may take (connection, request and answer). */
  timeoutMs: number
}

/** With retryDelay's back-off (1, 2, 4 … 60 minutes), 15 attempts span about 9 hours; a day at most. */
export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = { maxAttempts: 15, maxAge: days(1), timeoutMs: 10_000 }

export type WebhookUrlProblem = 'not-a-url' | 'scheme' | 'credentials' | 'fragment' | 'too-long' | 'address'

/** What is wrong with a URL the platform gives, or undefined when it can be registered. */
export function webhookUrlProblem (raw: string): WebhookUrlProblem | undefined {
  if (raw.length > WEBHOOK_URL_MAX) return 'too-long'
  // Kept and used exactly as given: nothing the URL parser would quietly drop or re-encode (spaces, control characters).
  if (/[\s\p{Cc}\p{Cf}]/u.test(raw) || raw !== raw.normalize('NFC') || !isStorableText(raw)) return 'not-a-url'
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'not-a-url'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'scheme'
  if (url.hostname === '') return 'not-a-url'
  // A password in the URL would be stored, listed and logged with it: the signature is the authentication.
  if (url.username !== '' || url.password !== '') return 'credentials'
  if (raw.includes('#')) return 'fragment'
  return undefined
}

/**
 * Addresses a webhook may never reach, whatever the platform registers or a name resolves to: "this host"
 * (0.0.0.0, ::), link-local (169.254/16 holds the cloud's metadata service; fe80::/10), Alibaba Cloud's
 * metadata service (100.100.100.200), multicast and the reserved 240/4; and each of these written inside
 * an IPv6 address (IPv4-mapped, NAT64, IPv4-compatible, 6to4). Loopback and private networks stay allowed:
 * the platform often runs beside the assistant, and registering needs the platform's token anyway.
 */
const UNREACHABLE = new BlockList()
UNREACHABLE.addSubnet('0.0.0.0', 8, 'ipv4')
UNREACHABLE.addSubnet('169.254.0.0', 16, 'ipv4')
UNREACHABLE.addAddress('100.100.100.200', 'ipv4')
UNREACHABLE.addSubnet('224.0.0.0', 4, 'ipv4')
UNREACHABLE.addSubnet('240.0.0.0', 4, 'ipv4')
UNREACHABLE.addAddress('::', 'ipv6')
UNREACHABLE.addSubnet('fe80::', 10, 'ipv6')
UNREACHABLE.addSubnet('ff00::', 8, 'ipv6')

/** Whether a webhook may connect to this IP address (an IPv6 address carrying an IPv4 one is judged as that too). */
export function isReachableWebhookAddress (address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? mappedHex(address)
  if (mapped) return isReachableWebhookAddress(mapped)
  const family = isIP(address)
  if (family === 0) return false
  if (UNREACHABLE.check(address, family === 4 ? 'ipv4' : 'ipv6')) return false
  const carried = family === 6 ? carriedIpv4(address) : undefined
  return carried === undefined || !UNREACHABLE.check(carried, 'ipv4')
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part read as two). */
function groupsOf (address: string): number[] {
  const [head, tail = ''] = address.includes('::') ? address.split('::') : [address, undefined]
  const part = (text: string | undefined): number[] => (text ?? '').split(':').filter(Boolean).flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)]
    const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number]
    return [(a << 8) | b, (c << 8) | d]
  })
  const left = part(head)
  const right = part(address.includes('::') ? tail : undefined)
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
}

/** The IPv4 address inside a NAT64 (64:ff9b::/96), IPv4-compatible (::/96) or 6to4 (2002::/16) address. */
function carriedIpv4 (address: string): string | undefined {
  const g = groupsOf(address)
  const ipv4 = (high: number, low: number): string => [high >> 8, high & 255, low >> 8, low & 255].join('.')
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return ipv4(g[6]!, g[7]!)
  if (g.slice(0, 6).every((x) => x === 0) && g[6] !== 0) return ipv4(g[6]!, g[7]!)
  if (g[0] === 0x2002) return ipv4(g[1]!, g[2]!)
  return undefined
}

/** ::ffff:a9fe:a9fe (how the URL parser writes ::ffff:169.254.169.254) as 169.254.169.254. */
function mappedHex (address: string): string | undefined {
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (!match) return undefined
  const [high, low] = [parseInt(match[1]!, 16), parseInt(match[2]!, 16)]
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/** 'address' when the URL names, as an IP literal, an address a webhook may never reach; names are checked when they resolve. */
export function webhookHostProblem (url: string): 'address' | undefined {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  return isIP(host) !== 0 && !isReachableWebhookAddress(host) ? 'address' : undefined
}

/** The value of SIGNATURE_HEADER for `body` sent at `timestamp` (unix seconds): HMAC-SHA256 of `<timestamp>.<body>`. */
export function signatureHeader (secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export type SignatureCheck = { ok: true, timestamp: number } | { ok: false, reason: 'malformed' | 'mismatch' | 'stale' }

/** What a receiver does with a delivery (the README's sample does the same in a few lines). */
export function checkSignature (secret: string, header: string | undefined, body: string, nowSeconds: number, tolerance = SIGNATURE_TOLERANCE_SECONDS): SignatureCheck {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '')
  if (!match) return { ok: false, reason: 'malformed' }
  const timestamp = Number(match[1])
  const expected = Buffer.from(signatureHeader(secret, timestamp, body).slice(-64), 'hex')
  if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) return { ok: false, reason: 'mismatch' }
  if (Math.abs(nowSeconds - timestamp) > tolerance) return { ok: false, reason: 'stale' }
  return { ok: true, timestamp }
}

/** After failed attempt number `attempts` (1-based) at `now`: tried again at `retryAt`, or given up on. */
export function afterFailure (attempts: number, queuedAt: Millis, now: Millis, policy: WebhookPolicy): { givesUp: true } | { givesUp: false, retryAt: Millis } {
  const retryAt = now + retryDelay(attempts)
  if (attempts >= policy.maxAttempts || retryAt - queuedAt > policy.maxAge) return { givesUp: true }
  return { givesUp: false, retryAt }
}

/** How an HTTP answer reads: 2xx is delivered; anything else (a redirect too: never followed) failed. */
export function answerProblem (status: number): string | undefined {
  if (status >= 200 && status < 300) return undefined
  if (status >= 300 && status < 400) return `HTTP ${status}: a redirect, which is never followed (register the final URL)`
  return `HTTP ${status}`
}
