/**
 * Builders for hand-made packets: link headers (Ethernet with VLAN tags, Linux SLL/SLL2,
 * BSD loopback), IPv4/IPv6 (with extension headers and fragments), TCP and UDP, plus
 * RawFrame and classic-pcap wrappers. Checksums are filled in so the bytes are valid
 * on the wire (tshark and other tools accept them).
 */
import type { RawFrame } from '../../../electron/engine/capture/types.ts';

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE = { IPV4: 0x0800, IPV6: 0x86dd, ARP: 0x0806, VLAN: 0x8100, QINQ: 0x88a8, QINQ_OLD: 0x9100 } as const;

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** Bytes of a dotted IPv4 address. */
export function ip4(s: string): Buffer {
  const parts = s.split('.').map((x) => Number(x));
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) throw new Error(`bad IPv4 ${s}`);
  return Buffer.from(parts);
}

/** Bytes of an IPv6 address in any RFC 4291 text form (with :: and an optional dotted tail). */
export function ip6(s: string): Buffer {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ip4(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = text.split('::');
  const parse = (h: string): number[] => (h === '' ? [] : h.split(':').map((x) => parseInt(x, 16)));
  let words: number[];
  if (halves.length === 2) {
    const a = parse(halves[0]);
    const b = parse(halves[1]);
    words = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  } else {
    words = parse(halves[0]);
  }
  if (halves.length > 2 || words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) throw new Error(`bad IPv6 ${s}`);
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** Bytes of a MAC written aa:bb:cc:dd:ee:ff. */
export function mac(s: string): Buffer {
  const b = Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
  if (b.length !== 6) throw new Error(`bad MAC ${s}`);
  return b;
}

/** Internet checksum (RFC 1071) of the given buffers, as if concatenated. */
export function inetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i];
      else { sum += (odd << 8) | p[i]; odd = -1; }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---- link layers ---------------------------------------------------------------

export interface EthernetOptions {
  src?: string;
  dst?: string;
  type: number;
  /** VLAN tags outermost first: each is a VID or {tpid, vid, pcp}. */
  vlans?: Array<number | { tpid?: number; vid: number; pcp?: number }>;
}

/** Ethernet II frame (no FCS) with optional stacked VLAN tags (802.1Q/802.1ad). */
export function ethernet(o: EthernetOptions, payload: Buffer): Buffer {
  const tags = o.vlans ?? [];
  const hdr = Buffer.alloc(14 + 4 * tags.length);
  mac(o.dst ?? '00:11:22:33:44:55').copy(hdr, 0);
  mac(o.src ?? '66:77:88:99:aa:bb').copy(hdr, 6);
  let p = 12;
  tags.forEach((t, i) => {
    const tag = typeof t === 'number' ? { vid: t } : t;
    const outer = tags.length > 1 && i === 0;
    hdr.writeUInt16BE(tag.tpid ?? (outer ? ETHERTYPE.QINQ : ETHERTYPE.VLAN), p);
    hdr.writeUInt16BE(((tag.pcp ?? 0) << 13) | (tag.vid & 0xfff), p + 2);
    p += 4;
  });
  hdr.writeUInt16BE(o.type, p);
  return Buffer.concat([hdr, payload]);
}

/** Linux cooked capture v1 header (LINKTYPE_LINUX_SLL). */
export function sll(o: { protocol: number; src?: string; packetType?: number; hatype?: number }, payload: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(o.packetType ?? 0, 0);
  h.writeUInt16BE(o.hatype ?? 1, 2);
  h.writeUInt16BE(6, 4);
  mac(o.src ?? '66:77:88:99:aa:bb').copy(h, 6);
  h.writeUInt16BE(o.protocol, 14);
  return Buffer.concat([h, payload]);
}

/** Linux cooked capture v2 header (LINKTYPE_LINUX_SLL2). */
export function sll2(o: { protocol: number; src?: string; ifindex?: number; packetType?: number; hatype?: number }, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(o.protocol, 0);
  h.writeUInt32BE(o.ifindex ?? 2, 4);
  h.writeUInt16BE(o.hatype ?? 1, 8);
  h[10] = o.packetType ?? 0;
  h[11] = 6;
  mac(o.src ?? '66:77:88:99:aa:bb').copy(h, 12);
  return Buffer.concat([h, payload]);
}

/** BSD loopback header: the address family as 4 bytes in the given byte order. */
export function loopback(af: number, byteOrder: 'le' | 'be', payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  if (byteOrder === 'le') h.writeUInt32LE(af, 0); else h.writeUInt32BE(af, 0);
  return Buffer.concat([h, payload]);
}

// ---- IP -----------------------------------------------------------------------

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  id?: number;
  ttl?: number;
  df?: boolean;
  /** More-fragments flag. */
  mf?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  /** Raw options (padded to 4 bytes). */
  options?: Buffer;
  /** Override the total length field. */
  totalLength?: number;
  /** Leave the transport checksum alone (for fragments and hand-crafted payloads). */
  keepTransportChecksum?: boolean;
}

/** IPv4 packet; fills the header checksum and, for whole TCP/UDP packets, the transport checksum. */
export function ipv4(o: Ipv4Options, payload: Buffer): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const optLen = (opts.length + 3) & ~3;
  const hl = 20 + optLen;
  const h = Buffer.alloc(hl);
  h[0] = 0x40 | (hl / 4);
  h.writeUInt16BE(o.totalLength ?? hl + payload.length, 2);
  h.writeUInt16BE(o.id ?? 0x1234, 4);
  h.writeUInt16BE((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  ip4(o.src).copy(h, 12);
  ip4(o.dst).copy(h, 16);
  opts.copy(h, 20);
  h.writeUInt16BE(inetChecksum(h), 10);
  const body = Buffer.from(payload);
  const whole = !o.mf && !o.fragOffset;
  if (whole && !o.keepTransportChecksum) fillTransportChecksum(o.proto, body, pseudo4(o.src, o.dst, o.proto, body.length));
  return Buffer.concat([h, body]);
}

export interface Ipv6Options {
  src: string;
  dst: string;
  /** Next header of the fixed header (the first extension header's type, or the transport). */
  nextHeader: number;
  hopLimit?: number;
  flowLabel?: number;
  /** Override the payload length field. */
  payloadLength?: number;
  /** Transport protocol to checksum when extension headers precede it (default: nextHeader). */
  transport?: { proto: number; offset: number };
  keepTransportChecksum?: boolean;
}

/** IPv6 packet; `payload` includes any extension headers built with `ext6`/`frag6`. */
export function ipv6(o: Ipv6Options, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE((6 << 28) | ((o.flowLabel ?? 0) & 0xfffff), 0);
  h.writeUInt16BE(o.payloadLength ?? payload.length, 4);
  h[6] = o.nextHeader;
  h[7] = o.hopLimit ?? 64;
  ip6(o.src).copy(h, 8);
  ip6(o.dst).copy(h, 24);
  const body = Buffer.from(payload);
  if (!o.keepTransportChecksum) {
    const t = o.transport ?? { proto: o.nextHeader, offset: 0 };
    const seg = body.subarray(t.offset);
    fillTransportChecksum(t.proto, seg, pseudo6(o.src, o.dst, t.proto, seg.length));
  }
  return Buffer.concat([h, body]);
}

/** Generic IPv6 extension header (hop-by-hop 0, routing 43, destination options 60) padded to 8 bytes. */
export function ext6(next: number, body: Buffer = Buffer.alloc(6)): Buffer {
  const total = Math.max(8, (body.length + 2 + 7) & ~7);
  const h = Buffer.alloc(total);
  h[0] = next;
  h[1] = total / 8 - 1;
  body.copy(h, 2);
  // Pad with PadN so options parse.
  if (body.length < total - 2) {
    const pad = total - 2 - body.length;
    if (pad === 1) h[2 + body.length] = 0;
    else { h[2 + body.length] = 1; h[3 + body.length] = pad - 2; }
  }
  return h;
}

/** IPv6 authentication header (RFC 4302) with an ICV of `icvLen` bytes. */
export function ah6(next: number, icvLen = 12): Buffer {
  const total = 12 + icvLen;
  const h = Buffer.alloc(total);
  h[0] = next;
  h[1] = total / 4 - 2;
  h.writeUInt32BE(0x100, 4);
  h.writeUInt32BE(1, 8);
  return h;
}

/** IPv6 fragment header. */
export function frag6(next: number, offset: number, more: boolean, id: number): Buffer {
  const h = Buffer.alloc(8);
  h[0] = next;
  h.writeUInt16BE((offset & 0xfff8) | (more ? 1 : 0), 2);
  h.writeUInt32BE(id >>> 0, 4);
  return h;
}

function pseudo4(src: string, dst: string, proto: number, len: number): Buffer {
  const p = Buffer.alloc(12);
  ip4(src).copy(p, 0);
  ip4(dst).copy(p, 4);
  p[9] = proto;
  p.writeUInt16BE(len, 10);
  return p;
}

function pseudo6(src: string, dst: string, proto: number, len: number): Buffer {
  const p = Buffer.alloc(40);
  ip6(src).copy(p, 0);
  ip6(dst).copy(p, 16);
  p.writeUInt32BE(len, 32);
  p[39] = proto;
  return p;
}

function fillTransportChecksum(proto: number, seg: Buffer, pseudo: Buffer): void {
  const at = proto === 6 ? 16 : proto === 17 ? 6 : proto === 58 ? 2 : -1;
  if (at < 0 || seg.length < at + 2) return;
  seg.writeUInt16BE(0, at);
  let c = inetChecksum(pseudo, seg);
  if (proto === 17 && c === 0) c = 0xffff;
  seg.writeUInt16BE(c, at);
}

/** Split an IP payload into fragments of at most `size` bytes (multiple of 8 except the last). */
export function splitFragments(payload: Buffer, size: number): Array<{ offset: number; more: boolean; data: Buffer }> {
  const out: Array<{ offset: number; more: boolean; data: Buffer }> = [];
  for (let off = 0; off < payload.length; off += size) {
    const end = Math.min(payload.length, off + size);
    out.push({ offset: off, more: end < payload.length, data: payload.subarray(off, end) });
  }
  return out;
}

// ---- transport ----------------------------------------------------------------

export interface TcpOptions {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** Bitwise OR of TCP_FLAGS; default ACK|PSH when there is payload, ACK otherwise. */
  flags?: number;
  window?: number;
  /** Raw options (padded to 4 bytes). */
  options?: Buffer;
}

/** TCP segment (checksum filled by ipv4/ipv6). */
export function tcp(o: TcpOptions, payload: Buffer = Buffer.alloc(0)): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const hl = 20 + ((opts.length + 3) & ~3);
  const h = Buffer.alloc(hl);
  h.writeUInt16BE(o.sport, 0);
  h.writeUInt16BE(o.dport, 2);
  h.writeUInt32BE(o.seq >>> 0, 4);
  h.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  h[12] = (hl / 4) << 4;
  h[13] = o.flags ?? (payload.length > 0 ? TCP_FLAGS.ACK | TCP_FLAGS.PSH : TCP_FLAGS.ACK);
  h.writeUInt16BE(o.window ?? 65535, 14);
  opts.copy(h, 20);
  return Buffer.concat([h, payload]);
}

/** UDP datagram (checksum filled by ipv4/ipv6). */
export function udp(o: { sport: number; dport: number; length?: number }, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(o.sport, 0);
  h.writeUInt16BE(o.dport, 2);
  h.writeUInt16BE(o.length ?? 8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

// ---- frames and files -----------------------------------------------------------

export interface FrameOptions {
  linkType?: number;
  tsSec?: number;
  tsNsec?: number;
  /** Length on the wire, if more than was captured. */
  origLen?: number;
  interfaceId?: number;
}

/** A RawFrame as a reader would deliver it. */
export function rawFrame(index: number, data: Buffer, o: FrameOptions = {}): RawFrame {
  return {
    index,
    linkType: o.linkType ?? LINKTYPE.ETHERNET,
    data,
    origLen: o.origLen ?? data.length,
    tsSec: o.tsSec ?? 1_700_000_000,
    tsNsec: o.tsNsec ?? 0,
    interfaceId: o.interfaceId ?? 0,
    comment: null,
  };
}

/** Classic little-endian microsecond pcap file holding the given frames. */
export function writePcap(linkType: number, frames: Array<{ data: Buffer; tsSec?: number; tsUsec?: number; origLen?: number }>, snaplen = 262144): Buffer {
  const parts: Buffer[] = [];
  const fh = Buffer.alloc(24);
  fh.writeUInt32LE(0xa1b2c3d4, 0);
  fh.writeUInt16LE(2, 4);
  fh.writeUInt16LE(4, 6);
  fh.writeUInt32LE(snaplen, 16);
  fh.writeUInt32LE(linkType, 20);
  parts.push(fh);
  frames.forEach((f, i) => {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(f.tsSec ?? 1_700_000_000 + i, 0);
    rh.writeUInt32LE(f.tsUsec ?? 0, 4);
    rh.writeUInt32LE(f.data.length, 8);
    rh.writeUInt32LE(f.origLen ?? f.data.length, 12);
    parts.push(rh, f.data);
  });
  return Buffer.concat(parts);
}

// ---- TCP conversations ------------------------------------------------------------

export interface Endpoint {
  ip: string;
  port: number;
  mac?: string;
}

/**
 * Builds the frames of one TCP connection with consistent sequence numbers. Direction
 * 'c' is client→server, 's' server→client. Sequence numbers are tracked per side;
 * `at` lets a test send bytes at an explicit relative offset (to create holes,
 * retransmissions and overlaps) without moving the running counter.
 */
export class TcpConversationBuilder {
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly isnC: number;
  readonly isnS: number;
  /** Next relative sequence offset (bytes after the SYN) per side. */
  private nextC = 0;
  private nextS = 0;
  private readonly v6: boolean;
  private readonly wrap: (l3: Buffer, fromClient: boolean) => Buffer;

  constructor(client: Endpoint, server: Endpoint, o: { isnC?: number; isnS?: number; link?: 'ethernet' | 'raw' } = {}) {
    this.client = client;
    this.server = server;
    this.isnC = (o.isnC ?? 1000) >>> 0;
    this.isnS = (o.isnS ?? 5000) >>> 0;
    this.v6 = client.ip.includes(':');
    const link = o.link ?? 'ethernet';
    this.wrap = (l3, fromClient) => {
      if (link === 'raw') return l3;
      const src = fromClient ? this.client : this.server;
      const dst = fromClient ? this.server : this.client;
      return ethernet({ src: src.mac ?? '02:00:00:00:00:01', dst: dst.mac ?? '02:00:00:00:00:02', type: this.v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4 }, l3);
    };
  }

  /** One segment; `rel` is the relative sequence offset of its first payload byte. */
  segment(dir: 'c' | 's', payload: Buffer, o: { flags?: number; rel?: number } = {}): Buffer {
    const fromClient = dir === 'c';
    const src = fromClient ? this.client : this.server;
    const dst = fromClient ? this.server : this.client;
    const isn = fromClient ? this.isnC : this.isnS;
    const peerIsn = fromClient ? this.isnS : this.isnC;
    const rel = o.rel ?? (fromClient ? this.nextC : this.nextS);
    let flags = o.flags ?? (TCP_FLAGS.ACK | (payload.length > 0 ? TCP_FLAGS.PSH : 0));
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const seq = syn ? isn : (isn + 1 + rel) >>> 0;
    const peerNext = fromClient ? this.nextS : this.nextC;
    const ack = (flags & TCP_FLAGS.ACK) !== 0 ? (peerIsn + 1 + peerNext) >>> 0 : 0;
    if (o.rel === undefined) {
      const adv = payload.length + ((flags & TCP_FLAGS.FIN) !== 0 ? 1 : 0);
      if (!syn) {
        if (fromClient) this.nextC += adv; else this.nextS += adv;
      }
    }
    flags &= 0xff;
    const seg = tcp({ sport: src.port, dport: dst.port, seq, ack, flags }, payload);
    const l3 = this.v6
      ? ipv6({ src: src.ip, dst: dst.ip, nextHeader: 6 }, seg)
      : ipv4({ src: src.ip, dst: dst.ip, proto: 6 }, seg);
    return this.wrap(l3, fromClient);
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): Buffer[] {
    return [
      this.segment('c', Buffer.alloc(0), { flags: TCP_FLAGS.SYN }),
      this.segment('s', Buffer.alloc(0), { flags: TCP_FLAGS.SYN | TCP_FLAGS.ACK }),
      this.segment('c', Buffer.alloc(0), { flags: TCP_FLAGS.ACK }),
    ];
  }

  /** Data from one side at the running sequence number. */
  data(dir: 'c' | 's', payload: Buffer | string): Buffer {
    return this.segment(dir, typeof payload === 'string' ? Buffer.from(payload) : payload);
  }

  /** FIN from each side, then the last ACK. */
  close(): Buffer[] {
    return [
      this.segment('c', Buffer.alloc(0), { flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK }),
      this.segment('s', Buffer.alloc(0), { flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK }),
      this.segment('c', Buffer.alloc(0), { flags: TCP_FLAGS.ACK }),
    ];
  }

  /** Advance a side's running sequence number without sending (to model captured-elsewhere bytes). */
  skip(dir: 'c' | 's', n: number): void {
    if (dir === 'c') this.nextC += n; else this.nextS += n;
  }
}
