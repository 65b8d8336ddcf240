/**
 * URL encoding: percent-decoding that survives bad escapes, and
 * application/x-www-form-urlencoded pairs (bodies and query strings).
 */
import { isUtf8 } from 'node:buffer';

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** True when `s` holds at least one well-formed %XX escape. */
export function hasPercentEscape(s: string): boolean {
  let i = s.indexOf('%');
  while (i !== -1 && i + 2 < s.length) {
    if (hexVal(s.charCodeAt(i + 1)) >= 0 && hexVal(s.charCodeAt(i + 2)) >= 0) return true;
    i = s.indexOf('%', i + 1);
  }
  return false;
}

/**
 * Percent-decodes `s`; with `plusIsSpace` a '+' is a space (form encoding). A '%' not
 * followed by two hex digits stays as it is. Bytes that are not UTF-8 (a Latin-1
 * form) are read as Latin-1 rather than replaced, so no evidence is lost.
 */
export function percentDecode(s: string, plusIsSpace: boolean): string {
  if (s.indexOf('%') === -1 && (!plusIsSpace || s.indexOf('+') === -1)) return s;
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let o = 0;
  let nonAscii = false;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0x25 && i + 2 < src.length) {
      const h = hexVal(src[i + 1]);
      const l = hexVal(src[i + 2]);
      if (h >= 0 && l >= 0) {
        const v = (h << 4) | l;
        if (v >= 0x80) nonAscii = true;
        out[o++] = v;
        i += 2;
        continue;
      }
    }
    if (b >= 0x80) nonAscii = true;
    out[o++] = b === 0x2b && plusIsSpace ? 0x20 : b;
  }
  const bytes = out.subarray(0, o);
  if (nonAscii && !isUtf8(bytes)) return bytes.toString('latin1');
  return bytes.toString('utf8');
}

/** Characters that never appear raw in a form body or query string. */
function isFormStopChar(c: number, allowSpace: boolean): boolean {
  if (c < 0x20 || c === 0x7f) return true;
  if (c === 0x20) return !allowSpace;
  // Quotes, braces, angle brackets and backslashes mean JSON, markup or prose.
  return c === 0x22 || c === 0x7b || c === 0x7d || c === 0x3c || c === 0x3e || c === 0x5c;
}

/** Characters no form field name uses ('#', '?', '/', quotes, parentheses, ',', ';', '^', '`'). */
function isOddKeyChar(c: number): boolean {
  return c === 0x23 || c === 0x3f || c === 0x2f || c === 0x27 || c === 0x28 || c === 0x29 ||
    c === 0x2c || c === 0x3b || c === 0x5e || c === 0x60;
}

/**
 * Does `s` read as `key=value&key=value`? A single pair needs a non-empty value that
 * is not just '=' padding, so base64 such as "YWI=" or "YQ==" is not taken for a form.
 * `lenient` (a form Content-Type was declared) lets raw spaces through.
 */
export function looksLikeForm(s: string, lenient: boolean): boolean {
  const eq = s.indexOf('=');
  if (eq <= 0) return false;
  let pairs = 0;
  let withValue = 0;
  let keyStart = 0;
  let sawEq = false;
  let valueStart = -1;
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 0x26 : s.charCodeAt(i);
    if (c === 0x26) {
      if (i > keyStart) {
        pairs++;
        if (sawEq) {
          if (valueStart === keyStart) return false; // '=value' with no key
          let allPad = true;
          for (let j = valueStart; j < i; j++) if (s.charCodeAt(j) !== 0x3d) { allPad = false; break; }
          if (i > valueStart && !allPad) withValue++;
        }
      }
      keyStart = i + 1;
      sawEq = false;
      continue;
    }
    if (isFormStopChar(c, lenient)) return false;
    if (!sawEq && isOddKeyChar(c)) return false;
    if (c === 0x3d && !sawEq) {
      sawEq = true;
      valueStart = i + 1;
      if (i === keyStart) valueStart = keyStart;
    }
  }
  if (withValue === 0) return false;
  return pairs > 1 || withValue === 1;
}

/**
 * Splits a form body or query string into decoded [key, value] pairs, at most `max`
 * of them (`more` tells whether some were left). A pair without '=' has value ''.
 */
export function parseFormPairs(s: string, max: number): { pairs: Array<[string, string]>; more: boolean } {
  const pairs: Array<[string, string]> = [];
  let start = 0;
  while (start <= s.length) {
    let end = s.indexOf('&', start);
    if (end === -1) end = s.length;
    if (end > start) {
      if (pairs.length >= max) return { pairs, more: true };
      const eq = s.indexOf('=', start);
      if (eq !== -1 && eq < end) {
        pairs.push([percentDecode(s.slice(start, eq), true), percentDecode(s.slice(eq + 1, end), true)]);
      } else {
        pairs.push([percentDecode(s.slice(start, end), true), '']);
      }
    }
    start = end + 1;
  }
  return { pairs, more: false };
}
