// IP and CIDR parsing/printing with Go's semantics, because kube-proxy prints addresses through
// net.IP.String() and IPNet.String() after k8s.io/utils/net's "sloppy" parsing (leading zeros in
// IPv4 octets are read as decimal: 172.30.0.041 is 172.30.0.41, see TestBadIPs).

export type IPFamily = 'IPv4' | 'IPv6';

export interface IP {
  readonly family: IPFamily;
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
}

export interface CIDR {
  readonly ip: IP; // network address (masked)
  readonly prefix: number;
}

function parseIPv4(s: string): Uint8Array | null {
  // four parts of 1 to 3 decimal digits, each at most 255; by character (models parse addresses by the hundred thousand)
  const out = new Uint8Array(4);
  let part = 0, value = 0, digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || part > 3) return null;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      return null;
    }
  }
  return part === 4 ? out : null;
}

function parseIPv6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const out = new Uint8Array(16);
  let head = s, tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return null;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const items = part.split(':');
    const words: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.includes('.')) {
        if (i !== items.length - 1) return null;
        const v4 = parseIPv4(item);
        if (!v4) return null;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return null;
        words.push(parseInt(item, 16));
      }
    }
    return words;
  };
  const h = groups(head), t = groups(tail);
  if (!h || !t) return null;
  if (dbl < 0 && h.length !== 8) return null;
  if (dbl >= 0 && h.length + t.length > 7) return null;
  const words = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  words.forEach((w, i) => { out[i * 2] = w >> 8; out[i * 2 + 1] = w & 0xff; });
  return out;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses like netutils.ParseIPSloppy; IPv4-mapped IPv6 addresses count as IPv4, as in Go. */
export function parseIP(s: string): IP | null {
  const text = s.trim() === s ? s : '';
  if (text.includes(':')) {
    const b = parseIPv6(text);
    if (!b) return null;
    if (V4_MAPPED_PREFIX.every((v, i) => b[i] === v)) return { family: 'IPv4', bytes: b.slice(12) };
    return { family: 'IPv6', bytes: b };
  }
  const b = parseIPv4(text);
  return b ? { family: 'IPv4', bytes: b } : null;
}

/** Go net.IP.String(): dotted quad, or RFC 5952 IPv6 (longest run of two or more zero groups compressed). */
export function formatIP(ip: IP): string {
  if (ip.family === 'IPv4') return Array.from(ip.bytes).join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((ip.bytes[i]! << 8) | ip.bytes[i + 1]!);
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map(w => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

const canonicalCache = new Map<string, string | null>();

/** Canonical text of an address string, or null when it does not parse (memoised: models repeat addresses). */
export function canonicalIP(s: string): string | null {
  let text = canonicalCache.get(s);
  if (text === undefined) {
    const ip = parseIP(s);
    text = ip ? formatIP(ip) : null;
    if (canonicalCache.size > 100_000) canonicalCache.clear();
    canonicalCache.set(s, text);
  }
  return text;
}

export function ipFamilyOf(s: string): IPFamily | null {
  return parseIP(s)?.family ?? null;
}

/** Parses like netutils.ParseCIDRSloppy and masks the address, as Go's net.ParseCIDR does. */
export function parseCIDR(s: string): CIDR | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIP(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(prefixText)) return null;
  // an IPv4-mapped address with an IPv6 prefix length stays in the IPv6 numbering of bits
  const max = ip.family === 'IPv4' && s.slice(0, slash).includes(':') ? 128 : ip.family === 'IPv4' ? 32 : 128;
  let prefix = Number(prefixText);
  if (prefix > max) return null;
  if (max === 128 && ip.family === 'IPv4') {
    if (prefix < 96) return null;
    prefix -= 96;
  }
  return { ip: maskIP(ip, prefix), prefix };
}

function maskIP(ip: IP, prefix: number): IP {
  const bytes = ip.bytes.slice();
  for (let i = 0; i < bytes.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - bitsHere)) & 0xff);
  }
  return { family: ip.family, bytes };
}

/** Go IPNet.String(): network address and prefix length. */
export function formatCIDR(c: CIDR): string {
  return `${formatIP(c.ip)}/${c.prefix}`;
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  if (c.ip.family !== ip.family) return false;
  const masked = maskIP(ip, c.prefix);
  return masked.bytes.every((b, i) => b === c.ip.bytes[i]);
}

export function isLoopback(ip: IP): boolean {
  if (ip.family === 'IPv4') return ip.bytes[0] === 127;
  return ip.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/** Go net.JoinHostPort: IPv6 hosts are bracketed. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function ipToNumberV4(ip: IP): number {
  return ((ip.bytes[0]! << 24) | (ip.bytes[1]! << 16) | (ip.bytes[2]! << 8) | ip.bytes[3]!) >>> 0;
}

export function ipFromNumberV4(n: number): IP {
  return { family: 'IPv4', bytes: new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]) };
}

/** The address `n` after `ip` (carrying across bytes), e.g. a CIDR's network address + 10. */
export function offsetIP(ip: IP, n: number): IP {
  const bytes = ip.bytes.slice();
  let carry = n;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = bytes[i]! + (carry & 0xff);
    bytes[i] = sum & 0xff;
    carry = (carry >> 8) + (sum >> 8);
  }
  return { family: ip.family, bytes };
}
