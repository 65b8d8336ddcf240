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
 */
import { createHash } from 'node:crypto';
import { EXT_ALPN, EXT_SERVER_NAME, isGrease, type ClientHello } from './tls-hello.ts';

const EMPTY_HASH = '000000000000';

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function hash12(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
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
  const ciphers: number[] = [];
  for (const c of h.ciphers) if (!isGrease(c)) ciphers.push(c);
  let extCount = 0;
  let hasSni = false;
  const exts: number[] = [];
  for (const e of h.extensions) {
    if (isGrease(e)) continue;
    extCount++;
    if (e === EXT_SERVER_NAME) hasSni = true;
    else if (e !== EXT_ALPN) exts.push(e);
  }
  const sigs: string[] = [];
  for (const s of h.signatureAlgorithms) if (!isGrease(s)) sigs.push(hex4(s));

  const a = transport + ja4Version(h) + (hasSni ? 'd' : 'i') + twoDigits(ciphers.length) +
    twoDigits(extCount) + ja4AlpnMark(h.alpnFirst);

  ciphers.sort((x, y) => x - y);
  const b = ciphers.length === 0 ? EMPTY_HASH : hash12(ciphers.map(hex4).join(','));

  exts.sort((x, y) => x - y);
  let c = EMPTY_HASH;
  if (exts.length > 0) {
    const list = exts.map(hex4).join(',');
    c = hash12(sigs.length > 0 ? `${list}_${sigs.join(',')}` : list);
  }
  return `${a}_${b}_${c}`;
}
