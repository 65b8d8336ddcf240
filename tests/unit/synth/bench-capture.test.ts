import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import { createPcapngReader } from '../../../electron/engine/capture/pcapng-reader.ts';
import type { PacketReader, PacketReaderEvents } from '../../../electron/engine/capture/types.ts';
import { importFile } from '../../../electron/engine/import/import-file.ts';
import { LINK_IPV4, LINK_IPV6, parseLink, type LinkInfo } from '../../../electron/engine/dissect/link.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { parseSize, writeBenchCapture, type BenchCaptureOptions } from '../../../tools/synth/bench-capture.ts';
import { initialKeys, protectedInitial } from '../../../tools/synth/quic-initial-writer.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'bench-capture-test-'));
const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function generate(opts: BenchCaptureOptions): { path: string; report: ReturnType<typeof writeBenchCapture>; sha: string } {
  const path = join(dir, `c${n++}.${opts.format ?? 'pcap'}`);
  const report = writeBenchCapture(path, opts);
  return { path, report, sha: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 9001 Appendix A: keys from DCID 8394c8f03e515708 and the client and server Initials.
const RFC_DCID = hex('8394c8f03e515708');
const RFC_CLIENT_CRYPTO = hex(`
  060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868 04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
  616d706c652e636f6dff01000100000a00080006001d00170018001000070005 04616c706e000500050100000000003300260024001d00209370b2c9caa47fba
  baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400 0d0010000e0403050306030203080408050806002d00020101001c0002400100
  3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000 75300901100f088394c8f03e51570806048000ffff`);
const RFC_SERVER_FRAMES = hex(`
  02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739 88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94
  0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00 020304`);
const RFC_SERVER_PACKET = hex(`
  cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a 5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
  dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84 022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4
  2158407dd074ee`);

describe('QUIC Initial writer (RFC 9001 Appendix A)', () => {
  it('derives the client and server Initial keys', () => {
    const c = initialKeys(RFC_DCID, 'client');
    expect(c.key.toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(c.iv.toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(c.hp.toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
    const s = initialKeys(RFC_DCID, 'server');
    expect(s.key.toString('hex')).toBe('cf3a5331653c364c88f0f379b6067e37');
    expect(s.iv.toString('hex')).toBe('0ac1493ca1905853b0bba03e');
    expect(s.hp.toString('hex')).toBe('c206b8d9b9f0f37644430b490eeaa314');
  });

  it('protects the client Initial byte for byte (header, sample, tail)', () => {
    const p = protectedInitial({ keyDcid: RFC_DCID, side: 'client', dcid: RFC_DCID, scid: Buffer.alloc(0), packetNumber: 2, pnLength: 4, frames: RFC_CLIENT_CRYPTO, padTo: 1200 });
    expect(p.length).toBe(1200);
    expect(p.subarray(0, 38).toString('hex')).toBe('c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9b');
    expect(p.subarray(-48).toString('hex')).toBe('7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934');
  });

  it('protects the server Initial exactly', () => {
    const p = protectedInitial({ keyDcid: RFC_DCID, side: 'server', dcid: Buffer.alloc(0), scid: hex('f067a5502a4262b5'), packetNumber: 1, pnLength: 2, frames: RFC_SERVER_FRAMES });
    expect(p.equals(RFC_SERVER_PACKET)).toBe(true);
  });
});

describe('parseSize', () => {
  it('reads decimal units', () => {
    expect(parseSize('1G')).toBe(1_000_000_000);
    expect(parseSize('250M')).toBe(250_000_000);
    expect(parseSize('1.5k')).toBe(1500);
    expect(parseSize('4096')).toBe(4096);
    expect(() => parseSize('lots')).toThrow();
  });
});

interface Walk {
  frames: number;
  anomalies: string[];
  fatal: string | null;
  ordered: boolean;
  /** TCP segments with the ACK flag alone and no payload. */
  pureAcks: number;
  /** Most data segments one direction carried between two pure ACKs of the other. */
  maxSegmentsPerAck: number;
  /** Pure ACKs acknowledging bytes the other side had not sent (yet). */
  acksAhead: number;
  /** Pure ACKs whose number did not move from the previous ACK of that side (duplicate ACKs). */
  duplicateAcks: number;
}

/** a < b in TCP sequence space. */
const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;

function walk(path: string, format: 'pcap' | 'pcapng'): Walk {
  let frames = 0;
  let ordered = true;
  let last = -1;
  const anomalies: string[] = [];
  const w: Walk = { frames: 0, anomalies, fatal: null, ordered: true, pureAcks: 0, maxSegmentsPerAck: 0, acksAhead: 0, duplicateAcks: 0 };
  // Per direction (source address:port > destination): end of the highest data byte
  // sent, data segments since the other side last ACKed, and the last ACK number sent.
  const sent = new Map<string, number>();
  const since = new Map<string, number>();
  const lastAck = new Map<string, number>();
  const link: LinkInfo = { off: 0, macSrc: -1, macDst: -1, error: '' };
  const tcpSegment = (d: Buffer): void => {
    const kind = parseLink(d, 0, d.length, 1, link);
    if (kind !== LINK_IPV4 && kind !== LINK_IPV6) return;
    const ip = link.off;
    const v4 = kind === LINK_IPV4;
    if ((v4 ? d[ip + 9] : d[ip + 6]) !== 6) return;
    const t = v4 ? ip + (d[ip] & 15) * 4 : ip + 40;
    const addr = (at: number, n: number): string => d.toString('hex', at, at + n);
    const src = `${v4 ? addr(ip + 12, 4) : addr(ip + 8, 16)}:${d.readUInt16BE(t)}`;
    const dst = `${v4 ? addr(ip + 16, 4) : addr(ip + 24, 16)}:${d.readUInt16BE(t + 2)}`;
    const payload = d.length - t - (d[t + 12] >> 4) * 4;
    const flags = d[t + 13];
    const seq = d.readUInt32BE(t + 4);
    const ack = d.readUInt32BE(t + 8);
    const fwd = `${src}>${dst}`;
    const rev = `${dst}>${src}`;
    // SYN and FIN take a sequence number each, as a byte would.
    const extent = payload + (flags & 0x02 ? 1 : 0) + (flags & 0x01 ? 1 : 0);
    if (extent > 0) {
      const end = (seq + extent) >>> 0;
      const hi = sent.get(fwd);
      if (hi === undefined || before(hi, end)) sent.set(fwd, end);
    }
    if (payload > 0) {
      const n = (since.get(fwd) ?? 0) + 1;
      since.set(fwd, n);
      if (n > w.maxSegmentsPerAck) w.maxSegmentsPerAck = n;
    } else if (flags === 0x10) {
      w.pureAcks++;
      const hi = sent.get(rev);
      if (hi !== undefined && before(hi, ack)) w.acksAhead++;
      if (lastAck.get(fwd) === ack) w.duplicateAcks++;
      lastAck.set(fwd, ack);
      since.set(rev, 0);
    }
  };
  const events: PacketReaderEvents = {
    frame: (f) => {
      frames++;
      const t = f.tsSec * 1e9 + f.tsNsec;
      if (t < last) ordered = false;
      last = t;
      tcpSegment(f.data);
    },
    iface: () => {},
    anomaly: (a) => { anomalies.push(a.error); },
  };
  const reader: PacketReader = format === 'pcap' ? createPcapReader(events) : createPcapngReader(events);
  const bytes = readFileSync(path);
  // Odd chunk sizes so records straddle chunk boundaries.
  for (let off = 0; off < bytes.length; off += 65_521) reader.push(bytes.subarray(off, off + 65_521));
  reader.end();
  return { ...w, frames, fatal: reader.fatal, ordered };
}

/** Lines tshark prints for `args` (one per packet with -T fields). */
function tsharkLines(args: string[]): number {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0).length;
}

describe('writeBenchCapture', () => {
  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const a = generate({ targetBytes: 2_000_000, seed: 7 });
    const b = generate({ targetBytes: 2_000_000, seed: 7 });
    const c = generate({ targetBytes: 2_000_000, seed: 8 });
    expect(a.sha).toBe(b.sha);
    expect(c.sha).not.toBe(a.sha);
    expect(a.report.frames).toBe(b.report.frames);
  });

  for (const format of ['pcap', 'pcapng'] as const) {
    it(`writes a ${format} file of about the asked size that the ${format} reader walks cleanly, in time order`, () => {
      const { path, report } = generate({ targetBytes: 3_000_000, seed: 3, format });
      expect(report.bytes).toBeGreaterThanOrEqual(3_000_000);
      expect(report.bytes).toBeLessThan(3_000_000 * 1.5);
      const w = walk(path, format);
      expect(w.fatal).toBeNull();
      expect(w.anomalies).toEqual([]);
      expect(w.frames).toBe(report.frames);
      expect(w.ordered).toBe(true);
    });
  }

  it('acknowledges like a real receiver by default: a pure ACK every second segment, never ahead of the data', () => {
    const { path, report } = generate({ targetBytes: 4_000_000, seed: 5 });
    expect(report.ackEvery).toBe(2);
    const w = walk(path, 'pcap');
    expect(w.pureAcks).toBe(report.pureAcks);
    expect(w.maxSegmentsPerAck).toBe(2);
    expect(w.acksAhead).toBe(0);
    // Retransmitted and reordered segments (1 % each) draw duplicate ACKs.
    expect(w.duplicateAcks).toBeGreaterThan(0);
    // Most TCP frames of a download are full-sized: about one in three frames is then an ACK.
    expect(report.pureAcks / report.frames).toBeGreaterThan(0.2);

    const old = generate({ targetBytes: 4_000_000, seed: 5, ackEvery: 0 });
    const o = walk(old.path, 'pcap');
    expect(o.pureAcks).toBe(old.report.pureAcks);
    expect(o.acksAhead).toBe(0);
    expect(o.maxSegmentsPerAck).toBeGreaterThan(20);
    expect(old.report.pureAcks / old.report.frames).toBeLessThan(report.pureAcks / report.frames / 2);
  });

  it('with ackEvery 0 writes what the generator wrote before the option existed, byte for byte', () => {
    // SHA-256 of files written by writeBenchCapture at commit 421da4c (before ackEvery
    // existed) with these very arguments; they pin the old output so old figures can be
    // reproduced.
    const a = generate({ targetBytes: 2_000_000, seed: 7, ackEvery: 0 });
    expect(a.sha).toBe('7b42752b7aa842552ae08c064d39c1a92c2c9c535a34e1552f155c66de691057');
    expect(a.report.frames).toBe(2271);
    const b = generate({ targetBytes: 3_000_000, seed: 3, format: 'pcapng', ackEvery: 0 });
    expect(b.sha).toBe('80520e9fbe53c6313780b46cb7f6bb500893aa89042acb8ffaad05b7c6f2bcf2');
    // The new default writes other bytes, and the same ones every time.
    const c = generate({ targetBytes: 2_000_000, seed: 7 });
    const d = generate({ targetBytes: 2_000_000, seed: 7, ackEvery: 2 });
    expect(c.sha).not.toBe(a.sha);
    expect(d.sha).toBe(c.sha);
  });

  it('the CLI with --ack-every 0 writes the pinned old output too', () => {
    const out = join(dir, 'cli-old.pcap');
    const r = spawnSync(process.execPath, [join(ROOT, 'tools/synth/bench-capture.ts'), out, '--size', '2000000', '--seed', '7', '--ack-every', '0'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe('7b42752b7aa842552ae08c064d39c1a92c2c9c535a34e1552f155c66de691057');
    expect(r.stdout).toMatch(/pure TCP ACKs/);
  });

  it.skipIf(!tshark)('tshark reads the same frames and pure ACKs, and no ACK of a segment it did not see', () => {
    const { path, report } = generate({ targetBytes: 3_000_000, seed: 9 });
    expect(tsharkLines(['-r', path, '-T', 'fields', '-e', 'frame.number'])).toBe(report.frames);
    expect(tsharkLines(['-r', path, '-Y', 'tcp.flags == 0x010 && tcp.len == 0', '-T', 'fields', '-e', 'frame.number'])).toBe(report.pureAcks);
    expect(tsharkLines(['-r', path, '-Y', 'tcp.analysis.ack_lost_segment', '-T', 'fields', '-e', 'frame.number'])).toBe(0);
  });

  it('holds what its report says, as the engine reads it (QUIC Initials decrypted, SNI included)', async () => {
    const { path, report } = generate({ targetBytes: 6_000_000, seed: 11, format: 'pcapng' });
    expect(report.quicFlows).toBeGreaterThan(0);
    expect(report.httpRequests).toBeGreaterThan(0);
    expect(report.formPosts).toBeGreaterThan(0);
    const sink = new CollectingSink();
    const summary = await importFile(path, 1, sink);
    expect(summary.error).toBeNull();
    expect(summary.packets).toBe(report.frames);
    expect(sink.anomalyRecords).toEqual([]);
    // Each lookup is a query and its response.
    expect(sink.dnsRecords.length).toBe(2 * report.dnsQueries);
    const quic = sink.tlsRecords.filter((t) => t.transport === 'quic');
    expect(quic.length).toBe(report.quicFlows);
    expect(quic.every((t) => typeof t.sni === 'string' && t.sni.length > 0)).toBe(true);
    expect(sink.tlsRecords.length - quic.length).toBe(report.tlsFlows);
    expect(sink.httpRecords.length).toBe(report.httpRequests);
    expect(sink.httpRecords.filter((h) => h.method === 'POST').length).toBe(report.formPosts);
    expect(sink.nameRecords.length).toBe(report.dhcpRequests);
  });
});
