/**
 * Hand-built packets for the review tests: Ethernet/IPv4 with UDP or TCP, DNS
 * messages, classic pcap files. Written from the RFCs so the tests do not lean on
 * the engine's own builders; checksums are left zero (the engine does not check them).
 */
import type { RawFrame } from '../../electron/engine/capture/types.ts';

const MAC_A = Buffer.from([0x02, 0, 0, 0, 0, 0x0a]);
const MAC_B = Buffer.from([0x02, 0, 0, 0, 0, 0x0b]);

function ip4(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}

/** Ethernet + IPv4 around `l4` (protocol `proto`), from `src` to `dst`. */
export function ethIp(src: string, dst: string, proto: number, l4: Buffer, srcMac = MAC_A, dstMac = MAC_B): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + l4.length, 2);
  ip.writeUInt16BE(1, 4);
  ip[8] = 64;
  ip[9] = proto;
  ip4(src).copy(ip, 12);
  ip4(dst).copy(ip, 16);
  const eth = Buffer.concat([dstMac, srcMac, Buffer.from([0x08, 0x00])]);
  return Buffer.concat([eth, ip, l4]);
}

/** Ethernet/IPv4/UDP frame bytes. */
export function udp(src: string, sport: number, dst: string, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return ethIp(src, dst, 17, Buffer.concat([h, payload]));
}

export const SYN = 0x02;
export const ACK = 0x10;
export const PSH = 0x08;
export const FIN = 0x01;

/** Ethernet/IPv4/TCP frame bytes (20-byte TCP header, no options). */
export function tcp(src: string, sport: number, dst: string, dport: number, seq: number, ack: number, flags: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return ethIp(src, dst, 6, Buffer.concat([h, payload]));
}

/** DNS name in wire form (uncompressed). */
export function dnsName(name: string): Buffer {
  if (name === '' || name === '.') return Buffer.from([0]);
  const parts = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** A DNS header (RFC 1035 §4.1.1). */
export function dnsHeader(id: number, flags: number, qd: number, an: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  return h;
}

/** An A answer whose owner is a compression pointer to offset 12 (the first question's name). */
export function dnsAnswerA(addr: string, ttl = 60): Buffer {
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(ttl, 6);
  rr.writeUInt16BE(4, 10);
  ip4(addr).copy(rr, 12);
  return rr;
}

/** A question for `name`, type A, class IN. */
export function dnsQuestion(name: string, qtype = 1): Buffer {
  const t = Buffer.alloc(4);
  t.writeUInt16BE(qtype, 0);
  t.writeUInt16BE(1, 2);
  return Buffer.concat([dnsName(name), t]);
}

/** RawFrame for the dissector (Ethernet link type), 1-based index, one second apart unless given. */
export function frame(index: number, data: Buffer, tsSec = 1_600_000_000 + index, tsNsec = 0): RawFrame {
  return { index, linkType: 1, data, origLen: data.length, tsSec, tsNsec, interfaceId: 0, comment: null };
}

/** A little-endian microsecond classic pcap file of Ethernet frames, one second apart. */
export function pcapFile(frames: Buffer[], baseSec = 1_600_000_000): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(1, 20);
  const parts: Buffer[] = [head];
  frames.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(baseSec + i, 0);
    r.writeUInt32LE(0, 4);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    parts.push(r, f);
  });
  return Buffer.concat(parts);
}
