import { constants, deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompress } from '../../../electron/engine/decode/decoders/compression.ts';
import { crc32, inflateSmall } from '../../../electron/engine/decode/decoders/inflate.ts';

/** Deterministic bytes: text-like (compresses with matches) or noise (stored/literal blocks). */
function sample(seed: number, size: number, kind: 'text' | 'noise'): Buffer {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  if (kind === 'noise') return Buffer.from(Array.from({ length: size }, () => next() & 0xff));
  const words = ['{"event":', '"screen_view"', ',"ts":', '1710230402624', ',"url":"https://www.example.com/a/b?c=d"', '}', ' ', 'device', '\n'];
  let s = '';
  while (s.length < size) s += words[next() % words.length];
  return Buffer.from(s.slice(0, size));
}

const OPTIONS: ZlibOptions[] = [
  { level: 0 }, { level: 1 }, { level: 6 }, { level: 9 }, { strategy: constants.Z_FIXED }, { strategy: constants.Z_HUFFMAN_ONLY },
  { strategy: constants.Z_RLE }, { level: 9, memLevel: 1, windowBits: 9 },
];

const CODECS = [
  { codec: 'gzip', pack: gzipSync, unpack: gunzipSync },
  { codec: 'zlib', pack: deflateSync, unpack: inflateSync },
  { codec: 'deflate', pack: deflateRawSync, unpack: inflateRawSync },
] as const;

describe('inflateSmall', () => {
  it('gives what zlib gives for every block type, size and framing', () => {
    let answered = 0;
    for (const { codec, pack, unpack } of CODECS) {
      for (const o of OPTIONS) {
        for (const size of [0, 1, 2, 30, 300, 5000, 70_000]) {
          for (const kind of ['text', 'noise'] as const) {
            const data = sample(size * 31 + 7, size, kind);
            const packed = pack(data, o);
            const got = inflateSmall(codec, packed, 1 << 24);
            if (got === null) continue;
            answered++;
            expect(got.equals(unpack(packed))).toBe(true);
            expect(got.equals(data)).toBe(true);
          }
        }
      }
    }
    // Declining is always allowed; answering almost never is not useful.
    expect(answered).toBeGreaterThan(CODECS.length * OPTIONS.length * 10);
  });

  it('declines damaged, cut, over-long and unusual streams', () => {
    const data = sample(3, 2000, 'text');
    const gz = gzipSync(data);
    expect(inflateSmall('gzip', gz, 1 << 20)?.equals(data)).toBe(true);
    // Trailing bytes, a second member, a cut stream, a wrong checksum or size.
    expect(inflateSmall('gzip', Buffer.concat([gz, Buffer.from([0])]), 1 << 20)).toBeNull();
    expect(inflateSmall('gzip', Buffer.concat([gz, gz]), 1 << 20)).toBeNull();
    expect(inflateSmall('gzip', gz.subarray(0, gz.length - 3), 1 << 20)).toBeNull();
    const badCrc = Buffer.from(gz);
    badCrc[gz.length - 8] ^= 1;
    expect(inflateSmall('gzip', badCrc, 1 << 20)).toBeNull();
    const badSize = Buffer.from(gz);
    badSize[gz.length - 4] ^= 1;
    expect(inflateSmall('gzip', badSize, 1 << 20)).toBeNull();
    // Output over the cap: zlib must say so.
    expect(inflateSmall('gzip', gz, data.length - 1)).toBeNull();
    expect(inflateSmall('gzip', gz, data.length)?.length).toBe(data.length);
    // A header CRC (FHCRC) is left to zlib.
    const hcrc = Buffer.from(gz);
    hcrc[3] |= 0x02;
    expect(inflateSmall('gzip', hcrc, 1 << 20)).toBeNull();
    // A zlib stream with a preset dictionary, and one with a wrong Adler-32.
    const z = deflateSync(data);
    const dict = deflateSync(data, { dictionary: Buffer.from('device') });
    expect(inflateSmall('zlib', dict, 1 << 20)).toBeNull();
    const badAdler = Buffer.from(z);
    badAdler[z.length - 1] ^= 1;
    expect(inflateSmall('zlib', badAdler, 1 << 20)).toBeNull();
    // Reserved block type 3.
    expect(inflateSmall('deflate', Buffer.from([0x07, 0x00]), 1 << 20)).toBeNull();
  });

  it('reads gzip headers with a file name, comment and extra field', () => {
    const data = sample(9, 500, 'text');
    const gz = gzipSync(data);
    const extra = Buffer.from([4, 0, 1, 2, 3, 4]);
    const header = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10]), gz.subarray(4, 10), extra, Buffer.from('a.json\0note\0')]);
    const withFields = Buffer.concat([header, gz.subarray(10)]);
    expect(gunzipSync(withFields).equals(data)).toBe(true);
    expect(inflateSmall('gzip', withFields, 1 << 20)?.equals(data)).toBe(true);
  });

  it('computes CRC-32 as RFC 1952 specifies', () => {
    // The check value of the CRC-32/ISO-HDLC catalogue entry.
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('leaves decompress() answers unchanged, errors included', () => {
    const data = sample(5, 3000, 'text');
    for (const { codec, pack, unpack } of CODECS) {
      const packed = pack(data);
      const r = decompress(codec, packed, 1 << 20, false);
      expect(r.ok && r.bytes.equals(unpack(packed)) && !r.truncated).toBe(true);
      const over = decompress(codec, packed, 100, false);
      expect(over).toEqual({ ok: false, tooLarge: true, error: 'output over cap' });
    }
    // A cut gzip stream still yields its part when allowed (zlib does it).
    const gz = gzipSync(sample(6, 20_000, 'noise'));
    const cut = decompress('gzip', gz.subarray(0, 5000), 1 << 20, true);
    expect(cut.ok && cut.truncated).toBe(true);
  });
});
