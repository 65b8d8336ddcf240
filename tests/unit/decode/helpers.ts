import type { DecodeResult } from '../../../electron/engine/decode/types.ts';

/** chain → value of every leaf (chains are unique in these payloads). */
export function leafMap(r: DecodeResult): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of r.leaves()) {
    if (m.has(l.chain)) throw new Error(`duplicate chain ${l.chain}`);
    m.set(l.chain, l.value);
  }
  return m;
}

/** Deterministic xorshift32 bytes, so random-input tests are repeatable. */
export function seededBytes(seed: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Protobuf wire-format pieces, written out per the encoding spec. */
export function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

export function pbString(field: number, s: string | Buffer | number[]): number[] {
  const bytes = typeof s === 'string' ? [...Buffer.from(s, 'utf8')] : [...s];
  return [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes];
}

export function pbVarint(field: number, v: number): number[] {
  return [...varint(field * 8), ...varint(v)];
}
