/**
 * IP address parsing, canonical formatting and address-scope classification.
 *
 * Addresses are held as numbers so that range tables can be binary-searched without
 * BigInt: IPv4 as one unsigned 32-bit value, IPv6 as four unsigned 32-bit words, most
 * significant first. Nothing here throws on bad input; parsers return null instead.
 */

/** Where an address lives, by the IANA special-purpose registries (RFC 6890 and successors). */
export type IpScope =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'cgnat'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'unspecified';

/** How an IPv6 address carries an IPv4 address whose location is the one that matters. */
export type EmbeddingKind = 'ipv4-mapped' | 'nat64' | '6to4' | 'teredo';

export interface ParsedIp {
  version: 4 | 6;
  /** IPv4 value (unsigned 32-bit); 0 for IPv6. */
  v4: number;
  /** IPv6 words, most significant first; null for IPv4. */
  v6: [number, number, number, number] | null;
}

export interface ScopeInfo {
  scope: IpScope;
  /** The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, Teredo client), or null. */
  embedded: { kind: EmbeddingKind; v4: number } | null;
}

/** Parses an IPv4 or IPv6 literal (optionally bracketed, optionally with a %zone); null if it is not one. */
export function parseIp(text: string): ParsedIp | null {
  if (typeof text !== 'string') return null;
  let s = text.trim();
  if (s.length === 0 || s.length > 64) return null;
  if (s.charCodeAt(0) === 0x5b /* [ */) {
    if (s.charCodeAt(s.length - 1) !== 0x5d) return null;
    s = s.slice(1, -1);
  }
  if (s.indexOf(':') < 0) {
    const v4 = parseIpv4(s, 0, s.length);
    return v4 < 0 ? null : { version: 4, v4, v6: null };
  }
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const words = parseIpv6(s);
  return words === null ? null : { version: 6, v4: 0, v6: words };
}

/**
 * Parses a dotted-quad IPv4 between start and end; -1 if malformed. Leading zeros are
 * refused because "010" means 8 to inet_aton and 10 to most people.
 */
export function parseIpv4(s: string, start: number, end: number): number {
  let value = 0;
  let parts = 0;
  let i = start;
  while (i <= end) {
    let octet = 0;
    let digits = 0;
    const first = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && s.charCodeAt(first) === 0x30) return -1;
    value = value * 256 + octet;
    parts++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 0x2e /* . */ || parts === 4) return -1;
    i++;
  }
  return parts === 4 ? value >>> 0 : -1;
}

/** Parses an IPv6 literal (RFC 4291 text forms, with an optional dotted IPv4 tail); null if malformed. */
export function parseIpv6(s: string): [number, number, number, number] | null {
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  const n = s.length;
  if (n < 2) return null;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return null;
    gap = 0;
    i = 2;
    if (i === n) return [0, 0, 0, 0];
  }
  while (i < n) {
    let j = i;
    let value = 0;
    while (j < n && j - i < 5) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      j++;
    }
    if (j < n && s.charCodeAt(j) === 0x2e /* . */) {
      // Dotted IPv4 tail: only as the last 32 bits.
      const v4 = parseIpv4(s, i, n);
      if (v4 < 0 || groups.length > 6) return null;
      groups.push(v4 >>> 16, v4 & 0xffff);
      i = n;
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(value);
    if (groups.length > 8) return null;
    if (j === n) {
      i = n;
      break;
    }
    if (s.charCodeAt(j) !== 0x3a) return null;
    if (j + 1 < n && s.charCodeAt(j + 1) === 0x3a) {
      if (gap >= 0) return null;
      gap = groups.length;
      i = j + 2;
      if (i === n) break;
    } else {
      i = j + 1;
      if (i === n) return null;
    }
  }
  if (gap < 0) {
    if (groups.length !== 8) return null;
  } else {
    if (groups.length > 7) return null;
    const fill = 8 - groups.length;
    groups.splice(gap, 0, ...new Array<number>(fill).fill(0));
  }
  return [
    ((groups[0] << 16) | groups[1]) >>> 0,
    ((groups[2] << 16) | groups[3]) >>> 0,
    ((groups[4] << 16) | groups[5]) >>> 0,
    ((groups[6] << 16) | groups[7]) >>> 0,
  ];
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Dotted-quad text of an unsigned 32-bit IPv4 value. */
export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 canonical text of an IPv6 address (IPv4-mapped addresses keep their dotted tail). */
export function formatIpv6(w: readonly [number, number, number, number]): string {
  const g = [
    w[0] >>> 16, w[0] & 0xffff, w[1] >>> 16, w[1] & 0xffff,
    w[2] >>> 16, w[2] & 0xffff, w[3] >>> 16, w[3] & 0xffff,
  ];
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return `::ffff:${formatIpv4(w[3])}`;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** Canonical text of a parsed address. */
export function formatIp(ip: ParsedIp): string {
  return ip.version === 4 ? formatIpv4(ip.v4) : formatIpv6(ip.v6 as [number, number, number, number]);
}

// [network, prefix length, scope], most specific first where ranges nest.
const V4_SPECIAL: ReadonlyArray<readonly [number, number, IpScope]> = [
  [0x00000000, 32, 'unspecified'],
  [0xffffffff, 32, 'broadcast'],
  [0x00000000, 8, 'reserved'], // "this network", RFC 791/1122
  [0x0a000000, 8, 'private'], // RFC 1918
  [0x64400000, 10, 'cgnat'], // RFC 6598 shared address space
  [0x7f000000, 8, 'loopback'],
  [0xa9fe0000, 16, 'link-local'], // RFC 3927
  [0xac100000, 12, 'private'], // RFC 1918
  [0xc0000000, 24, 'reserved'], // IETF protocol assignments, RFC 6890
  [0xc0000200, 24, 'documentation'], // TEST-NET-1, RFC 5737
  [0xc0586300, 24, 'reserved'], // deprecated 6to4 relay anycast, RFC 7526
  [0xc0a80000, 16, 'private'], // RFC 1918
  [0xc6120000, 15, 'benchmarking'], // RFC 2544
  [0xc6336400, 24, 'documentation'], // TEST-NET-2
  [0xcb007100, 24, 'documentation'], // TEST-NET-3
  [0xe0000000, 4, 'multicast'],
  [0xf0000000, 4, 'reserved'], // RFC 1112 "future use"
];

/** Scope of an IPv4 value. */
export function ipv4Scope(v: number): IpScope {
  for (const [net, len, scope] of V4_SPECIAL) {
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (((v & mask) >>> 0) === net) return scope;
  }
  return 'public';
}

/**
 * Scope of an address. IPv6 forms that stand for an IPv4 host (mapped, NAT64 well-known
 * prefix, 6to4, Teredo) take the scope of that IPv4 host and report it as `embedded`.
 */
export function classifyIp(ip: ParsedIp): ScopeInfo {
  if (ip.version === 4) return { scope: ipv4Scope(ip.v4), embedded: null };
  const [a, b, c, d] = ip.v6 as [number, number, number, number];
  const top16 = a >>> 16;
  if (a === 0 && b === 0 && c === 0) {
    if (d === 0) return plain('unspecified');
    if (d === 1) return plain('loopback');
    return plain('reserved'); // deprecated IPv4-compatible ::a.b.c.d
  }
  if (a === 0 && b === 0 && c === 0xffff) return embed('ipv4-mapped', d);
  if (a === 0x0064ff9b && b === 0 && c === 0) return embed('nat64', d); // RFC 6052
  if (a === 0x0064ff9b && b >>> 16 === 1) return plain('private'); // RFC 8215 local-use translation
  if (a === 0x01000000 && b === 0) return plain('reserved'); // 100::/64 discard-only, RFC 6666
  if (a === 0x20010000) return embed('teredo', ~d >>> 0); // RFC 4380: client address is inverted
  if (a === 0x20010002 && b >>> 16 === 0) return plain('benchmarking'); // 2001:2::/48, RFC 5180
  if (a === 0x20010db8) return plain('documentation'); // RFC 3849
  if (a >>> 4 === 0x2001001 || a >>> 4 === 0x2001002) return plain('reserved'); // ORCHID v1/v2
  if (top16 === 0x2002) return embed('6to4', ((a & 0xffff) << 16 | b >>> 16) >>> 0); // RFC 3056
  if (a >>> 12 === 0x3fff0) return plain('documentation'); // 3fff::/20, RFC 9637
  if (top16 === 0x5f00) return plain('reserved'); // SRv6 SIDs, RFC 9602
  if (a >>> 25 === 0x7e) return plain('private'); // fc00::/7 unique local, RFC 4193
  if (a >>> 22 === 0x3fa) return plain('link-local'); // fe80::/10
  if (a >>> 22 === 0x3fb) return plain('reserved'); // fec0::/10 site-local, deprecated by RFC 3879
  if (a >>> 24 === 0xff) return plain('multicast');
  if (a >>> 29 !== 1) return plain('reserved'); // outside 2000::/3, nothing is allocated for global unicast
  return plain('public');
}

function plain(scope: IpScope): ScopeInfo {
  return { scope, embedded: null };
}

function embed(kind: EmbeddingKind, v4: number): ScopeInfo {
  return { scope: ipv4Scope(v4), embedded: { kind, v4 } };
}
