/**
 * Link layers: find where the IP packet starts in a captured frame and where the
 * MAC addresses are, without allocating. Non-IP frames (ARP, LLDP, STP, ...) are
 * skipped silently.
 */

/** Result of `parseLink`, reused between frames. */
export interface LinkInfo {
  /** Offset of the network-layer header. */
  off: number;
  /** Offsets of the source/destination MAC in the frame, or -1. */
  macSrc: number;
  macDst: number;
  /** Why the frame could not be parsed (when `parseLink` returns LINK_TRUNCATED). */
  error: string;
}

export const LINK_SKIP = 0;
export const LINK_IPV4 = 4;
export const LINK_IPV6 = 6;
export const LINK_UNKNOWN_TYPE = -1;
export const LINK_TRUNCATED = -2;

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_PPP = 9;
const LINKTYPE_RAW_12 = 12;
const LINKTYPE_RAW_14 = 14;
const LINKTYPE_PPP_HDLC = 50;
const LINKTYPE_RAW = 101;
const LINKTYPE_LOOP = 108;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** Classify a frame by its IP version nibble (raw-IP link types). */
function byVersion(d: Buffer, off: number, n: number, out: LinkInfo): number {
  out.off = off;
  if (off >= n) { out.error = 'raw IP frame is empty'; return LINK_TRUNCATED; }
  const v = d[off] >> 4;
  if (v === 4) return LINK_IPV4;
  if (v === 6) return LINK_IPV6;
  out.error = `raw IP frame with IP version ${v}`;
  return LINK_TRUNCATED;
}

/** Map an ethertype (after VLAN/PPPoE/MPLS unwrapping starting at `off`) to an IP kind. */
function byEthertype(d: Buffer, type: number, off: number, n: number, out: LinkInfo): number {
  // Nested 802.1Q / 802.1ad / legacy Q-in-Q tags; the bound only stops malicious chains.
  for (let depth = 0; depth < 8; depth++) {
    if (type === 0x0800) { out.off = off; return LINK_IPV4; }
    if (type === 0x86dd) { out.off = off; return LINK_IPV6; }
    if (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
      if (off + 4 > n) { out.error = 'truncated VLAN tag'; return LINK_TRUNCATED; }
      type = (d[off + 2] << 8) | d[off + 3];
      off += 4;
      continue;
    }
    if (type === 0x8864) {
      // PPPoE session: 6-byte header, then a PPP protocol number.
      if (off + 8 > n) { out.error = 'truncated PPPoE header'; return LINK_TRUNCATED; }
      const ppp = (d[off + 6] << 8) | d[off + 7];
      out.off = off + 8;
      return ppp === 0x0021 ? LINK_IPV4 : ppp === 0x0057 ? LINK_IPV6 : LINK_SKIP;
    }
    if (type === 0x8847 || type === 0x8848) {
      // MPLS: skip labels to the bottom of the stack, then guess IP by version nibble.
      for (let labels = 0; labels < 16; labels++) {
        if (off + 4 > n) { out.error = 'truncated MPLS label stack'; return LINK_TRUNCATED; }
        const bottom = (d[off + 2] & 1) !== 0;
        off += 4;
        if (bottom) {
          if (off >= n) return LINK_SKIP;
          const v = d[off] >> 4;
          out.off = off;
          return v === 4 ? LINK_IPV4 : v === 6 ? LINK_IPV6 : LINK_SKIP;
        }
      }
      return LINK_SKIP;
    }
    if (type < 0x0600) {
      // 802.3 length field: only LLC/SNAP can carry IP.
      if (off + 8 <= n && d[off] === 0xaa && d[off + 1] === 0xaa && d[off + 2] === 0x03) {
        type = (d[off + 6] << 8) | d[off + 7];
        off += 8;
        if (type < 0x0600) return LINK_SKIP;
        continue;
      }
      return LINK_SKIP;
    }
    return LINK_SKIP;
  }
  return LINK_SKIP;
}

function ppp(d: Buffer, off: number, n: number, out: LinkInfo): number {
  // Address/control bytes (ff 03) are optional; protocol is 1 or 2 bytes (PFC).
  if (off + 2 <= n && d[off] === 0xff && d[off + 1] === 0x03) off += 2;
  if (off >= n) { out.error = 'truncated PPP header'; return LINK_TRUNCATED; }
  let proto: number;
  if ((d[off] & 1) === 1) { proto = d[off]; off += 1; } else {
    if (off + 2 > n) { out.error = 'truncated PPP header'; return LINK_TRUNCATED; }
    proto = (d[off] << 8) | d[off + 1];
    off += 2;
  }
  out.off = off;
  return proto === 0x21 ? LINK_IPV4 : proto === 0x57 ? LINK_IPV6 : LINK_SKIP;
}

function nullLoop(d: Buffer, s: number, n: number, out: LinkInfo): number {
  if (n - s < 4) { out.error = 'truncated loopback header'; return LINK_TRUNCATED; }
  // The AF value is in the writer's byte order for NULL and network order for LOOP; accept both.
  const le = d[s] | (d[s + 1] << 8) | (d[s + 2] << 16) | (d[s + 3] << 24);
  const be = (d[s] << 24) | (d[s + 1] << 16) | (d[s + 2] << 8) | d[s + 3];
  out.off = s + 4;
  if (le === 2 || be === 2) return LINK_IPV4;
  if (le === 24 || le === 28 || le === 30 || be === 24 || be === 28 || be === 30) return LINK_IPV6;
  return LINK_SKIP;
}

/**
 * Parse the link header of the frame d[s, n) of link type `lt`. Returns LINK_IPV4 or
 * LINK_IPV6 with `out.off` at the IP header, LINK_SKIP for non-IP frames,
 * LINK_UNKNOWN_TYPE, or LINK_TRUNCATED with `out.error` set. Offsets in `out` are
 * positions in `d` (the frame need not start at 0: readers may hand a whole chunk).
 */
export function parseLink(d: Buffer, s: number, n: number, lt: number, out: LinkInfo): number {
  out.macSrc = -1;
  out.macDst = -1;
  const len = n - s;
  switch (lt) {
    case LINKTYPE_ETHERNET: {
      if (len < 14) { out.error = `Ethernet frame of ${len} bytes`; return LINK_TRUNCATED; }
      out.macDst = s;
      out.macSrc = s + 6;
      return byEthertype(d, (d[s + 12] << 8) | d[s + 13], s + 14, n, out);
    }
    case LINKTYPE_LINUX_SLL: {
      if (len < 16) { out.error = `Linux cooked header truncated (${len} bytes)`; return LINK_TRUNCATED; }
      const alen = (d[s + 4] << 8) | d[s + 5];
      if (alen === 6 && ((d[s + 2] << 8) | d[s + 3]) === 1) out.macSrc = s + 6;
      return byEthertype(d, (d[s + 14] << 8) | d[s + 15], s + 16, n, out);
    }
    case LINKTYPE_LINUX_SLL2: {
      if (len < 20) { out.error = `Linux cooked v2 header truncated (${len} bytes)`; return LINK_TRUNCATED; }
      if (d[s + 11] === 6 && ((d[s + 8] << 8) | d[s + 9]) === 1) out.macSrc = s + 12;
      return byEthertype(d, (d[s] << 8) | d[s + 1], s + 20, n, out);
    }
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return byVersion(d, s, n, out);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return nullLoop(d, s, n, out);
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
      return ppp(d, s, n, out);
    default:
      return LINK_UNKNOWN_TYPE;
  }
}
