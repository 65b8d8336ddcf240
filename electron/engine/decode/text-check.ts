/**
 * Is this byte string text? Three strictness levels, because the cost of a wrong
 * "yes" differs: a body or decompressed stream that is mostly text is shown as text
 * (loose); a protobuf field is a string only if it is clean UTF-8 (field); bytes that
 * came out of a guessed base64/hex decoding are accepted only if they look like text a
 * program wrote (decoded), since random bytes are printable often enough to fool a
 * weaker test on short strings.
 */
import { isUtf8 } from 'node:buffer';

export type TextStrictness = 'loose' | 'field' | 'decoded';

/** Decoded strings shorter than this must also look like words, not line noise. */
const SHORT_DECODED = 16;

function isControl(b: number): boolean {
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f;
}

/** Length of `buf` without an incomplete UTF-8 sequence at its end (a cut stream). */
function completeUtf8Length(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = buf[n - back];
    if (b < 0x80) return n;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? n - back : n;
    }
  }
  return n;
}

/** Counts C0/C1 control characters other than tab, CR, LF. */
function countControls(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const b = buf[i];
    if (b < 0x80) {
      if (isControl(b)) n++;
    } else if (b === 0xc2 && i + 1 < end && buf[i + 1] >= 0x80 && buf[i + 1] <= 0x9f) {
      n++;
    }
  }
  return n;
}

/** Short decoded strings need a letter, mostly letters, digits and spaces, and no line breaks. */
function looksLikeWords(buf: Buffer): boolean {
  let letters = 0;
  let alnum = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b < 0x20) return false;
    const lower = b | 0x20;
    // Bytes of non-ASCII characters count as letters; oneScript() vets them.
    if ((lower >= 0x61 && lower <= 0x7a) || b >= 0x80) { letters++; alnum++; }
    else if ((b >= 0x30 && b <= 0x39) || b === 0x20) alnum++;
  }
  return letters > 0 && alnum * 10 >= buf.length * 6;
}

/**
 * Coarse script of a non-ASCII code point: 1 Latin, 2 Greek/Cyrillic, 3 Hebrew,
 * 4 Arabic, 5 Indic, 6 Thai, 7 CJK (with kana and full-width forms), 8 Hangul,
 * 9 general punctuation; 0 for everything else (combining marks, symbols, rare
 * scripts), which real short strings seldom contain and random bytes often do.
 */
function scriptOf(cp: number): number {
  if (cp < 0x250) return 1;
  if (cp >= 0x370 && cp < 0x530) return 2;
  if (cp >= 0x590 && cp < 0x600) return 3;
  if (cp >= 0x600 && cp < 0x700) return 4;
  if (cp >= 0x900 && cp < 0xe00) return 5;
  if (cp >= 0xe00 && cp < 0xe80) return 6;
  if ((cp >= 0x3000 && cp < 0x3100) || (cp >= 0x3400 && cp < 0xa000) || (cp >= 0xff00 && cp < 0xfff0)) return 7;
  if (cp >= 0xac00 && cp < 0xd7b0) return 8;
  if (cp >= 0x2000 && cp < 0x2070) return 9;
  return 0;
}

/** Decoded strings up to this many bytes must keep to one script besides ASCII. */
const SHORT_SCRIPT_CHECK = 48;

/** Non-ASCII characters of a short decoded string all belong to one known script. */
function oneScript(s: string): boolean {
  let script = -1;
  for (let i = 0; i < s.length; i++) {
    const cp = s.charCodeAt(i);
    if (cp < 0x80) continue;
    const sc = scriptOf(cp);
    if (sc === 0) return false;
    if (sc === 9) continue;
    if (script === -1) script = sc;
    else if (script !== sc) return false;
  }
  return true;
}

/**
 * The bytes as a string if they pass the given strictness, else null. Loose text may
 * be cut in the middle of a UTF-8 sequence and may carry a few control characters;
 * loose bytes that are not UTF-8 but nearly all ASCII are read as Latin-1.
 */
export function bytesAsText(buf: Buffer, strictness: TextStrictness): string | null {
  const len = buf.length;
  if (len === 0) return strictness === 'field' ? '' : null;
  if (strictness === 'loose') {
    const end = completeUtf8Length(buf);
    const controls = countControls(buf, end);
    // Long texts may carry a stray control character; short ones may not.
    if (controls * 64 > len || (len < 64 && controls > 0)) return null;
    if (isUtf8(end === len ? buf : buf.subarray(0, end))) return buf.toString('utf8', 0, end);
    let high = 0;
    for (let i = 0; i < len; i++) if (buf[i] >= 0x80) high++;
    if (high * 16 > len) return null;
    return buf.toString('latin1');
  }
  if (!isUtf8(buf)) return null;
  if (countControls(buf, len) > 0) return null;
  if (strictness === 'decoded' && len < SHORT_DECODED && !looksLikeWords(buf)) return null;
  const text = buf.toString('utf8');
  if (strictness === 'decoded' && len <= SHORT_SCRIPT_CHECK && text.length !== len && !oneScript(text)) return null;
  return text;
}
