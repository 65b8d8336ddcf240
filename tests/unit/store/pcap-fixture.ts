/**
 * Hand-built classic pcap files for import tests: Ethernet + IPv4 + UDP frames with
 * a DNS query/response written byte by byte, and bulk filler traffic.
 */

function ipv4Checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ip(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

/** An Ethernet/IPv4/UDP frame (UDP checksum 0 = not computed, allowed for IPv4). */
export function udpFrame(src: string, sport: number, dst: string, dport: number, payload: Buffer): Buffer {
  const eth = Buffer.from([0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00]);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  const iph = Buffer.alloc(20);
  iph[0] = 0x45;
  iph.writeUInt16BE(20 + 8 + payload.length, 2);
  iph[8] = 64; // TTL
  iph[9] = 17; // UDP
  ip(src).copy(iph, 12);
  ip(dst).copy(iph, 16);
  iph.writeUInt16BE(ipv4Checksum(iph), 10);
  return Buffer.concat([eth, iph, udp, payload]);
}

/** DNS name in wire form: length-prefixed labels and the root byte. */
export function dnsName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
}

function rr(name: Buffer, type: number, ttl: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2); // class IN
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([name, fixed, rdata]);
}

/** Query for `qname` type A; with `answer`, the response: qname CNAME cname, cname A address. */
export function dnsMessage(id: number, qname: string, answer?: { cname: string; address: string }): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(answer ? 0x8180 : 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answer ? 2 : 0, 6);
  const question = Buffer.concat([dnsName(qname), Buffer.from([0, 1, 0, 1])]);
  if (!answer) return Buffer.concat([header, question]);
  const pointerToQname = Buffer.from([0xc0, 12]);
  return Buffer.concat([
    header, question,
    rr(pointerToQname, 5, 300, dnsName(answer.cname)),
    rr(dnsName(answer.cname), 1, 60, ip(answer.address)),
  ]);
}

/** A little-endian microsecond pcap with LINKTYPE_ETHERNET; frame i gets time base + i ms. */
export function pcapFile(frames: Buffer[], baseSec = 1_700_000_000): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20);
  const parts: Buffer[] = [head];
  frames.forEach((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(baseSec + Math.floor(i / 1000), 0);
    rec.writeUInt32LE((i % 1000) * 1000, 4);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, f);
  });
  return Buffer.concat(parts);
}

/** About `bytes` of UDP filler to the discard port: many chunks to read, no records to store. */
export function fillerPcap(bytes: number): Buffer {
  const frame = udpFrame('10.9.9.1', 40000, '10.9.9.2', 9, Buffer.alloc(1400, 0x61));
  const n = Math.ceil(bytes / (frame.length + 16));
  return pcapFile(Array.from({ length: n }, () => frame));
}
