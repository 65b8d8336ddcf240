/** Format sniffing by magic bytes, against every corpus file and hand-made heads. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES, sniffFormat } from '../../../electron/engine/capture/sniff.ts';
import { corpusBytes, corpusFiles, truthOf } from './corpus.ts';

describe('sniffFormat on the corpus', () => {
  for (const name of corpusFiles('.pcap').concat(corpusFiles('.pcapng'))) {
    const truth = truthOf(name);
    if (truth === null || truth.magic === undefined || truth.magic === null) continue;
    it(`${name}: the magic tshark saw (${truth.magic}) decides the format`, () => {
      const want = truth.magic === '0a0d0d0a' ? 'pcapng' : 'pcap';
      expect(sniffFormat(corpusBytes(name).subarray(0, SNIFF_BYTES))).toEqual({ kind: want, gzip: false });
    });
  }

  for (const name of corpusFiles('.har')) {
    it(`${name}: a JSON object is handed to the HAR reader (valid or not)`, () => {
      expect(sniffFormat(corpusBytes(name).subarray(0, SNIFF_BYTES))).toEqual({ kind: 'har', gzip: false });
    });
  }

  for (const name of corpusFiles('.txt')) {
    it(`${name}: a key log is not a capture and the reason names its first bytes`, () => {
      const head = corpusBytes(name).subarray(0, SNIFF_BYTES);
      const r = sniffFormat(head);
      expect(r.kind).toBe('unknown');
      const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      expect(r.kind === 'unknown' && r.reason).toBe(`not a capture: starts with bytes ${hex} (expected pcap, pcapng, gzip or HAR/JSON)`);
    });
  }
});

describe('sniffFormat on hand-made heads', () => {
  it('names the bytes of a zip file', () => {
    const r = sniffFormat(Buffer.from('504b0304140000000800', 'hex'));
    expect(r).toEqual({ kind: 'unknown', gzip: false, reason: 'not a capture: starts with bytes 50 4b 03 04 (expected pcap, pcapng, gzip or HAR/JSON)' });
  });

  it('accepts all four classic magics', () => {
    for (const m of ['a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1']) {
      expect(sniffFormat(Buffer.from(`${m}02000400`, 'hex')).kind).toBe('pcap');
    }
  });

  it('accepts a BOM and whitespace before the JSON object, and rejects a JSON array', () => {
    expect(sniffFormat(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' \r\n\t{"log":{}}')])).kind).toBe('har');
    expect(sniffFormat(Buffer.from('[{"log":1}]')).kind).toBe('unknown');
  });

  it('reports an empty file clearly', () => {
    const r = sniffFormat(Buffer.alloc(0));
    expect(r.kind === 'unknown' && r.reason).toMatch(/empty/);
  });

  it('looks inside gzip and reports the inner format', () => {
    const inner = corpusBytes('pcapplusplus__pcapng-example.pcapng');
    expect(sniffFormat(gzipSync(inner).subarray(0, SNIFF_BYTES))).toEqual({ kind: 'pcapng', gzip: true });
    expect(sniffFormat(gzipSync(corpusBytes('tcpdump__pptp.pcap')).subarray(0, SNIFF_BYTES))).toEqual({ kind: 'pcap', gzip: true });
    // A dynamic-Huffman block yields nothing until its code tables are complete.
    const tiny = sniffFormat(gzipSync(corpusBytes('tcpdump__pptp.pcap')).subarray(0, 12));
    expect(tiny.kind === 'unknown' && tiny.gzip && tiny.reason).toMatch(/too little/);
    const notCapture = sniffFormat(gzipSync(Buffer.from('hello world')));
    expect(notCapture.gzip).toBe(true);
    expect(notCapture.kind === 'unknown' && notCapture.reason).toMatch(/gzip-compressed, but not a capture: starts with bytes 68 65 6c 6c/);
    const nested = sniffFormat(gzipSync(gzipSync(inner)));
    expect(nested.kind === 'unknown' && nested.reason).toMatch(/gzip inside gzip/);
  });
});
