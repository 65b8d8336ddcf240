/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain JavaScript, for QUIC Initial
 * key derivation: ten HMACs of inputs under 64 bytes per connection.
 *
 * node:crypto hashes faster per byte, but each HMAC there took two Hash objects, their
 * updates and two digest Buffers: 3–4 µs per HMAC, and 20 MB of garbage per GB of
 * capture. Here a hash writes into the caller's buffer and allocates nothing, and an
 * HMAC key keeps its two padded-key states, so a MAC of a short message under a known
 * key is two block compressions (about 0.8 µs). Longer inputs (the JA4 lists, bodies,
 * the input file) stay with node:crypto.
 */

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Initial hash value H(0). */
const H0 = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

// Scratch shared by every call: the dissector runs on one thread and nothing here re-enters.
const W = new Int32Array(64);
const TAIL = new Uint8Array(128);
const STATE = new Int32Array(8);
const INNER = new Uint8Array(32);

/** Fold the 64-byte block b[off, off+64) into the state `h`. */
function compress(h: Int32Array, b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const p = off + i * 4;
    W[i] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15];
    const y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = h[0];
  let bb = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  let f = h[5];
  let g = h[6];
  let hh = h[7];
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + bb) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
  h[5] = (h[5] + f) | 0;
  h[6] = (h[6] + g) | 0;
  h[7] = (h[7] + hh) | 0;
}

/**
 * Finish a hash whose state `h` has already absorbed `prefix` bytes (a multiple of 64):
 * absorb data[start, end), pad, and write the 32-byte digest to out[outOff].
 */
function finish(h: Int32Array, prefix: number, data: Uint8Array, start: number, end: number, out: Uint8Array, outOff: number): void {
  let p = start;
  while (end - p >= 64) {
    compress(h, data, p);
    p += 64;
  }
  const rest = end - p;
  for (let i = 0; i < rest; i++) TAIL[i] = data[p + i];
  TAIL[rest] = 0x80;
  const blockEnd = rest < 56 ? 64 : 128;
  TAIL.fill(0, rest + 1, blockEnd - 8);
  // Message length in bits as a 64-bit big-endian number (exact in a double below 2^53).
  const bits = (prefix + end - start) * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  TAIL[blockEnd - 8] = hi >>> 24;
  TAIL[blockEnd - 7] = (hi >>> 16) & 0xff;
  TAIL[blockEnd - 6] = (hi >>> 8) & 0xff;
  TAIL[blockEnd - 5] = hi & 0xff;
  TAIL[blockEnd - 4] = lo >>> 24;
  TAIL[blockEnd - 3] = (lo >>> 16) & 0xff;
  TAIL[blockEnd - 2] = (lo >>> 8) & 0xff;
  TAIL[blockEnd - 1] = lo & 0xff;
  compress(h, TAIL, 0);
  if (blockEnd === 128) compress(h, TAIL, 64);
  for (let i = 0; i < 8; i++) {
    const v = h[i];
    const o = outOff + i * 4;
    out[o] = v >>> 24;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }
}

/** SHA-256 of data[start, end), written as 32 bytes to out[outOff]. */
export function sha256Into(data: Uint8Array, start: number, end: number, out: Uint8Array, outOff: number): void {
  STATE.set(H0);
  finish(STATE, 0, data, start, end, out, outOff);
}

/** Set `state` to SHA-256 after one block: the key `k` (≤ 64 bytes) zero-padded and XORed with `byte`. */
function padState(state: Int32Array, k: Uint8Array, byte: number): void {
  // TAIL is free here: nothing else is between compress calls.
  TAIL.fill(byte, 0, 64);
  for (let i = 0; i < k.length; i++) TAIL[i] ^= k[i];
  state.set(H0);
  compress(state, TAIL, 0);
}

/** An HMAC-SHA-256 key with its padded-key states computed once, for several MACs under the same key. */
export class HmacSha256Key {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);

  constructor(key: Uint8Array) {
    this.setKey(key);
  }

  /** Replace the key (the object is reusable: nothing else is kept). */
  setKey(key: Uint8Array): void {
    let k = key;
    if (k.length > 64) {
      const digest = new Uint8Array(32);
      sha256Into(key, 0, key.length, digest, 0);
      k = digest;
    }
    padState(this.inner, k, 0x36);
    padState(this.outer, k, 0x5c);
  }

  /** HMAC of data[start, end), written as 32 bytes to out[outOff]. */
  macInto(data: Uint8Array, start: number, end: number, out: Uint8Array, outOff: number): void {
    STATE.set(this.inner);
    finish(STATE, 64, data, start, end, INNER, 0);
    STATE.set(this.outer);
    finish(STATE, 64, INNER, 0, 32, out, outOff);
  }
}
