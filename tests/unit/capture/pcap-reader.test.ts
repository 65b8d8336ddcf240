/**
 * Classic pcap reader against tshark's truth for every corpus pcap, against the
 * independent `pcap-parser` npm package for record framing, and on hand-built files.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import { LINKTYPE_TO_WTAP, chunkSizes, collect, corpusBytes, corpusFiles, frameDigest, truthOf, tsharkTs, wtapOfName } from './corpus.ts';

const require = createRequire(import.meta.url);
// pcap-parser is CommonJS with an event API and no types; only what the tests use is typed.
interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PcapParserEmitter {
  on(ev: 'packet', cb: (p: PcapParserPacket) => void): PcapParserEmitter;
  on(ev: 'end', cb: () => void): PcapParserEmitter;
  on(ev: 'error', cb: (e: Error) => void): PcapParserEmitter;
}
const pcapParser = require('pcap-parser') as { parse(input: Readable): PcapParserEmitter };

/** Frames as the pcap-parser package sees them. It only knows the µs magics, so ns files get their magic rewritten (framing is identical). */
function parseWithPcapParser(buf: Buffer): Promise<{ packets: PcapParserPacket[]; error: Error | null }> {
  const copy = Buffer.from(buf);
  const magic = copy.readUInt32BE(0);
  if (magic === 0x4d3cb2a1) copy.writeUInt32BE(0xd4c3b2a1, 0);
  if (magic === 0xa1b23c4d) copy.writeUInt32BE(0xa1b2c3d4, 0);
  return new Promise((resolve) => {
    const packets: PcapParserPacket[] = [];
    let error: Error | null = null;
    pcapParser.parse(Readable.from([copy]))
      .on('packet', (p) => packets.push({ header: { ...p.header }, data: Buffer.from(p.data) }))
      .on('error', (e) => { error = e; })
      .on('end', () => resolve({ packets, error }));
  });
}

const pcaps = corpusFiles('.pcap');

describe('pcap reader vs tshark truth', () => {
  for (const name of pcaps) {
    const truth = truthOf(name);
    if (truth === null) continue;
    it(`${name}: ${truth.packet_count} frames, link types, first/last timestamps`, () => {
      const r = collect(createPcapReader, corpusBytes(name));
      expect(r.frames.length).toBe(truth.packet_count);
      if (truth.format === undefined) return; // generated file: only the count is in its truth
      if (truth.packet_count === 0) {
        expect(r.reader.fatal).not.toBeNull();
        return;
      }
      expect(r.ifaces.map((i) => LINKTYPE_TO_WTAP[i.linkType])).toEqual(truth.interface_encapsulations.map(wtapOfName));
      expect([...new Set(r.frames.map((f) => String(LINKTYPE_TO_WTAP[f.linkType])))].sort()).toEqual([...truth.frame_encap_types].sort());
      const first = r.frames[0];
      const last = r.frames[r.frames.length - 1];
      expect([first.tsSec, first.tsNsec]).toEqual(tsharkTs(truth.first_timestamp_epoch));
      expect([last.tsSec, last.tsNsec]).toEqual(tsharkTs(truth.last_timestamp_epoch));
      expect(r.reader.tsDigits).toBe(String(truth.format).includes('nanosecond') ? 9 : 6);
    });
  }
});

describe('pcap reader vs the pcap-parser package (framing cross-check)', () => {
  // The fuzzed ndpi file uses version 2.0 with swapped lengths (see the next block) and
  // the invalid-version file is rejected: pcap-parser implements neither rule.
  const skip = new Set(['ndpi__fuzz-truncated.pcap', 'libpcap__pcap-invalid-version-1.pcap']);
  for (const name of pcaps.filter((n) => !skip.has(n))) {
    it(`${name}: same records, bytes and raw timestamp fields`, async () => {
      const buf = corpusBytes(name);
      const nano = buf.readUInt32BE(0) === 0x4d3cb2a1 || buf.readUInt32BE(0) === 0xa1b23c4d;
      const ref = await parseWithPcapParser(buf);
      expect(ref.error).toBeNull();
      const r = collect(createPcapReader, buf);
      expect(r.frames.length).toBe(ref.packets.length);
      r.frames.forEach((f, i) => {
        const p = ref.packets[i];
        expect(f.data.equals(p.data)).toBe(true);
        expect(f.origLen).toBe(p.header.originalLength);
        const frac = p.header.timestampMicroseconds;
        const unit = nano ? 1_000_000_000 : 1_000_000;
        expect(f.tsSec).toBe(p.header.timestampSeconds + Math.floor(frac / unit));
        expect(f.tsNsec).toBe((frac % unit) * (nano ? 1 : 1000));
      });
    });
  }
});

describe('pcap reader on the malformed corpus files', () => {
  it('libpcap__pcap-invalid-version-1.pcap: rejected with a clear fatal error', () => {
    const r = collect(createPcapReader, corpusBytes('libpcap__pcap-invalid-version-1.pcap'));
    expect(r.frames).toHaveLength(0);
    expect(r.reader.fatal).toMatch(/^unsupported pcap version 1\.\d+/);
    expect(r.anomalies.map((a) => a.error)).toEqual([r.reader.fatal]);
  });

  it('ndpi__fuzz-truncated.pcap: one 197-byte frame like tshark, timestamp carried, truncation named', () => {
    const truth = truthOf('ndpi__fuzz-truncated.pcap')!;
    const r = collect(createPcapReader, corpusBytes('ndpi__fuzz-truncated.pcap'));
    expect(r.frames).toHaveLength(truth.packet_count);
    // Version 2.0 stores caplen/len swapped (libpcap and Wireshark swap them back); capinfos infers the 197-byte size.
    expect(truth.capinfos['Packet size limit']).toBe('inferred: 197 bytes');
    expect(r.frames[0].data.length).toBe(197);
    expect(r.frames[0].origLen).toBe(524501);
    expect(r.ifaces[0].linkType).toBe(0); // 0x40000000: flag bits above the 16-bit link type
    expect([r.frames[0].tsSec, r.frames[0].tsNsec]).toEqual(tsharkTs(truth.first_timestamp_epoch));
    const errors = r.anomalies.map((a) => a.error);
    expect(errors).toContain('frame 1: timestamp fraction 1882137472 ns is not below one second; carried into the seconds');
    expect(errors).toContain('file cut short in the middle of the record header of frame 2 (16 bytes needed, 2 present)');
    expect(r.reader.fatal).toBeNull();
  });

  it('tcpdump__timestamp_invalid_nano.pcap: out-of-range fractions are named and normalised', async () => {
    const buf = corpusBytes('tcpdump__timestamp_invalid_nano.pcap');
    const truth = truthOf('tcpdump__timestamp_invalid_nano.pcap')!;
    const r = collect(createPcapReader, buf);
    expect(r.frames).toHaveLength(3);
    expect(r.anomalies.map((a) => a.frame)).toEqual([2, 3]);
    expect(r.anomalies[0].error).toMatch(/^frame 2: timestamp fraction 1000000000 ns/);
    // Raw fields from the independent parser, carried by hand.
    const ref = await parseWithPcapParser(buf);
    const raw = ref.packets.map((p) => [p.header.timestampSeconds, p.header.timestampMicroseconds]);
    expect(raw[2]).toEqual([1418145370, 2147483648]);
    expect(r.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual(raw.map(([s, f]) => [s + Math.floor(f / 1e9), f % 1e9]));
    // tshark prints frame 3 as "-1418145370.2147483648" (signed formatting); undone, it agrees.
    expect([r.frames[2].tsSec, r.frames[2].tsNsec]).toEqual(tsharkTs(truth.last_timestamp_epoch));
    expect([r.frames[1].tsSec, r.frames[1].tsNsec]).toEqual(tsharkTs(truth.max_timestamp_epoch));
  });
});

describe('pcap reader: chunk boundaries', () => {
  for (const name of pcaps) {
    it(`${name}: one byte at a time and random chunk sizes give the same frames and anomalies`, () => {
      const buf = corpusBytes(name);
      const whole = collect(createPcapReader, buf);
      const want = frameDigest(whole.frames);
      const wantAnoms = whole.anomalies.map((a) => a.error);
      const sizes = buf.length > 200_000 ? [[1, 3, 16, 17, 1500], chunkSizes(7, 64, 65536)] : [[1], chunkSizes(1, 64, 97), chunkSizes(2, 64, 4096)];
      for (const s of sizes) {
        const r = collect(createPcapReader, buf, s);
        expect(frameDigest(r.frames)).toEqual(want);
        expect(r.anomalies.map((a) => a.error)).toEqual(wantAnoms);
        expect(r.reader.fatal).toBe(whole.reader.fatal);
      }
    });
  }
});

/** A classic pcap built byte by byte: header fields then records. */
function buildPcap(opts: { le?: boolean; magic?: number; major?: number; minor?: number; linkType?: number; records: Array<{ sec: number; frac: number; incl?: number; orig?: number; data: Buffer }> }): Buffer {
  const le = opts.le ?? true;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  w32(h, opts.magic ?? 0xa1b2c3d4, 0);
  w16(h, opts.major ?? 2, 4);
  w16(h, opts.minor ?? 4, 6);
  w32(h, 65535, 16);
  w32(h, opts.linkType ?? 1, 20);
  parts.push(h);
  for (const r of opts.records) {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec, 0);
    w32(rh, r.frac, 4);
    w32(rh, r.incl ?? r.data.length, 8);
    w32(rh, r.orig ?? r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

describe('pcap reader on hand-built files', () => {
  it('reads a big-endian µs file whose 1 MiB frame spans many chunks', () => {
    const big = Buffer.alloc(1 << 20, 0xab);
    big.writeUInt32BE(0xdeadbeef, 100);
    const buf = buildPcap({ le: false, records: [{ sec: 1, frac: 999_999, data: Buffer.from('small') }, { sec: 2, frac: 5, data: big }, { sec: 3, frac: 0, data: Buffer.alloc(0) }] });
    const r = collect(createPcapReader, buf, [65536]);
    expect(r.frames.map((f) => [f.index, f.tsSec, f.tsNsec, f.data.length])).toEqual([[1, 1, 999_999_000, 5], [2, 2, 5000, 1 << 20], [3, 3, 0, 0]]);
    expect(r.frames[1].data.equals(big)).toBe(true);
    expect(r.anomalies).toEqual([]);
  });

  it('carries an out-of-range µs fraction into the seconds', () => {
    const r = collect(createPcapReader, buildPcap({ records: [{ sec: 10, frac: 2_500_000, data: Buffer.from('x') }] }));
    expect([r.frames[0].tsSec, r.frames[0].tsNsec]).toEqual([12, 500_000_000]);
    expect(r.anomalies[0]).toEqual({ frame: 1, layer: 'pcap', error: 'frame 1: timestamp fraction 2500000 µs is not below one second; carried into the seconds' });
  });

  it('stops on an absurd record length instead of buffering it', () => {
    const buf = buildPcap({ records: [{ sec: 1, frac: 0, data: Buffer.from('ok') }, { sec: 2, frac: 0, incl: MAX_RECORD_BYTES + 1, orig: 60, data: Buffer.alloc(40) }] });
    for (const sizes of [[buf.length], [1]]) {
      const r = collect(createPcapReader, buf, sizes);
      expect(r.frames).toHaveLength(1);
      expect(r.reader.fatal).toMatch(/^frame 2: record claims 268435457 bytes/);
      expect(r.anomalies.map((a) => a.frame)).toEqual([null]); // frame 2 is never delivered
    }
  });

  it('names a record cut short by the end of the file', () => {
    const buf = buildPcap({ records: [{ sec: 1, frac: 0, data: Buffer.alloc(50) }, { sec: 2, frac: 0, data: Buffer.alloc(80) }] });
    const r = collect(createPcapReader, buf.subarray(0, buf.length - 30));
    expect(r.frames).toHaveLength(1);
    expect(r.anomalies.map((a) => a.error)).toEqual(['file cut short in the middle of frame 2 (record claims 80 bytes, 50 present)']);
  });

  it('applies the version 2.3 "maybe swapped" rule and the FCS flag bits', () => {
    const buf = buildPcap({ minor: 3, linkType: 0x04000000 | (2 << 28) | 1, records: [
      { sec: 1, frac: 0, incl: 100, orig: 4, data: Buffer.alloc(4) }, // swapped: caplen 4
      { sec: 2, frac: 0, incl: 4, orig: 100, data: Buffer.alloc(4) }, // already right
    ] });
    const r = collect(createPcapReader, buf);
    expect(r.frames.map((f) => [f.data.length, f.origLen])).toEqual([[4, 100], [4, 100]]);
    expect(r.ifaces[0]).toMatchObject({ linkType: 1, fcsBytes: 4 });
  });

  it('rejects a short header and a foreign magic without throwing', () => {
    const short = collect(createPcapReader, buildPcap({ records: [] }).subarray(0, 10));
    expect(short.reader.fatal).toMatch(/24-byte pcap file header is incomplete \(10 bytes\)/);
    const foreign = collect(createPcapReader, Buffer.from('0a0d0d0a000000000000000000000000000000000000000000', 'hex'));
    expect(foreign.reader.fatal).toMatch(/^not a pcap file/);
    const v3 = collect(createPcapReader, buildPcap({ major: 3, records: [] }));
    expect(v3.reader.fatal).toBe('unsupported pcap version 3.4 (only version 2.x exists)');
  });

  it('ignores pushes after end and after a fatal error', () => {
    let frames = 0;
    const reader = createPcapReader({ frame() { frames++; }, iface() {}, anomaly() {} });
    const buf = buildPcap({ records: [{ sec: 1, frac: 0, data: Buffer.from('a') }] });
    reader.push(buf);
    reader.end();
    reader.push(buf.subarray(24));
    reader.end();
    expect(frames).toBe(1);
  });
});
