/** Content-Encoding decoding: caps, cut and damaged streams, unknown codings. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeContent, parseCodings } from '../../../electron/engine/protocols/http-body.ts';

// Text that compresses but not absurdly, so that a cut stream still yields a prefix.
const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i} ${(i * 7919) % 104729}\n`).join(''));

describe('http content decoding', () => {
  it('parses Content-Encoding lists in application order', () => {
    expect(parseCodings(null)).toEqual([]);
    expect(parseCodings(' GZIP , identity,, br ')).toEqual(['gzip', 'br']);
  });

  it('returns a prefix of the text for a gzip stream cut in the middle', () => {
    const gz = zlib.gzipSync(text);
    const r = decodeContent(gz.subarray(0, Math.floor(gz.length / 2)), ['gzip']);
    expect(r.body.length).toBeGreaterThan(0);
    expect(r.body.length).toBeLessThan(text.length);
    expect(text.subarray(0, r.body.length).equals(r.body)).toBe(true);
    expect(r.error).toBeNull();
  });

  it('keeps what decodes before damage and says why it stopped', () => {
    const gz = Buffer.from(zlib.gzipSync(text));
    const at = Math.floor(gz.length * 0.6);
    for (let i = at; i < at + 16; i++) gz[i] ^= 0x5a;
    const r = decodeContent(gz, ['gzip']);
    expect(r.truncated).toBe(true);
    expect(r.error).toMatch(/gzip/);
    // DEFLATE may emit some garbage before it notices the damage, but everything the
    // intact bytes decode to must be there.
    const intact = zlib.gunzipSync(gz.subarray(0, at), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(intact.length).toBeGreaterThan(0);
    expect(r.body.subarray(0, intact.length).equals(intact)).toBe(true);
    expect(text.subarray(0, intact.length).equals(intact)).toBe(true);
  });

  it('keeps the bytes as received when the coding is unknown or the data is not encoded at all', () => {
    const raw = Buffer.from('not compressed at all');
    const unknown = decodeContent(raw, ['compress']);
    expect(unknown.body.equals(raw)).toBe(true);
    expect(unknown.error).toMatch(/not supported/);
    const lying = decodeContent(raw, ['gzip']);
    expect(lying.body.equals(raw)).toBe(true);
    expect(lying.error).toMatch(/could not be decoded/);
  });

  it('stops at the cap for every coding', () => {
    const big = Buffer.alloc(1 << 20, 0x61);
    const cap = 64 * 1024;
    const encoded: Array<[string, Buffer]> = [
      ['gzip', zlib.gzipSync(big)], ['deflate', zlib.deflateSync(big)], ['deflate', zlib.deflateRawSync(big)], ['br', zlib.brotliCompressSync(big)],
    ];
    for (const [coding, data] of encoded) {
      const r = decodeContent(data, [coding], cap);
      expect(r.truncated, coding).toBe(true);
      expect(r.error, coding).toMatch(/cap/);
      if (coding === 'br' && r.body.equals(data)) continue; // no partial output from one brotli meta-block: kept as received
      expect(r.body.length, coding).toBeLessThanOrEqual(cap);
      expect(r.body.length, coding).toBeGreaterThan(cap / 4);
      expect(r.body.every((x) => x === 0x61), coding).toBe(true);
    }
  });

  it('decodes zstd when this Node has it', () => {
    const z = zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer };
    if (typeof z.zstdCompressSync !== 'function') {
      expect(decodeContent(Buffer.from('x'), ['zstd']).error).toMatch(/not supported/);
      return;
    }
    expect(decodeContent(z.zstdCompressSync(text), ['zstd']).body.equals(text)).toBe(true);
  });
});
