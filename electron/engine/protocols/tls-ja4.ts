/**
 * JA4 TLS client fingerprint (FoxIO, BSD 3-Clause), written from the public
 * specification in FoxIO-LLC/ja4 technical_details/JA4.md. Only JA4 itself: the other
 * JA4+ methods are under a different licence and are deliberately absent.
 *
 *   ja4 = a_b_c
 *   a = transport (t|q) + version (2 chars) + d|i (SNI extension present) +
 *       cipher count (2 digits, ≤ 99) + extension count (2 digits, ≤ 99) + ALPN mark
 *   b = sha256(sorted ciphers as 4-hex, comma-joined)[0..12]
 *   c = sha256(sorted extensions without SNI/ALPN, "_", signature algorithms in wire order)[0..12]
 *
 * GREASE values are ignored everywhere; an empty list hashes to "000000000000".
 *
 * The hashed lists are written as ASCII straight into a reused buffer and hashed from
 * there in one call: building them as strings (hex, join, template) and hashing them
 * through a Hash object made ja4 the dissector's largest allocator after DNS.
 */
import { hash } from 'node:crypto';
import { EXT_ALPN, EXT_SERVER_NAME, isGrease, type ClientHello } from './tls-hello.ts';

const EMPTY_HASH = '000000000000';
const HEX = '0123456789abcdef';

// Scratch, grown on demand: the sorted values and the text that is hashed.
let sorted = new Int32Array(128);
let text = Buffer.allocUnsafe(1024);

/** Room for `n` values in `sorted` and for `chars` bytes of text. */
function reserve(n: number, chars: number): void {
  if (sorted.length < n) sorted = new Int32Array(Math.max(n, sorted.length * 2));
  if (text.length < chars) text = Buffer.allocUnsafe(Math.max(chars, text.length * 2));
}

/** Write `v` (a 16-bit field) as 4 lowercase hex digits at `at`; returns the position after. */
function putHex4(v: number, at: number): number {
  text[at] = HEX.charCodeAt((v >>> 12) & 15);
  text[at + 1] = HEX.charCodeAt((v >>> 8) & 15);
  text[at + 2] = HEX.charCodeAt((v >>> 4) & 15);
  text[at + 3] = HEX.charCodeAt(v & 15);
  return at + 4;
}

/** Write the first `n` entries of `sorted` as comma-separated hex at `at`; returns the position after. */
function putSorted(n: number, at: number): number {
  let p = at;
  for (let i = 0; i < n; i++) {
    if (i > 0) text[p++] = 0x2c;
    p = putHex4(sorted[i], p);
  }
  return p;
}

/** First 12 hex digits of the SHA-256 of text[0, len). */
function hash12(len: number): string {
  // The one-shot hash with hex output: about half the cost of a Hash object for these sizes.
  return hash('sha256', text.subarray(0, len), 'hex').slice(0, 12);
}

/** Copy the non-GREASE values of `list` into `sorted` and sort them; returns how many. */
function sortedWithoutGrease(list: readonly number[], skip1: number, skip2: number): number {
  reserve(list.length, 0);
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isGrease(v) && v !== skip1 && v !== skip2) sorted[n++] = v;
  }
  // A typed array sorts numerically, in place, without a comparator call per pair.
  sorted.subarray(0, n).sort();
  return n;
}

function versionCode(v: number): string {
  switch (v) {
    case 0x0304: return '13';
    case 0x0303: return '12';
    case 0x0302: return '11';
    case 0x0301: return '10';
    case 0x0300: return 's3';
    case 0x0002: return 's2';
    case 0xfeff: return 'd1';
    case 0xfefd: return 'd2';
    case 0xfefc: return 'd3';
    default: return '00';
  }
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** The two ALPN characters of JA4_a: first/last byte of the first value, or of its hex form when either is not alphanumeric. */
export function ja4AlpnMark(first: Buffer | null): string {
  if (first === null || first.length === 0) return '00';
  const a = first[0];
  const z = first[first.length - 1];
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a, z);
  const h = first.toString('hex');
  return h[0] + h[h.length - 1];
}

/** Version part of JA4_a: highest non-GREASE supported_versions entry, else the legacy version. */
export function ja4Version(h: ClientHello): string {
  let best = -1;
  for (const v of h.supportedVersions) if (!isGrease(v) && v > best) best = v;
  return versionCode(best >= 0 ? best : h.legacyVersion);
}

function twoDigits(n: number): string {
  const c = n > 99 ? 99 : n;
  return c < 10 ? `0${c}` : String(c);
}

/** Compute the JA4 fingerprint of a parsed ClientHello; `transport` is 't' for TCP, 'q' for QUIC. */
export function ja4(h: ClientHello, transport: 't' | 'q'): string {
  let cipherCount = 0;
  for (const c of h.ciphers) if (!isGrease(c)) cipherCount++;
  let extCount = 0;
  let hasSni = false;
  for (const e of h.extensions) {
    if (isGrease(e)) continue;
    extCount++;
    if (e === EXT_SERVER_NAME) hasSni = true;
  }

  const a = transport + ja4Version(h) + (hasSni ? 'd' : 'i') + twoDigits(cipherCount) +
    twoDigits(extCount) + ja4AlpnMark(h.alpnFirst);

  // -1 never occurs in a 16-bit list: nothing extra is skipped among the ciphers.
  const nc = sortedWithoutGrease(h.ciphers, -1, -1);
  let b = EMPTY_HASH;
  if (nc > 0) {
    reserve(0, nc * 5);
    b = hash12(putSorted(nc, 0));
  }

  const ne = sortedWithoutGrease(h.extensions, EXT_SERVER_NAME, EXT_ALPN);
  let c = EMPTY_HASH;
  if (ne > 0) {
    const sigs = h.signatureAlgorithms;
    reserve(0, (ne + sigs.length) * 5 + 1);
    let p = putSorted(ne, 0);
    // Signature algorithms in wire order, after an underscore, only if any is left.
    let first = true;
    for (let i = 0; i < sigs.length; i++) {
      if (isGrease(sigs[i])) continue;
      text[p++] = first ? 0x5f : 0x2c;
      first = false;
      p = putHex4(sigs[i], p);
    }
    c = hash12(p);
  }
  return `${a}_${b}_${c}`;
}
