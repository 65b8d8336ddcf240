/**
 * The benchmark capture: a busy LAN seen from its uplink, written deterministically
 * and in constant memory to any size (a 1 GB file in seconds). Clients get addresses
 * by DHCP, look names up (A, AAAA, CNAME chains), then talk TLS over TCP (most of the
 * bytes), QUIC whose first packets are real RFC 9001 protected Initials, and plain
 * HTTP/1.1 (gzip and chunked bodies, form POSTs carrying analytics events), with TCP
 * retransmissions and reordered segments. Receivers acknowledge every second segment
 * (delayed ACK), with duplicate ACKs for holes and retransmissions, as real stacks do
 * (`ackEvery`; 0 gives the generator's output from before, byte for byte). Several
 * connections run at once and their packets are merged by time, as on a real link.
 *
 * CLI: node tools/synth/bench-capture.ts out.pcap --size 1G [--seed 1] [--format pcapng] [--ack-every 2]
 */
import { existsSync, unlinkSync } from 'node:fs';
import { gzipSync, crc32 } from 'node:zlib';
import { parseArgs } from 'node:util';
import { dhcpRequest, dnsMessage, httpRequest, httpResponse, prng, tlsClientHello, tlsServerHello, type DnsAnswerSpec } from './packets.ts';
import { ackFrame, cryptoFrame, opaqueHandshake, opaqueShort, protectedInitial } from './quic-initial-writer.ts';
import { Clock, createPcapngWriter, createPcapWriter, TcpSession, writeUdp, type CaptureWriter, type Host, type TcpSessionOptions } from './writer.ts';

export interface BenchCaptureOptions {
  /** Stop starting new connections once the file would reach this size (it ends a little above). */
  targetBytes: number;
  seed?: number;
  format?: 'pcap' | 'pcapng';
  /** LAN clients (1–250). */
  clients?: number;
  /** Distinct DNS names in the world the clients browse. */
  names?: number;
  /** Capture start, ISO 8601. */
  start?: string;
  /**
   * TCP receivers send a pure ACK after this many in-order data segments (default 2,
   * delayed ACK). 0: one ACK per burst of data, which reproduces the captures (and the
   * figures) made before this option existed, byte for byte.
   */
  ackEvery?: number;
  /** Called about every 64 MB written. */
  onProgress?: (bytesWritten: number) => void;
}

export interface BenchCaptureReport {
  path: string;
  format: 'pcap' | 'pcapng';
  seed: number;
  bytes: number;
  frames: number;
  firstTsNs: bigint;
  lastTsNs: bigint;
  clients: number;
  namesDefined: number;
  namesUsed: number;
  dhcpRequests: number;
  dnsQueries: number;
  tcpFlows: number;
  tlsFlows: number;
  tlsFlowsIpv6: number;
  quicFlows: number;
  httpFlows: number;
  httpRequests: number;
  httpGzipBodies: number;
  httpChunkedBodies: number;
  formPosts: number;
  /** The `ackEvery` the capture was written with. */
  ackEvery: number;
  /** TCP segments with only the ACK flag and no payload (handshakes and closes included). */
  pureAcks: number;
  elapsedMs: number;
}

const ROUTER_MAC = '00:1a:2b:3c:4d:5e';
const ROUTER: Host = { mac: ROUTER_MAC, ip: '192.168.1.1' };
const BROADCAST: Host = { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255' };
/** Connections in progress at any moment; their packets interleave in the file. */
const CONCURRENT = 32;
/** Average link throughput used to space connection starts over time. */
const LINK_BYTES_PER_SEC = 1_000_000;
/** Random bytes that stand in for ciphertext and images: real payloads do not compress either. */
const POOL_BYTES = 8 << 20;

interface Client {
  index: number;
  mac: string;
  v4: Host;
  /** Global IPv6 address, for the clients that have one. */
  v6: Host | null;
  hostName: string;
  vendorClass: string;
  userAgent: string;
  androidId: string;
  uuid: string;
  nextPort: number;
}

interface Name {
  index: number;
  name: string;
  /** Canonical name the CNAME chain ends at, if any. */
  cname: string | null;
  v4: string[];
  v6: string | null;
  analytics: boolean;
  ttl: number;
}

const SYLLABLES = [
  'ba', 'bel', 'bri', 'ca', 'cor', 'da', 'del', 'do', 'fa', 'fen', 'ga', 'gri', 'ha', 'jo', 'ka', 'kel', 'la', 'lin',
  'lu', 'ma', 'mer', 'mo', 'na', 'nor', 'pa', 'pel', 'qui', 'ra', 'ren', 'ri', 'sa', 'sol', 'ta', 'tor', 'u', 'va',
  'vel', 'wa', 'xo', 'ya', 'zen', 'zu',
];
const TLDS = ['com', 'com', 'com', 'com', 'net', 'net', 'org', 'io', 'de', 'co.uk', 'fr', 'app', 'cn', 'ru', 'jp', 'com.br', 'in', 'tv'];
const PREFIXES = ['www', 'www', 'www', 'api', 'cdn', 'static', 'img', 'm', 'login', 'edge', 'push', 'media', 'video', 'assets', 'config', 'update'];
const ANALYTICS_PREFIXES = ['t', 'log', 'metrics', 'collect', 'tracking', 'sdk', 'stats', 'events'];
const CNAME_ZONES = ['edgesuite-example.net', 'cdn-fastly-example.net', 'akamai-example.net', 'cloudfront-example.net', 'azureedge-example.net'];
// Public-looking first octets (none private, shared, loopback or multicast).
const V4_FIRST = [5, 13, 23, 31, 34, 37, 45, 52, 54, 62, 64, 77, 81, 85, 93, 104, 116, 130, 142, 151, 157, 176, 185, 195, 203, 212];
const V6_PREFIXES = ['2a00:1450', '2a02:26f0', '2606:4700', '2a03:2880', '2600:9000', '2001:67c', '2a01:4f8', '2400:cb00'];
const WORDS = [
  'news', 'weather', 'football', 'recipe', 'holiday', 'flight', 'hotel', 'review', 'price', 'video', 'music', 'health',
  'doctor', 'school', 'bank', 'loan', 'insurance', 'job', 'apartment', 'rent', 'car', 'train', 'ticket', 'concert',
  'garden', 'shoes', 'phone', 'laptop', 'camera', 'book', 'movie', 'series', 'game', 'map', 'translate', 'lawyer',
  'clinic', 'pharmacy', 'pregnancy', 'therapy', 'church', 'mosque', 'union', 'election', 'protest', 'visa', 'asylum',
];
const DEVICES: Array<{ host: string; vendor: string; ua: string; oui: string }> = [
  { host: 'Galaxy-S21', vendor: 'android-dhcp-12', oui: '8c:f5:a3', ua: 'Mozilla/5.0 (Linux; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36' },
  { host: 'Redmi-Note-11', vendor: 'android-dhcp-11', oui: '3c:bd:3e', ua: 'Mozilla/5.0 (Linux; U; Android 11; en-gb; Redmi Note 11) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.116 Mobile Safari/537.36 XiaoMi/MiuiBrowser/13.2.1' },
  { host: 'Pixel-7', vendor: 'android-dhcp-13', oui: 'f0:5c:77', ua: 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36' },
  { host: 'DESKTOP-4KQ2M1B', vendor: 'MSFT 5.0', oui: '00:15:5d', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36 Edg/112.0.1722.48' },
  { host: 'chromebook', vendor: 'dhcpcd-9.4.1:Linux-5.15.0:x86_64:Chromebook', oui: 'a4:83:e7', ua: 'Mozilla/5.0 (X11; CrOS x86_64 15359.58.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36' },
  { host: 'thinkpad', vendor: 'dhcpcd-9.4.1:Linux-6.1.0:x86_64', oui: '54:ee:75', ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/112.0' },
  { host: 'SmartTV-Living', vendor: 'udhcp 1.30.1', oui: '70:2a:d5', ua: 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36' },
];

function hex(rand: () => number, digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
  return s;
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

/** Popularity skew: small indexes come up far more often, like real browsing. */
function skewed(rand: () => number, n: number): number {
  const u = rand();
  return Math.min(n - 1, Math.floor(n * u * u * u));
}

function logUniform(rand: () => number, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + rand() * (Math.log(hi) - Math.log(lo))));
}

function makeClients(rand: () => number, count: number): Client[] {
  const out: Client[] = [];
  for (let i = 0; i < count; i++) {
    const d = DEVICES[i % DEVICES.length];
    const mac = `${d.oui}:${hex(rand, 2)}:${hex(rand, 2)}:${hex(rand, 2)}`;
    const ip = `192.168.1.${10 + i}`;
    const v6 = rand() < 0.35 ? { mac, ip: `2a01:e0a:1f:3c0:${hex(rand, 4)}:${hex(rand, 4)}:${hex(rand, 4)}:${(i + 1).toString(16)}` } : null;
    out.push({
      index: i, mac, v4: { mac, ip }, v6,
      hostName: i < DEVICES.length ? d.host : `${d.host}-${i}`, vendorClass: d.vendor, userAgent: d.ua,
      androidId: hex(rand, 16), uuid: `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`,
      nextPort: 49152 + Math.floor(rand() * 8000),
    });
  }
  return out;
}

function makeNames(rand: () => number, count: number): Name[] {
  const out: Name[] = [];
  const seen = new Set<string>();
  let brand = '';
  let tld = '';
  let brandIps: string[] = [];
  let brandV6: string | null = null;
  let left = 0;
  while (out.length < count) {
    if (left === 0) {
      // A new organisation: its names share addresses, as names behind one CDN or load balancer do.
      brand = '';
      const syl = 2 + Math.floor(rand() * 2);
      for (let i = 0; i < syl; i++) brand += pick(rand, SYLLABLES);
      tld = pick(rand, TLDS);
      const first = pick(rand, V4_FIRST);
      brandIps = [];
      for (let i = 1 + Math.floor(rand() * 3); i > 0; i--) {
        brandIps.push(`${first}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`);
      }
      brandV6 = rand() < 0.5 ? `${pick(rand, V6_PREFIXES)}:${hex(rand, 3)}::${hex(rand, 3)}` : null;
      left = 1 + Math.floor(rand() * 5);
    }
    left--;
    const analytics = rand() < 0.04;
    const name = `${analytics ? pick(rand, ANALYTICS_PREFIXES) : pick(rand, PREFIXES)}${rand() < 0.1 ? Math.floor(rand() * 10) : ''}.${brand}.${tld}`;
    if (seen.has(name)) continue;
    seen.add(name);
    const cname = rand() < 0.3 ? `${brand}-${hex(rand, 6)}.${pick(rand, CNAME_ZONES)}` : null;
    out.push({ index: out.length, name, cname, v4: brandIps, v6: brandV6, analytics, ttl: pick(rand, [60, 300, 300, 600, 3600]) });
  }
  return out;
}

/** Frames of one connection, stamped by its own clock, waiting to be merged into the file. */
class PendingFrames implements CaptureWriter {
  list: Buffer[] = [];
  times: bigint[] = [];
  next = 0;
  /** Bytes of the frames not yet written to the file. */
  pendingBytes = 0;
  write(frame: Buffer, tsNs: bigint): void {
    this.list.push(frame);
    this.times.push(tsNs);
    this.pendingBytes += frame.length;
  }
  get bytes(): number { return this.pendingBytes; }
  get frames(): number { return this.list.length; }
  close(): void { /* nothing buffered outside the arrays */ }
}

/** Parse "1G", "250M", "64k", "1.5G" or a byte count; decimal units (1M = 1,000,000 bytes). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text} (use e.g. 250M or 1G)`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}

/** Generator state shared by the connection builders. */
class World {
  readonly rand: () => number;
  readonly clients: Client[];
  readonly names: Name[];
  readonly analyticsNames: Name[];
  readonly pool: Buffer;
  readonly htmlPool: Array<{ raw: Buffer; gz: Buffer }>;
  readonly jsonPool: Array<{ raw: Buffer; gz: Buffer }>;
  /** Last lookup time (s) of each name by each client, for a DNS cache that honours TTLs. */
  private lookedUp: Float64Array;
  readonly usedNames: Uint8Array;
  readonly report: BenchCaptureReport;
  /** TCP session options shared by every connection, the random source included. */
  readonly tcpOptions: TcpSessionOptions;

  constructor(seed: number, clientCount: number, nameCount: number, ackEvery: number, report: BenchCaptureReport) {
    const worldRand = prng(seed ^ 0x5eed);
    this.rand = prng(seed);
    this.clients = makeClients(worldRand, clientCount);
    this.names = makeNames(worldRand, nameCount);
    this.analyticsNames = this.names.filter((n) => n.analytics);
    this.lookedUp = new Float64Array(clientCount * nameCount).fill(-1e12);
    this.usedNames = new Uint8Array(nameCount);
    this.report = report;
    this.tcpOptions = { retransmit: 0.01, reorder: 0.01, rand: this.rand, ackEvery };
    this.pool = Buffer.allocUnsafe(POOL_BYTES);
    for (let i = 0; i < POOL_BYTES; i += 4) this.pool.writeUInt32LE(Math.floor(worldRand() * 0x100000000), i);
    this.htmlPool = [];
    for (let i = 0; i < 24; i++) {
      const raw = htmlPage(worldRand, logUniform(worldRand, 800, 90_000));
      this.htmlPool.push({ raw, gz: gzipSync(raw) });
    }
    this.jsonPool = [];
    for (let i = 0; i < 12; i++) {
      const raw = jsonDoc(worldRand, logUniform(worldRand, 150, 20_000));
      this.jsonPool.push({ raw, gz: gzipSync(raw) });
    }
  }

  /** Fresh random bytes, for identifiers that must not repeat (pool slices can collide). */
  fresh(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.rand() * 256);
    return b;
  }

  opaque(n: number): Buffer {
    const off = Math.floor(this.rand() * (POOL_BYTES - n));
    return this.pool.subarray(off, off + n);
  }

  /** TLS application-data records totalling `size` payload bytes, contents random like ciphertext. */
  appData(size: number): Buffer {
    const records = Math.max(1, Math.ceil(size / 16384));
    const out = Buffer.allocUnsafe(size + 5 * records);
    let at = 0;
    let left = size;
    for (let r = 0; r < records; r++) {
      const n = Math.min(left, 16384);
      out[at] = 0x17;
      out[at + 1] = 0x03;
      out[at + 2] = 0x03;
      out.writeUInt16BE(n, at + 3);
      this.opaque(n).copy(out, at + 5);
      at += 5 + n;
      left -= n;
    }
    return out;
  }

  port(c: Client): number {
    const p = c.nextPort;
    c.nextPort = p >= 65535 ? 49152 : p + 1;
    return p;
  }

  /** DNS lookups for `name` from `client`, unless its cache still holds the answer. */
  lookup(w: CaptureWriter, clock: Clock, client: Client, name: Name, force: boolean): void {
    this.usedNames[name.index] = 1;
    const nowSec = Number(clock.ns / 1_000_000_000n);
    const slot = client.index * this.names.length + name.index;
    if (!force && nowSec - this.lookedUp[slot] < name.ttl) return;
    this.lookedUp[slot] = nowSec;
    const types = client.v6 || this.rand() < 0.3 ? [1, 28] : [1];
    for (const qtype of types) {
      const id = Math.floor(this.rand() * 0x10000);
      const port = this.port(client);
      writeUdp(w, clock, client.v4, ROUTER, port, 53, dnsMessage(id, name.name, qtype, false), 0.2);
      const answers: DnsAnswerSpec[] = [];
      const target = name.cname ?? name.name;
      if (name.cname) answers.push({ type: 'CNAME', name: name.name, data: name.cname, ttl: name.ttl });
      if (qtype === 1) for (const ip of name.v4) answers.push({ type: 'A', name: target, data: ip, ttl: name.ttl });
      else if (name.v6) answers.push({ type: 'AAAA', name: target, data: name.v6, ttl: name.ttl });
      writeUdp(w, clock, ROUTER, client.v4, 53, port, dnsMessage(id, name.name, qtype, true, answers), 4 + this.rand() * 40);
      this.report.dnsQueries++;
    }
  }

  pickName(analytics: boolean): Name {
    const list = analytics && this.analyticsNames.length > 0 ? this.analyticsNames : this.names;
    return list[skewed(this.rand, list.length)];
  }

  /** Size of one response: mostly small, with a heavy tail of large downloads. */
  responseSize(cap: number): number {
    const size = this.rand() < 0.93 ? logUniform(this.rand, 300, 30_000) : logUniform(this.rand, 30_000, 2_000_000);
    return Math.max(200, Math.min(size, cap));
  }

  /** Send `data` as the server would: a window at a time, one round trip apart. */
  sendWindowed(s: TcpSession, clock: Clock, fromClient: boolean, data: Buffer, rttMs: number): void {
    const window = 65_536;
    for (let off = 0; off < data.length; off += window) {
      if (off > 0) clock.advanceMs(rttMs * (0.5 + this.rand() * 0.5));
      s.send(fromClient, data.subarray(off, Math.min(off + window, data.length)));
    }
  }
}

function htmlPage(rand: () => number, size: number): Buffer {
  const parts: string[] = [`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${pick(rand, WORDS)} ${pick(rand, WORDS)}</title></head><body>`];
  let len = parts[0].length;
  while (len < size) {
    const p = `<p class="c${Math.floor(rand() * 40)}">${Array.from({ length: 8 + Math.floor(rand() * 30) }, () => pick(rand, WORDS)).join(' ')}. <a href="/${pick(rand, WORDS)}/${Math.floor(rand() * 99999)}">${pick(rand, WORDS)}</a></p>\n`;
    parts.push(p);
    len += p.length;
  }
  parts.push('</body></html>\n');
  return Buffer.from(parts.join(''), 'utf8');
}

function jsonDoc(rand: () => number, size: number): Buffer {
  const items: unknown[] = [];
  let len = 20;
  while (len < size) {
    const item = { id: Math.floor(rand() * 1e9), title: `${pick(rand, WORDS)} ${pick(rand, WORDS)}`, score: Math.round(rand() * 1000) / 10, tags: [pick(rand, WORDS), pick(rand, WORDS)] };
    items.push(item);
    len += JSON.stringify(item).length + 1;
  }
  return Buffer.from(JSON.stringify({ status: 'ok', items }), 'utf8');
}

function chunked(body: Buffer, chunkSize: number): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off < body.length; off += chunkSize) {
    const piece = body.subarray(off, Math.min(off + chunkSize, body.length));
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(parts);
}

/** A response with Transfer-Encoding: chunked (the shared builder always writes Content-Length). */
function chunkedResponse(headers: Array<[string, string]>, body: Buffer, chunkSize: number): Buffer {
  const head = ['HTTP/1.1 200 OK', ...headers.map(([k, v]) => `${k}: ${v}`), 'Transfer-Encoding: chunked'].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), chunked(body, chunkSize)]);
}

function httpDate(clock: Clock): string {
  return new Date(Number(clock.ns / 1_000_000n)).toUTCString();
}

function tlsConnection(world: World, w: CaptureWriter, clock: Clock, budget: number): void {
  const r = world.rand;
  const client = world.clients[Math.floor(r() * world.clients.length)];
  const name = world.pickName(false);
  world.lookup(w, clock, client, name, false);
  const useV6 = client.v6 !== null && name.v6 !== null && r() < 0.7;
  const local = useV6 && client.v6 ? client.v6 : client.v4;
  const remote: Host = { mac: ROUTER_MAC, ip: useV6 && name.v6 ? name.v6 : pick(r, name.v4) };
  const rtt = logUniform(r, 8, 220);
  const s = new TcpSession(w, clock, local, remote, world.port(client), 443, world.tcpOptions);
  world.report.tcpFlows++;
  world.report.tlsFlows++;
  if (useV6) world.report.tlsFlowsIpv6++;
  s.handshake(rtt);
  s.send(true, tlsClientHello(name.name, r() < 0.8 ? ['h2', 'http/1.1'] : ['http/1.1'], world.fresh(32)));
  clock.advanceMs(rtt / 2);
  // ServerHello, ChangeCipherSpec, then the encrypted extensions, certificate chain and Finished.
  s.send(false, Buffer.concat([tlsServerHello(world.fresh(32)), Buffer.from([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]), world.appData(logUniform(r, 2500, 6000))]));
  clock.advanceMs(rtt / 2);
  s.send(true, Buffer.concat([Buffer.from([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]), world.appData(53)]));
  const exchanges = 1 + Math.floor(r() * r() * 8);
  for (let i = 0; i < exchanges; i++) {
    s.send(true, world.appData(logUniform(r, 120, 1800)));
    clock.advanceMs(rtt + r() * 30);
    world.sendWindowed(s, clock, false, world.appData(world.responseSize(budget / exchanges)), rtt);
    clock.advanceMs(logUniform(r, 5, 4000));
  }
  s.close();
  world.report.pureAcks += s.pureAcks;
}

function quicConnection(world: World, w: CaptureWriter, clock: Clock, budget: number): void {
  const r = world.rand;
  const client = world.clients[Math.floor(r() * world.clients.length)];
  const name = world.pickName(false);
  world.lookup(w, clock, client, name, false);
  const server: Host = { mac: ROUTER_MAC, ip: pick(r, name.v4) };
  const port = world.port(client);
  const rtt = logUniform(r, 8, 200);
  const dcid = world.fresh(8);
  const cscid = world.fresh(8);
  const sscid = world.fresh(8);
  world.report.quicFlows++;

  const hello = tlsClientHello(name.name, ['h3'], world.fresh(32)).subarray(5);
  const initial = protectedInitial({ keyDcid: dcid, side: 'client', dcid, scid: cscid, packetNumber: 0, pnLength: 1, frames: cryptoFrame(0, hello), padTo: 1200 });
  writeUdp(w, clock, client.v4, server, port, 443, initial, 0.1);
  clock.advanceMs(rtt);
  const serverHello = tlsServerHello(world.fresh(32)).subarray(5);
  const sInitial = protectedInitial({
    keyDcid: dcid, side: 'server', dcid: cscid, scid: sscid, packetNumber: 0, pnLength: 1,
    frames: Buffer.concat([ackFrame(0), cryptoFrame(0, serverHello)]),
  });
  // Servers coalesce the Initial with the first Handshake packet (certificate) in one datagram.
  writeUdp(w, clock, server, client.v4, 443, port, Buffer.concat([sInitial, opaqueHandshake(cscid, sscid, world.opaque(1200 - sInitial.length - 30))]), 0.5);
  writeUdp(w, clock, server, client.v4, 443, port, opaqueHandshake(cscid, sscid, world.opaque(logUniform(r, 400, 1150))), 0.3);
  clock.advanceMs(1);
  writeUdp(w, clock, client.v4, server, port, 443, opaqueHandshake(sscid, cscid, world.opaque(80)), 0.2);
  const exchanges = 1 + Math.floor(r() * r() * 6);
  for (let i = 0; i < exchanges; i++) {
    writeUdp(w, clock, client.v4, server, port, 443, opaqueShort(sscid, world.opaque(logUniform(r, 40, 600)), r() * 64), 0.3);
    clock.advanceMs(rtt);
    let left = world.responseSize(budget / exchanges);
    let n = 0;
    while (left > 0) {
      // Never shorter than a real packet can be (header protection samples 16 bytes past the packet number).
      const size = Math.max(40, Math.min(left, 1200 + Math.floor(r() * 150)));
      writeUdp(w, clock, server, client.v4, 443, port, opaqueShort(cscid, world.opaque(size), 0), 0.08);
      left -= size;
      if (++n % 4 === 0) writeUdp(w, clock, client.v4, server, port, 443, opaqueShort(sscid, world.opaque(28 + Math.floor(r() * 8)), 0), 0.05);
      if (n % 48 === 0) clock.advanceMs(rtt / 2);
    }
    clock.advanceMs(logUniform(r, 5, 3000));
  }
}

function analyticsBody(world: World, client: Client, name: Name, clock: Clock): { type: string; body: Buffer } {
  const r = world.rand;
  const site = world.names[skewed(r, world.names.length)].name;
  const url = `https://${site}/${pick(r, WORDS)}/${pick(r, WORDS)}-${Math.floor(r() * 100000)}`;
  const ms = Number(clock.ns / 1_000_000n);
  const variant = r();
  if (variant < 0.4) {
    // The shape of the 2020 case: base64(gzip(JSON events)) inside a form field.
    const events = [{ event: 'page_load', ts: ms, properties: { url, title: `${pick(r, WORDS)} ${pick(r, WORDS)}`, android_id: client.androidId, uuid: client.uuid } }];
    if (r() < 0.3) events.push({ event: 'search', ts: ms, properties: { url: `https://www.${site}/search?q=${pick(r, WORDS)}+${pick(r, WORDS)}`, title: 'search', android_id: client.androidId, uuid: client.uuid } });
    const data = gzipSync(Buffer.from(JSON.stringify(events), 'utf8')).toString('base64');
    const crc = crc32(data).toString(16).padStart(8, '0');
    return { type: 'application/x-www-form-urlencoded', body: Buffer.from(`crc=${crc}&gzip=1&data_list=${encodeURIComponent(data)}`, 'latin1') };
  }
  if (variant < 0.8) {
    const form = `v=1&tid=UA-${100000 + (name.index % 900000)}-1&cid=${client.uuid}&t=pageview&dl=${encodeURIComponent(url)}&dt=${encodeURIComponent(pick(r, WORDS))}&sr=1080x2400&ul=en-gb&z=${Math.floor(r() * 1e9)}`;
    return { type: 'application/x-www-form-urlencoded', body: Buffer.from(form, 'latin1') };
  }
  const json = JSON.stringify({ device: { id: client.androidId, model: client.hostName }, events: [{ name: 'screen_view', ts: ms, url }] });
  return { type: 'application/json', body: Buffer.from(json, 'utf8') };
}

function httpConnection(world: World, w: CaptureWriter, clock: Clock, budget: number): void {
  const r = world.rand;
  const client = world.clients[Math.floor(r() * world.clients.length)];
  const analytics = r() < 0.3;
  const name = world.pickName(analytics);
  world.lookup(w, clock, client, name, false);
  const server: Host = { mac: ROUTER_MAC, ip: pick(r, name.v4) };
  const rtt = logUniform(r, 8, 220);
  const s = new TcpSession(w, clock, client.v4, server, world.port(client), 80, world.tcpOptions);
  world.report.tcpFlows++;
  world.report.httpFlows++;
  s.handshake(rtt);
  const requests = 1 + Math.floor(r() * r() * 10);
  for (let i = 0; i < requests; i++) {
    const common: Array<[string, string]> = [['User-Agent', client.userAgent], ['Accept-Encoding', 'gzip, deflate'], ['Connection', 'keep-alive']];
    if (r() < 0.4) common.push(['Cookie', `sid=${client.uuid.slice(0, 8)}${name.index}; consent=1`]);
    world.report.httpRequests++;
    let response: Buffer;
    const date: [string, string] = ['Date', httpDate(clock)];
    if (analytics) {
      const { type, body } = analyticsBody(world, client, name, clock);
      world.report.formPosts++;
      s.send(true, httpRequest('POST', name.name, `/${pick(r, ['track', 'collect', 'v1/log', 'events'])}?app=${pick(r, WORDS)}`, [...common, ['Content-Type', type]], body));
      response = r() < 0.5
        ? httpResponse(204, 'No Content', [date], Buffer.alloc(0))
        : httpResponse(200, 'OK', [date, ['Content-Type', 'application/json']], Buffer.from('{"code":0,"msg":"ok"}'));
    } else {
      const kind = r();
      const path = `/${pick(r, WORDS)}/${pick(r, WORDS)}-${Math.floor(r() * 100000)}`;
      if (kind < 0.45) {
        s.send(true, httpRequest('GET', name.name, `${path}.html`, [...common, ['Accept', 'text/html,application/xhtml+xml']]));
        const page = pick(r, world.htmlPool);
        const how = r();
        const headers: Array<[string, string]> = [date, ['Content-Type', 'text/html; charset=utf-8']];
        if (how < 0.4) {
          world.report.httpGzipBodies++;
          response = httpResponse(200, 'OK', [...headers, ['Content-Encoding', 'gzip']], page.gz);
        } else if (how < 0.7) {
          world.report.httpChunkedBodies++;
          response = chunkedResponse(headers, page.raw, 1024 * (4 + Math.floor(r() * 12)));
        } else {
          world.report.httpGzipBodies++;
          world.report.httpChunkedBodies++;
          response = chunkedResponse([...headers, ['Content-Encoding', 'gzip']], page.gz, 1024 * (2 + Math.floor(r() * 6)));
        }
      } else if (kind < 0.75) {
        s.send(true, httpRequest('GET', name.name, `${path}.jpg`, [...common, ['Accept', 'image/avif,image/webp,*/*']]));
        const img = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), world.opaque(world.responseSize(budget / requests))]);
        response = httpResponse(200, 'OK', [date, ['Content-Type', 'image/jpeg'], ['Cache-Control', 'max-age=86400']], img);
      } else {
        s.send(true, httpRequest('GET', name.name, `/api${path}?page=${Math.floor(r() * 20)}`, [...common, ['Accept', 'application/json']]));
        const doc = pick(r, world.jsonPool);
        const gz = r() < 0.5;
        if (gz) world.report.httpGzipBodies++;
        response = httpResponse(200, 'OK', [date, ['Content-Type', 'application/json'], ...(gz ? [['Content-Encoding', 'gzip'] as [string, string]] : [])], gz ? doc.gz : doc.raw);
      }
    }
    clock.advanceMs(rtt + r() * 40);
    world.sendWindowed(s, clock, false, response, rtt);
    clock.advanceMs(logUniform(r, 5, 2000));
  }
  s.close();
  world.report.pureAcks += s.pureAcks;
}

function dhcpBurst(world: World, w: CaptureWriter, clock: Clock, clients: Client[]): void {
  for (const c of clients) {
    const xid = Math.floor(world.rand() * 0x100000000);
    writeUdp(w, clock, { mac: c.mac, ip: '0.0.0.0' }, BROADCAST, 68, 67, dhcpRequest(xid, c.mac, c.v4.ip, c.hostName, c.vendorClass), 20 + world.rand() * 60);
    world.report.dhcpRequests++;
  }
}

/** Write the benchmark capture to `path` (which must not exist) and say what is in it. */
export function writeBenchCapture(path: string, opts: BenchCaptureOptions): BenchCaptureReport {
  const began = performance.now();
  const seed = opts.seed ?? 1;
  const format = opts.format ?? 'pcap';
  const clientCount = Math.max(1, Math.min(250, opts.clients ?? 150));
  const nameCount = Math.max(10, opts.names ?? 3000);
  const ackEvery = Math.max(0, Math.floor(opts.ackEvery ?? 2));
  const report: BenchCaptureReport = {
    path, format, seed, bytes: 0, frames: 0, firstTsNs: 0n, lastTsNs: 0n, clients: clientCount, namesDefined: nameCount,
    namesUsed: 0, dhcpRequests: 0, dnsQueries: 0, tcpFlows: 0, tlsFlows: 0, tlsFlowsIpv6: 0, quicFlows: 0, httpFlows: 0,
    httpRequests: 0, httpGzipBodies: 0, httpChunkedBodies: 0, formPosts: 0, ackEvery, pureAcks: 0, elapsedMs: 0,
  };
  const world = new World(seed, clientCount, nameCount, ackEvery, report);
  const out = format === 'pcapng'
    ? createPcapngWriter(path, { application: 'telltale bench-capture', interfaceName: 'eth0' })
    : createPcapWriter(path);
  // Per-frame file overhead, to keep the size estimate of queued frames honest.
  const recordOverhead = format === 'pcapng' ? 34 : 16;
  const t0 = new Clock(opts.start ?? '2024-03-12T08:00:00.000Z').ns;
  let scheduled = 0;
  let queuedBytes = 0;
  let lastTs = t0;
  let nextProgress = 64 << 20;

  const slots: Array<PendingFrames | null> = new Array<PendingFrames | null>(CONCURRENT).fill(null);
  const startConnection = (first: boolean): PendingFrames | null => {
    const budget = opts.targetBytes - out.bytes - queuedBytes;
    if (budget <= 0) return null;
    const p = new PendingFrames();
    const clock = new Clock('1970-01-01T00:00:00Z');
    // Space connection starts so the link carries about LINK_BYTES_PER_SEC on average.
    const paced = t0 + BigInt(Math.round((scheduled / LINK_BYTES_PER_SEC) * 1e9));
    clock.ns = (paced > lastTs ? paced : lastTs) + BigInt(Math.floor(world.rand() * 50_000_000));
    if (first) {
      dhcpBurst(world, p, clock, world.clients);
    } else {
      const u = world.rand();
      if (u < 0.01) dhcpBurst(world, p, clock, [world.clients[Math.floor(world.rand() * world.clients.length)]]);
      else if (u < 0.06) world.lookup(p, clock, world.clients[Math.floor(world.rand() * world.clients.length)], world.pickName(false), true);
      else if (u < 0.58) tlsConnection(world, p, clock, budget);
      else if (u < 0.8) quicConnection(world, p, clock, budget);
      else httpConnection(world, p, clock, budget);
    }
    const size = p.pendingBytes + p.list.length * recordOverhead;
    p.pendingBytes = size;
    scheduled += size;
    queuedBytes += size;
    return p;
  };

  slots[0] = startConnection(true);
  for (;;) {
    for (let i = 0; i < CONCURRENT; i++) {
      const s = slots[i];
      if (s === null || s.next >= s.list.length) slots[i] = startConnection(false);
    }
    let best = -1;
    let bestTs = 0n;
    for (let i = 0; i < CONCURRENT; i++) {
      const s = slots[i];
      if (s === null || s.next >= s.list.length) continue;
      const ts = s.times[s.next];
      if (best < 0 || ts < bestTs) {
        best = i;
        bestTs = ts;
      }
    }
    if (best < 0) break;
    const s = slots[best] as PendingFrames;
    // A slot keeps writing while it stays earliest, which saves rescanning for every frame.
    const limit = nextOther(slots, best);
    do {
      const frame = s.list[s.next];
      const ts = s.times[s.next];
      s.list[s.next] = EMPTY;
      s.next++;
      const cost = frame.length + recordOverhead;
      s.pendingBytes -= cost;
      queuedBytes -= cost;
      if (report.frames === 0) report.firstTsNs = ts;
      out.write(frame, ts);
      report.frames++;
      lastTs = ts;
    } while (s.next < s.list.length && s.times[s.next] <= limit);
    if (opts.onProgress && out.bytes >= nextProgress) {
      opts.onProgress(out.bytes);
      nextProgress += 64 << 20;
    }
  }
  out.close();
  report.bytes = out.bytes;
  report.lastTsNs = lastTs;
  report.namesUsed = world.usedNames.reduce((a, b) => a + b, 0);
  report.elapsedMs = performance.now() - began;
  return report;
}

const EMPTY = Buffer.alloc(0);

/** Earliest pending timestamp of every slot but `except` (a very late time when there is none). */
function nextOther(slots: Array<PendingFrames | null>, except: number): bigint {
  let min = 0x7fffffffffffffffn;
  for (let i = 0; i < slots.length; i++) {
    if (i === except) continue;
    const s = slots[i];
    if (s === null || s.next >= s.list.length) continue;
    const ts = s.times[s.next];
    if (ts < min) min = ts;
  }
  return min;
}

/** One-paragraph description of a generated capture, for the CLI and the benchmark. */
export function describeBenchCapture(r: BenchCaptureReport): string {
  const secs = Number(r.lastTsNs - r.firstTsNs) / 1e9;
  const mb = r.bytes / 1e6;
  return [
    `${r.path}: ${r.format}, ${mb.toFixed(1)} MB, ${r.frames.toLocaleString('en-US')} frames, ${(secs / 60).toFixed(1)} min of traffic (seed ${r.seed})`,
    `  ${r.clients} clients (${r.dhcpRequests} DHCP requests); ${r.namesUsed} of ${r.namesDefined} names used; ${r.dnsQueries.toLocaleString('en-US')} DNS queries`,
    `  flows: ${r.tlsFlows.toLocaleString('en-US')} TLS/TCP (${r.tlsFlowsIpv6} over IPv6), ${r.quicFlows.toLocaleString('en-US')} QUIC, ${r.httpFlows.toLocaleString('en-US')} HTTP/TCP ` +
      `(${r.httpRequests.toLocaleString('en-US')} requests: ${r.formPosts} POSTs, ${r.httpGzipBodies} gzip bodies, ${r.httpChunkedBodies} chunked)`,
    `  ${r.pureAcks.toLocaleString('en-US')} pure TCP ACKs (${((100 * r.pureAcks) / Math.max(1, r.frames)).toFixed(1)} % of frames; ` +
      `${r.ackEvery > 0 ? `receivers ACK every ${r.ackEvery} segments` : 'one ACK per burst, as before --ack-every'})`,
    `  written in ${(r.elapsedMs / 1000).toFixed(1)} s (${(mb / (r.elapsedMs / 1000)).toFixed(0)} MB/s)`,
  ].join('\n');
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      size: { type: 'string', default: '100M' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string' },
      clients: { type: 'string' },
      names: { type: 'string' },
      'ack-every': { type: 'string', default: '2' },
      force: { type: 'boolean', default: false },
    },
  });
  const path = positionals[0];
  if (!path) {
    console.error('usage: node tools/synth/bench-capture.ts <out.pcap|out.pcapng> [--size 1G] [--seed 1] [--format pcap|pcapng] [--clients 150] [--names 3000] [--ack-every 2] [--force]');
    process.exit(1);
  }
  const format = values.format ?? (path.endsWith('.pcapng') ? 'pcapng' : 'pcap');
  if (format !== 'pcap' && format !== 'pcapng') {
    console.error(`--format must be pcap or pcapng, not ${format}`);
    process.exit(1);
  }
  const ackEvery = Number(values['ack-every']);
  if (!Number.isInteger(ackEvery) || ackEvery < 0) {
    console.error(`--ack-every must be a whole number ≥ 0 (0: one ACK per burst, as before), not ${values['ack-every']}`);
    process.exit(1);
  }
  if (existsSync(path)) {
    if (!values.force) {
      console.error(`${path} exists; pass --force to replace it`);
      process.exit(1);
    }
    unlinkSync(path);
  }
  const report = writeBenchCapture(path, {
    targetBytes: parseSize(values.size),
    seed: Number(values.seed),
    format,
    clients: values.clients !== undefined ? Number(values.clients) : undefined,
    names: values.names !== undefined ? Number(values.names) : undefined,
    ackEvery,
    onProgress: (b) => process.stderr.write(`\r${(b / 1e6).toFixed(0)} MB…`),
  });
  process.stderr.write('\r');
  console.log(describeBenchCapture(report));
}
