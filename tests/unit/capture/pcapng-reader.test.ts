/** pcapng reader against tshark's truth for every corpus pcapng, and on hand-built blocks. */
import { describe, expect, it } from 'vitest';
import { createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import { createPcapngReader } from '../../../electron/engine/capture/pcapng-reader.ts';
import { LINKTYPE_TO_WTAP, chunkSizes, collect, corpusBytes, corpusFiles, frameDigest, truthOf, tsharkTs, wtapOfName } from './corpus.ts';

const pcapngs = corpusFiles('.pcapng');
const TLSK = 0x544c534b;
const SECRET_TYPE_NAMES: Record<string, number> = { 'TLS key log': TLSK };

describe('pcapng reader vs tshark truth', () => {
  for (const name of pcapngs) {
    const truth = truthOf(name);
    if (truth === null) continue;
    it(`${name}: ${truth.packet_count} frames, interfaces, timestamps, comments, secrets`, () => {
      const r = collect(createPcapngReader, corpusBytes(name));
      expect(r.frames.length).toBe(truth.packet_count);
      if (truth.tshark_rc === 2 || (truth.tshark_stderr ?? '').includes('damaged')) {
        expect(r.reader.fatal).not.toBeNull();
        return;
      }
      expect(r.reader.fatal).toBeNull();
      expect(r.ifaces.map((i) => LINKTYPE_TO_WTAP[i.linkType])).toEqual(truth.interface_encapsulations.map(wtapOfName));
      expect(r.frames.filter((f) => f.comment !== null).length).toBe(truth.packet_comment_frames);
      expect(r.secrets.map((s) => s.type)).toEqual((truth.pcapng?.dsb_secret_types ?? []).map((t: string) => SECRET_TYPE_NAMES[t]));
      const info = truth.capinfos ?? {};
      if (info['Capture application'] !== undefined) expect(r.reader.producer).toContain(info['Capture application']);
      if (info['Capture oper-sys'] !== undefined) expect(r.reader.producer).toContain(info['Capture oper-sys']);
      if (info['Capture comment'] !== undefined) expect(r.sectionComments).toEqual(info['Capture comment']);
      const precision = /\((\d)\)/.exec(info['File timestamp precision'] ?? '');
      if (precision) expect(r.reader.tsDigits).toBe(Number(precision[1]));
      if (truth.packet_count === 0) return;
      expect([...new Set(r.frames.map((f) => String(LINKTYPE_TO_WTAP[f.linkType])))].sort()).toEqual([...truth.frame_encap_types].sort());
      const first = r.frames[0];
      const last = r.frames[r.frames.length - 1];
      expect([first.tsSec, first.tsNsec]).toEqual(tsharkTs(truth.first_timestamp_epoch));
      expect([last.tsSec, last.tsNsec]).toEqual(tsharkTs(truth.last_timestamp_epoch));
      const secs = r.frames.map((f) => f.tsSec + f.tsNsec / 1e9);
      expect(Math.min(...secs)).toBeCloseTo(Number(truth.min_timestamp_epoch), 5);
      expect(Math.max(...secs)).toBeCloseTo(Number(truth.max_timestamp_epoch), 5);
    });
  }
});

describe('pcapng reader on special corpus files', () => {
  it('libpcap__shb-option-too-long.pcapng: the damaged section header is a clear fatal error', () => {
    const truth = truthOf('libpcap__shb-option-too-long.pcapng')!;
    const r = collect(createPcapngReader, corpusBytes('libpcap__shb-option-too-long.pcapng'));
    const tsharkWords = /Not enough data to handle option of length (\d+)/.exec(truth.tshark_stderr)!;
    expect(r.reader.fatal?.toLowerCase()).toContain(tsharkWords[0].toLowerCase());
    expect(r.frames).toHaveLength(0);
  });

  it('tcpdump__empty.pcapng: no frames, one interface, nothing wrong', () => {
    const r = collect(createPcapngReader, corpusBytes('tcpdump__empty.pcapng'));
    expect(r.frames).toHaveLength(0);
    expect(r.ifaces).toHaveLength(1);
    expect(r.anomalies).toEqual([]);
    expect(r.reader.fatal).toBeNull();
  });

  it('generated__tls-dsb.pcapng: the DSB holds the key log it was made from, and the frames equal the pcap twin', () => {
    const r = collect(createPcapngReader, corpusBytes('generated__tls-dsb.pcapng'));
    expect(r.secrets).toHaveLength(1);
    expect(r.secrets[0].type).toBe(TLSK);
    expect(r.secrets[0].data.equals(corpusBytes('generated__tls-keylog.txt'))).toBe(true);
    const twin = collect(createPcapReader, corpusBytes('generated__tls-keylog.pcap'));
    expect(r.frames.length).toBe(truthOf('generated__tls-keylog.pcap')?.packet_count);
    expect(frameDigest(r.frames)).toEqual(frameDigest(twin.frames));
  });

  it('ndpi__quic-v2-dsb.pcapng: the DSB is an NSS key log', () => {
    const r = collect(createPcapngReader, corpusBytes('ndpi__quic-v2-dsb.pcapng'));
    expect(r.secrets.map((s) => s.type)).toEqual([TLSK]);
    const lines = r.secrets[0].data.toString('utf8').split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^[A-Z0-9_]+ [0-9a-f]{64} [0-9a-f]+$/);
  });

  it('pcapplusplus__pcapng-example.pcapng: comments, two link types, wrapped interface-1 times kept with anomalies', () => {
    const truth = truthOf('pcapplusplus__pcapng-example.pcapng')!;
    const r = collect(createPcapngReader, corpusBytes('pcapplusplus__pcapng-example.pcapng'));
    const commented = r.frames.filter((f) => f.comment !== null);
    expect(commented).toHaveLength(truth.packet_comment_frames);
    // The writer stored C strings with stale bytes after the NUL; tshark shows up to the NUL.
    expect(commented.map((f) => f.comment)).toEqual(commented.map((_, k) => `Packet #${k + 1}`));
    expect(r.ifaces.map((i) => i.tsDigits)).toEqual([9, 6]);
    const wrapped = r.frames.filter((f) => f.interfaceId === 1);
    expect(wrapped.every((f) => f.tsSec > 18_000_000_000_000)).toBe(true);
    const absurd = r.anomalies.filter((a) => a.error.includes('after the year 9999'));
    expect(absurd.map((a) => a.frame)).toEqual(wrapped.map((f) => f.index));
  });
});

describe('pcapng reader: chunk boundaries', () => {
  for (const name of pcapngs) {
    it(`${name}: one byte at a time and random chunk sizes give the same result`, () => {
      const buf = corpusBytes(name);
      const whole = collect(createPcapngReader, buf);
      for (const s of [[1], chunkSizes(3, 64, 97), chunkSizes(4, 64, 5000)]) {
        const r = collect(createPcapngReader, buf, s);
        expect(frameDigest(r.frames)).toEqual(frameDigest(whole.frames));
        expect(r.anomalies).toEqual(whole.anomalies);
        expect(r.secrets).toEqual(whole.secrets);
        expect(r.ifaces).toEqual(whole.ifaces);
        expect(r.reader.fatal).toBe(whole.reader.fatal);
      }
    });
  }
});

// ---- hand-built pcapng ----

type Opt = [code: number, value: Buffer];

class Ng {
  readonly le: boolean;
  readonly parts: Buffer[] = [];
  constructor(le = true) { this.le = le; }
  u16(v: number): Buffer { const b = Buffer.alloc(2); if (this.le) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; }
  u32(v: number): Buffer { const b = Buffer.alloc(4); if (this.le) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0); return b; }
  pad(b: Buffer): Buffer { return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]); }
  opts(list: Opt[]): Buffer {
    if (list.length === 0) return Buffer.alloc(0);
    return Buffer.concat([...list.flatMap(([c, v]) => [this.u16(c), this.u16(v.length), this.pad(v)]), this.u32(0)]);
  }
  block(type: number, body: Buffer, lenOverride?: number, trailerOverride?: number): this {
    const len = 12 + body.length;
    this.parts.push(Buffer.concat([this.u32(type), this.u32(lenOverride ?? len), body, this.u32(trailerOverride ?? lenOverride ?? len)]));
    return this;
  }
  shb(opts: Opt[] = [], major = 1): this {
    const sectionLen = Buffer.alloc(8, 0xff);
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(major), this.u16(0), sectionLen, this.opts(opts)]));
  }
  idb(linkType: number, snaplen: number, opts: Opt[] = []): this {
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snaplen), this.opts(opts)]));
  }
  epb(ifid: number, ts: bigint, data: Buffer, opts: Opt[] = [], caplen?: number): this {
    return this.block(6, Buffer.concat([this.u32(ifid), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)), this.u32(caplen ?? data.length), this.u32(data.length + 10), this.pad(data), this.opts(opts)]));
  }
  opb(ifid: number, ts: bigint, data: Buffer): this {
    return this.block(2, Buffer.concat([this.u16(ifid), this.u16(0), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)), this.u32(data.length), this.u32(data.length), this.pad(data)]));
  }
  spb(origLen: number, data: Buffer): this {
    return this.block(3, Buffer.concat([this.u32(origLen), this.pad(data)]));
  }
  nrb(records: Array<[type: number, value: Buffer]>): this {
    return this.block(4, Buffer.concat([...records.flatMap(([t, v]) => [this.u16(t), this.u16(v.length), this.pad(v)]), this.u32(0)]));
  }
  dsb(type: number, data: Buffer): this {
    return this.block(10, Buffer.concat([this.u32(type), this.u32(data.length), this.pad(data)]));
  }
  bytes(): Buffer { return Buffer.concat(this.parts); }
}

const str = (s: string) => Buffer.from(s, 'utf8');
const byte = (v: number) => Buffer.from([v]);
function i64(v: bigint, le: boolean): Buffer { const b = Buffer.alloc(8); if (le) b.writeBigInt64LE(v); else b.writeBigInt64BE(v); return b; }

/** Reference conversion in plain BigInt: units since epoch at `unitsPerSec` to [sec, nsec]. */
function refTs(units: bigint, unitsPerSec: bigint, offset = 0n): [number, number] {
  return [Number(units / unitsPerSec + offset), Number(((units % unitsPerSec) * 1_000_000_000n) / unitsPerSec)];
}

describe('pcapng reader on hand-built files', () => {
  it('reads both byte orders, several sections, options, comments and file-wide interface ids', () => {
    const a = new Ng(true).shb([[1, str('first section')], [2, str('hw')], [3, str('os')], [4, str('app 1.0')]])
      .idb(1, 65535, [[2, str('eth0')], [9, byte(6)]])
      .epb(0, 1_700_000_000_123_456n, str('hello'), [[1, str('note A')], [1, str('note B')]]);
    const b = new Ng(false).shb([[4, str('second app')]])
      .idb(113, 0, [[9, byte(9)], [2, str('any')]])
      .idb(101, 1500, [[9, byte(0x80 | 20)], [14, i64(-100n, false)]])
      .epb(1, (1_700_000_000n << 20n) + 524_288n, str('two'))
      .epb(0, 1_700_000_000_987_654_321n, str('one'));
    const r = collect(createPcapngReader, Buffer.concat([a.bytes(), b.bytes()]));
    expect(r.reader.fatal).toBeNull();
    expect(r.anomalies).toEqual([]);
    expect(r.reader.producer).toBe('app 1.0; os; hw');
    expect(r.sectionComments).toEqual(['first section']);
    expect(r.ifaces.map((i) => [i.id, i.linkType, i.name, i.tsDigits])).toEqual([[0, 1, 'eth0', 6], [1, 113, 'any', 9], [2, 101, null, 9]]);
    expect(r.reader.tsDigits).toBe(9);
    expect(r.frames.map((f) => [f.index, f.interfaceId, f.linkType, f.data.toString(), f.comment])).toEqual([
      [1, 0, 1, 'hello', 'note A\nnote B'],
      [2, 2, 101, 'two', null],
      [3, 1, 113, 'one', null],
    ]);
    expect([r.frames[0].tsSec, r.frames[0].tsNsec]).toEqual(refTs(1_700_000_000_123_456n, 1_000_000n));
    expect([r.frames[1].tsSec, r.frames[1].tsNsec]).toEqual(refTs((1_700_000_000n << 20n) + 524_288n, 1n << 20n, -100n));
    expect([r.frames[1].tsSec, r.frames[1].tsNsec]).toEqual([1_699_999_900, 500_000_000]);
    expect([r.frames[2].tsSec, r.frames[2].tsNsec]).toEqual([1_700_000_000, 987_654_321]);
  });

  it('converts 64-bit timestamps exactly for every decimal resolution, including the largest values', () => {
    const cases: bigint[] = [0n, 1n, 0xffffffffn, 0x1_0000_0000n, 1_700_000_000_999_999_999n, 0xffff_ffff_ffff_ffffn, 0xffff_fffe_0000_0001n, 18_446_744_073_204_277_451n];
    for (let exp = 0; exp <= 12; exp++) {
      const ng = new Ng().shb().idb(1, 0, [[9, byte(exp)]]);
      for (const v of cases) ng.epb(0, v, str('x'));
      const r = collect(createPcapngReader, ng.bytes());
      const res = 10n ** BigInt(exp);
      expect(r.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual(cases.map((v) => refTs(v, res)));
    }
  });

  it('handles SPB (interface 0 snaplen), OPB, NRB and DSB', () => {
    const v6 = Buffer.from('20010db8000000000000000000000001', 'hex');
    const ng = new Ng().shb().idb(1, 4)
      .spb(10, str('0123456789'))
      .opb(0, 5_000_000n, str('old'))
      .nrb([[1, Buffer.concat([Buffer.from([192, 0, 2, 1]), str('a.example\0b.example\0')])], [2, Buffer.concat([v6, str('v6.example\0')])], [3, Buffer.alloc(6)]])
      .dsb(TLSK, str('CLIENT_RANDOM 00 11\n'));
    const r = collect(createPcapngReader, ng.bytes());
    expect(r.frames.map((f) => [f.data.toString(), f.origLen, f.tsSec, f.tsNsec])).toEqual([['0123', 10, 0, 0], ['old', 3, 5, 0]]);
    expect(r.names).toEqual([{ ip: '192.0.2.1', names: ['a.example', 'b.example'] }, { ip: '2001:db8::1', names: ['v6.example'] }]);
    expect(r.secrets).toEqual([{ type: TLSK, data: str('CLIENT_RANDOM 00 11\n') }]);
    expect(r.anomalies).toEqual([]);
  });

  it('stops with a clear fatal error on unusable block lengths, never looping', () => {
    const base = () => new Ng().shb().idb(1, 0).epb(0, 1n, str('ok'));
    const cases: Array<[string, Buffer, RegExp]> = [
      ['below minimum', Buffer.concat([base().bytes(), new Ng().u32(6), new Ng().u32(8), Buffer.alloc(8)]), /claims 8 bytes, below the 12-byte minimum/],
      ['not a multiple of 4', Buffer.concat([base().bytes(), new Ng().u32(6), new Ng().u32(18), Buffer.alloc(16)]), /claims 18 bytes, not a multiple of 4/],
      ['trailer mismatch', base().epb(0, 2n, str('x'), [], undefined).bytes().subarray(0), /./],
      ['huge', Buffer.concat([base().bytes(), new Ng().u32(6), new Ng().u32(0x7ffffff0), Buffer.alloc(64)]), /more than 256 MiB/],
      ['zero length', Buffer.concat([base().bytes(), Buffer.alloc(64)]), /claims 0 bytes/],
    ];
    // Corrupt the trailer of the last EPB for the mismatch case.
    const mm = cases[2][1];
    mm.writeUInt32LE(999, mm.length - 4);
    cases[2][2] = /trailing length 999 does not match leading length/;
    for (const [label, buf, want] of cases) {
      for (const sizes of [[buf.length], [1], [7]]) {
        const r = collect(createPcapngReader, buf, sizes);
        expect(r.reader.fatal, label).toMatch(want);
        expect(r.frames.length, label).toBe(1);
      }
    }
  });

  it('cuts an over-long packet to its block, skips packets of unknown interfaces, names a cut-off last block', () => {
    const ng = new Ng().shb().idb(1, 0)
      .epb(0, 1n, str('abcd'), [], 4000)
      .epb(3, 1n, str('lost'))
      .epb(0, 2n, str('fine'))
      .epb(0, 3n, Buffer.alloc(100));
    const buf = ng.bytes();
    const r = collect(createPcapngReader, buf.subarray(0, buf.length - 50));
    expect(r.frames.map((f) => f.data.toString('latin1').replace(/\0/g, ''))).toEqual(['abcd', 'fine']);
    const errors = r.anomalies.map((a) => a.error);
    expect(errors[0]).toBe('frame 1: packet claims 4000 captured bytes but its block holds 4; cut to the block');
    expect(errors[1]).toMatch(/names interface 3, but its section describes 1; packet skipped/);
    expect(errors[2]).toBe('file cut short in the middle of frame 3 (block claims 132 bytes, 82 present)');
    expect(r.reader.fatal).toBeNull();
  });

  it('rejects files that do not start with a section header, bad byte-order magics and unknown versions', () => {
    const noShb = new Ng().idb(1, 0).bytes();
    expect(collect(createPcapngReader, noShb).reader.fatal).toMatch(/first block .* is not a section header block/);
    const badBom = new Ng().shb().bytes();
    badBom.writeUInt32LE(0x11223344, 8);
    expect(collect(createPcapngReader, badBom).reader.fatal).toMatch(/bad byte-order magic/);
    expect(collect(createPcapngReader, new Ng().shb([], 2).bytes()).reader.fatal).toBe('unsupported pcapng version 2.0 (section at byte 0)');
    expect(collect(createPcapngReader, Buffer.alloc(0)).reader.fatal).toMatch(/no complete section header block/);
  });

  it('keeps a packet whose options are damaged, with an anomaly', () => {
    const ng = new Ng().shb().idb(1, 0);
    const good = new Ng().epb(0, 1n, str('data'), [[1, str('hi')]]).bytes();
    // Make the comment option claim 200 bytes.
    good.writeUInt16LE(200, 8 + 20 + 4 + 2);
    const r = collect(createPcapngReader, Buffer.concat([ng.bytes(), good]));
    expect(r.frames.map((f) => [f.data.toString(), f.comment])).toEqual([['data', null]]);
    expect(r.anomalies[0].error).toMatch(/^frame 1: not enough data to handle option of length 200/);
  });
});
