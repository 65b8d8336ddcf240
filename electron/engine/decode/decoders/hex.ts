/**
 * Hex strings. Hashes, colours and numeric IDs look like hex, so a candidate must be
 * long enough, of one letter case, and hold both digits and letters; the caller keeps
 * the decoding only if the bytes decode further or read as text.
 */

/** Shortest candidate: 8 decoded bytes (shorter hex is colours and short IDs). */
const MIN_HEX = 16;

/** True when `s` is a plausible hex encoding. */
export function looksLikeHex(s: string): boolean {
  const len = s.length;
  if (len < MIN_HEX || (len & 1) !== 0) return false;
  let digits = 0;
  let lower = 0;
  let upper = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c >= 0x61 && c <= 0x66) lower++;
    else if (c >= 0x41 && c <= 0x46) upper++;
    else return false;
  }
  // Every byte of ASCII text has a high nibble of 2 to 7, so its hex has digits; a
  // string of digits alone is a number, and mixed case is not what encoders write.
  return digits > 0 && (lower > 0) !== (upper > 0);
}

/** Decodes a string looksLikeHex accepted. */
export function decodeHex(s: string): Buffer {
  return Buffer.from(s, 'hex');
}
