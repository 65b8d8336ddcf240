/**
 * The dissector's own SHA-256 / HMAC-SHA-256 (used for QUIC Initial keys): the FIPS 180-2
 * "abc" example and RFC 4231 test case 2, then agreement with node:crypto (OpenSSL) for
 * every message length around the block and padding boundaries and keys longer than a
 * block. The RFC 9001 key derivation itself is checked in quic-initial.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256Key, sha256Into } from '../../../electron/engine/protocols/sha256.ts';

function sha256Hex(data: Buffer): string {
  const out = Buffer.alloc(32);
  sha256Into(data, 0, data.length, out, 0);
  return out.toString('hex');
}

function hmacHex(key: Buffer, data: Buffer): string {
  const out = Buffer.alloc(32);
  new HmacSha256Key(key).macInto(data, 0, data.length, out, 0);
  return out.toString('hex');
}

/** Deterministic bytes (no randomness: a failure must repeat). */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 3)) & 0xff;
  return b;
}

describe('sha256', () => {
  it('gives the published digests', () => {
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hmacHex(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('agrees with node:crypto for every length up to five blocks, and inside a larger buffer', () => {
    for (let n = 0; n <= 320; n++) {
      const data = bytes(n, n);
      expect(sha256Hex(data)).toBe(createHash('sha256').update(data).digest('hex'));
    }
    const big = bytes(1000, 3);
    const out = Buffer.alloc(40, 0xff);
    sha256Into(big, 17, 900, out, 5);
    expect(out.subarray(5, 37).toString('hex')).toBe(createHash('sha256').update(big.subarray(17, 900)).digest('hex'));
    // Nothing written outside the 32 bytes asked for.
    expect([...out.subarray(0, 5), ...out.subarray(37)]).toStrictEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('computes HMACs as node:crypto does, for short, block-sized and long keys, and reuses a key object', () => {
    for (const keyLen of [0, 1, 16, 32, 63, 64, 65, 131, 200]) {
      const key = bytes(keyLen, keyLen + 1);
      const reused = new HmacSha256Key(Buffer.alloc(8));
      reused.setKey(key);
      for (const n of [0, 1, 20, 55, 56, 63, 64, 65, 119, 120, 200]) {
        const data = bytes(n, n + 2);
        const want = createHmac('sha256', key).update(data).digest('hex');
        expect(hmacHex(key, data)).toBe(want);
        const out = Buffer.alloc(32);
        reused.macInto(data, 0, n, out, 0);
        expect(out.toString('hex')).toBe(want);
      }
    }
  });
});
