/**
 * Byte-exact builders for the packets Telltale's generators write: Ethernet, IPv4/IPv6,
 * UDP, TCP, DNS, DHCP, a TLS ClientHello and HTTP/1.1 messages. They exist so tests and
 * benchmarks can make realistic captures with repo code; the engine never uses them.
 */

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map((p) => Number(p)));
}

export function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function checksum(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length & 1) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernet(src: string, dst: string, etherType: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  macBytes(dst).copy(h, 0);
  macBytes(src).copy(h, 6);
  h.writeUInt16BE(etherType, 12);
  return Buffer.concat([h, payload]);
}

export function ipv4(src: string, dst: string, proto: number, payload: Buffer, id = 0, ttl = 64): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(id & 0xffff, 4);
  h.writeUInt16BE(0x4000, 6); // DF
  h[8] = ttl;
  h[9] = proto;
  ipv4Bytes(src).copy(h, 12);
  ipv4Bytes(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}

export function ipv6(src: string, dst: string, nextHeader: number, payload: Buffer, hopLimit = 64): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = nextHeader;
  h[7] = hopLimit;
  ipv6Bytes(src).copy(h, 8);
  ipv6Bytes(dst).copy(h, 24);
  return Buffer.concat([h, payload]);
}

export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]); // checksum 0: allowed for UDP over IPv4
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, payload: Buffer, window = 65535): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(window, 14);
  return Buffer.concat([h, payload]);
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((l) => {
    const b = Buffer.from(l, 'ascii');
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

export interface DnsAnswerSpec {
  type: 'A' | 'AAAA' | 'CNAME';
  name: string;
  data: string;
  ttl?: number;
}

/** A DNS message with one question and, for responses, the given answers (names uncompressed). */
export function dnsMessage(id: number, qname: string, qtype: number, response: boolean, answers: DnsAnswerSpec[] = []): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(response ? 0x8180 : 0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers.length, 6);
  const q = Buffer.concat([encodeName(qname), Buffer.from([0, qtype, 0, 1])]);
  const rrs = answers.map((a) => {
    const type = a.type === 'A' ? 1 : a.type === 'AAAA' ? 28 : 5;
    const rdata = a.type === 'A' ? ipv4Bytes(a.data) : a.type === 'AAAA' ? ipv6Bytes(a.data) : encodeName(a.data);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(a.ttl ?? 300, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    return Buffer.concat([encodeName(a.name), fixed, rdata]);
  });
  return Buffer.concat([h, q, ...rrs]);
}

/** A DHCPREQUEST carrying a host name (option 12) and vendor class (option 60). */
export function dhcpRequest(xid: number, mac: string, requestedIp: string, hostName: string, vendorClass: string): Buffer {
  const b = Buffer.alloc(240);
  b[0] = 1; // BOOTREQUEST
  b[1] = 1; // Ethernet
  b[2] = 6;
  b.writeUInt32BE(xid >>> 0, 4);
  macBytes(mac).copy(b, 28);
  b.writeUInt32BE(0x63825363, 236);
  const opt = (code: number, data: Buffer) => Buffer.concat([Buffer.from([code, data.length]), data]);
  return Buffer.concat([
    b,
    opt(53, Buffer.from([3])),
    opt(50, ipv4Bytes(requestedIp)),
    opt(12, Buffer.from(hostName, 'ascii')),
    opt(60, Buffer.from(vendorClass, 'ascii')),
    Buffer.from([255]),
  ]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function ext(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(data.length), data]);
}

/** A TLS 1.3-style ClientHello record with SNI and ALPN, shaped like a modern browser's. */
export function tlsClientHello(sni: string, alpn: string[], random: Buffer): Buffer {
  const host = Buffer.from(sni, 'ascii');
  const sniExt = ext(0x0000, Buffer.concat([u16(host.length + 3), Buffer.from([0]), u16(host.length), host]));
  const alpnList = Buffer.concat(alpn.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])));
  const alpnExt = ext(0x0010, Buffer.concat([u16(alpnList.length), alpnList]));
  const versions = ext(0x002b, Buffer.from([4, 0x03, 0x04, 0x03, 0x03]));
  const groups = ext(0x000a, Buffer.from([0, 4, 0x00, 0x1d, 0x00, 0x17]));
  const sigalgs = ext(0x000d, Buffer.from([0, 6, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01]));
  const keyShare = ext(0x0033, Buffer.concat([u16(36), u16(0x001d), u16(32), random]));
  const exts = Buffer.concat([sniExt, groups, sigalgs, alpnExt, versions, keyShare]);
  const ciphers = Buffer.from([0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f]);
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    random,
    Buffer.from([32]),
    random,
    u16(ciphers.length),
    ciphers,
    Buffer.from([1, 0]),
    u16(exts.length),
    exts,
  ]);
  const hs = Buffer.concat([Buffer.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), u16(hs.length), hs]);
}

/** A TLS 1.3 ServerHello record choosing TLS_AES_128_GCM_SHA256. */
export function tlsServerHello(random: Buffer): Buffer {
  const exts = Buffer.concat([ext(0x002b, Buffer.from([0x03, 0x04])), ext(0x0033, Buffer.concat([u16(0x001d), u16(32), random]))]);
  const body = Buffer.concat([Buffer.from([0x03, 0x03]), random, Buffer.from([32]), random, Buffer.from([0x13, 0x01, 0]), u16(exts.length), exts]);
  const hs = Buffer.concat([Buffer.from([2, 0, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x03]), u16(hs.length), hs]);
}

/** TLS application-data records of the given total size (opaque bytes). */
export function tlsAppData(size: number, fill: number): Buffer {
  const chunks: Buffer[] = [];
  while (size > 0) {
    const n = Math.min(size, 16384);
    chunks.push(Buffer.concat([Buffer.from([0x17, 0x03, 0x03]), u16(n), Buffer.alloc(n, fill)]));
    size -= n;
  }
  return Buffer.concat(chunks);
}

export function httpRequest(method: string, host: string, uri: string, headers: Array<[string, string]>, body?: Buffer): Buffer {
  const lines = [`${method} ${uri} HTTP/1.1`, `Host: ${host}`, ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (body) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
}

export function httpResponse(status: number, reason: string, headers: Array<[string, string]>, body: Buffer): Buffer {
  const lines = [`HTTP/1.1 ${status} ${reason}`, ...headers.map(([k, v]) => `${k}: ${v}`), `Content-Length: ${body.length}`];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Deterministic PRNG (mulberry32) so generated captures are identical on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
