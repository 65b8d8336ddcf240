/**
 * Base64, standard and URL-safe, with or without padding. Guessing base64 is where
 * false positives come from, so a string must first pass cheap tests on its own text
 * (length, one alphabet, padding and length modulo 4, not an ordinary word or number);
 * the caller then keeps the decoding only if the bytes decode further or read as text.
 */

export type Base64Variant = 'base64' | 'base64url';

/** Shortest padded candidate ("dGVzdA==" is "test"). */
const MIN_PADDED = 8;
/** Shortest unpadded candidate: 9 decoded bytes, enough for the text test to mean something. */
const MIN_UNPADDED = 12;
/** Line breaks are allowed in candidates this long (MIME wraps at 76). */
const MIN_WRAPPED = 64;

/** Is `s` a UUID (8-4-4-4-12)? Its hyphens would otherwise pass as base64url. */
function isUuid(s: string): boolean {
  return s.length === 36 && s.charCodeAt(8) === 0x2d && s.charCodeAt(13) === 0x2d &&
    s.charCodeAt(18) === 0x2d && s.charCodeAt(23) === 0x2d;
}

/**
 * The alphabet `s` is written in if it is a plausible base64 string, else null.
 * Rejected outright: too short; characters of both alphabets; '=' anywhere but the
 * last two places; a length that no encoder produces; all digits; letters of one case
 * only; a capitalised word; a UUID.
 */
export function base64Variant(s: string): Base64Variant | null {
  const len = s.length;
  if (len < MIN_PADDED) return null;
  let upper = 0;
  let lower = 0;
  let digits = 0;
  let std = 0;
  let url = 0;
  let pad = 0;
  let breaks = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (pad > 0 && c !== 0x3d && c !== 0x0a && c !== 0x0d) return null;
    if (c >= 0x61 && c <= 0x7a) lower++;
    else if (c >= 0x41 && c <= 0x5a) upper++;
    else if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === 0x2b || c === 0x2f) std++;
    else if (c === 0x2d || c === 0x5f) url++;
    else if (c === 0x3d) pad++;
    else if ((c === 0x0a || c === 0x0d) && len >= MIN_WRAPPED) breaks++;
    else return null;
  }
  if (std > 0 && url > 0) return null;
  if (pad > 2) return null;
  const body = len - breaks;
  if (pad > 0 ? body % 4 !== 0 : body < MIN_UNPADDED || body % 4 === 1) return null;
  const letters = upper + lower;
  if (letters === 0) return null;
  if (upper === 0 && digits === 0 && std + url === 0) return null;
  if (lower === 0 && digits === 0 && std + url === 0) return null;
  // A capitalised word or a name ("Internationalization"): one upper case letter first.
  if (upper === 1 && digits === 0 && std + url === 0 && pad === 0) {
    const c0 = s.charCodeAt(0);
    if (c0 >= 0x41 && c0 <= 0x5a) return null;
  }
  if (url > 0 && isUuid(s)) return null;
  return url > 0 ? 'base64url' : 'base64';
}

/** Decodes a string base64Variant accepted (Node reads both alphabets, padding optional). */
export function decodeBase64(s: string, variant: Base64Variant): Buffer {
  return Buffer.from(s, variant === 'base64url' ? 'base64url' : 'base64');
}

/** The base64 part of a `data:…;base64,` URL, or null. */
export function dataUrlBase64(s: string): string | null {
  if (!s.startsWith('data:')) return null;
  const comma = s.indexOf(',');
  if (comma === -1 || comma > 256) return null;
  return s.lastIndexOf(';base64', comma) !== -1 ? s.slice(comma + 1) : null;
}
