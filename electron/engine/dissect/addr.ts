/**
 * Address formatting. Strings are only built when a flow is created or a protocol
 * needs them, never per packet of a known flow.
 */

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

/** Dotted-quad form of an IPv4 address held as an unsigned 32-bit number. */
export function ipv4String(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Read an IPv4 address at `off` as an unsigned 32-bit number. */
export function readIpv4(b: Buffer, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** RFC 5952 canonical text of the IPv6 address at `off` (lower case, longest zero run compressed, IPv4-mapped dotted). */
export function ipv6String(b: Buffer, off: number): string {
  const w = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  // RFC 5952 4.2: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && w[i] === 0) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      const len = i - runStart;
      if (len > bestLen) { bestLen = len; bestStart = runStart; }
      runStart = -1;
    }
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += w[i].toString(16);
  }
  return s;
}

/** Lower-case colon-separated MAC address at `off` (6 bytes). */
export function macString(b: Buffer, off: number): string {
  return `${HEX2[b[off]]}:${HEX2[b[off + 1]]}:${HEX2[b[off + 2]]}:${HEX2[b[off + 3]]}:${HEX2[b[off + 4]]}:${HEX2[b[off + 5]]}`;
}

const macCache = new Map<number, string>();
/** Distinct MACs remembered; a LAN capture has a few hundred, a spoofing flood is cut off here. */
const MAC_CACHE_MAX = 4096;

/**
 * macString through a cache: the same few MACs recur on every new conversation (DNS
 * makes one per lookup), and building the text each time was a tenth of the
 * dissector's allocations.
 */
export function macText(b: Buffer, off: number): string {
  const n = macNumber(b, off);
  let s = macCache.get(n);
  if (s === undefined) {
    if (macCache.size >= MAC_CACHE_MAX) macCache.clear();
    s = macString(b, off);
    macCache.set(n, s);
  }
  return s;
}

/** The 6 MAC bytes at `off` as one number (48 bits fit a double exactly): a cheap identity to cache strings on. */
export function macNumber(b: Buffer, off: number): number {
  return ((b[off] << 8) | b[off + 1]) * 0x1_0000_0000 + (((b[off + 2] << 24) | (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]) >>> 0);
}
