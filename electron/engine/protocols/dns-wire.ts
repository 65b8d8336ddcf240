/**
 * DNS wire-format helpers shared by DNS, mDNS, LLMNR and NBNS: domain names with
 * compression pointers, and address formatting.
 *
 * Hostile names never throw. The part of a name that could not be read is replaced by
 * one marker label, appended after the labels read so far:
 *   `<loop>`       a compression pointer that does not point strictly backwards
 *                  (this also catches loops), or too many jumps;
 *   `<truncated>`  the name runs past the end of the message;
 *   `<bad-label>`  a label type other than 0x00/0xC0 (0x40 and 0x80 are reserved);
 *   `<too-long>`   the name exceeds 255 bytes on the wire.
 * For example a name "abc" whose terminating zero is missing reads as `abc.<truncated>`.
 */
import { isUtf8 } from 'node:buffer';

export const NAME_LOOP = '<loop>';
export const NAME_TRUNCATED = '<truncated>';
export const NAME_BAD_LABEL = '<bad-label>';
export const NAME_TOO_LONG = '<too-long>';

/** Upper bound on pointer jumps; the backwards rule already forbids loops, this bounds work. */
const MAX_JUMPS = 64;

/** A name's plain labels with their dots: at most 255 bytes on the wire, so at most 255 here. */
const NAME_BYTES = Buffer.allocUnsafe(256);

/**
 * Side results of the last `readName` call. A module-level slot instead of a returned
 * object keeps the per-name cost to the string itself.
 */
export const nameResult = {
  /** Offset just after the name in the original position (after the first pointer, if any). */
  end: 0,
  /** Human-readable problem, or null when the name was read cleanly. */
  error: null as string | null,
};

/** Read a possibly compressed domain name at `off`; see `nameResult` for its end and error. */
export function readName(msg: Buffer, off: number): string {
  let pos = off;
  let end = -1;
  // A pointer must target bytes strictly before the segment it is found in, which
  // makes every chain strictly decreasing and hence finite.
  let limit = off;
  let jumps = 0;
  let wireLen = 1;
  let name = '';
  /** Plain labels gathered since `name` was last extended, and how many labels so far. */
  let nameLen = 0;
  let labels = 0;
  let marker: string | null = null;
  let error: string | null = null;
  for (;;) {
    if (pos >= msg.length) {
      marker = NAME_TRUNCATED;
      error = `name at offset ${off} runs past the end of the message`;
      break;
    }
    const len = msg[pos];
    if (len === 0) {
      pos++;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= msg.length) {
        marker = NAME_TRUNCATED;
        error = `name at offset ${off} has a cut compression pointer`;
        break;
      }
      const target = ((len & 0x3f) << 8) | msg[pos + 1];
      if (end < 0) end = pos + 2;
      if (target >= limit || ++jumps > MAX_JUMPS) {
        marker = NAME_LOOP;
        error = `name at offset ${off} has a compression pointer to ${target} that does not point backwards (loop)`;
        break;
      }
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0) {
      marker = NAME_BAD_LABEL;
      error = `name at offset ${off} has a reserved label type 0x${len.toString(16)}`;
      break;
    }
    if (pos + 1 + len > msg.length) {
      marker = NAME_TRUNCATED;
      error = `name at offset ${off} has a label cut by the end of the message`;
      break;
    }
    wireLen += len + 1;
    if (wireLen > 255) {
      marker = NAME_TOO_LONG;
      error = `name at offset ${off} is longer than 255 bytes`;
      break;
    }
    // Plain ASCII labels (nearly all) are gathered as bytes and become text in one call.
    const from = pos + 1;
    const to = from + len;
    let w = labels > 0 ? nameLen + 1 : nameLen;
    let plain = true;
    for (let i = from; i < to; i++) {
      const c = msg[i];
      if (c < 0x20 || c > 0x7e || c === 0x2e || c === 0x5c) {
        plain = false;
        break;
      }
      NAME_BYTES[w++] = c;
    }
    if (plain) {
      if (labels > 0) NAME_BYTES[nameLen] = 0x2e;
      nameLen = w;
    } else {
      const label = labelText(msg, from, to);
      name = `${name}${nameText(nameLen)}${labels > 0 ? '.' : ''}${label}`;
      nameLen = 0;
    }
    labels++;
    pos = to;
  }
  if (nameLen > 0) name += nameText(nameLen);
  nameResult.end = end >= 0 ? end : marker === null ? pos : msg.length;
  nameResult.error = error;
  if (marker !== null) return labels === 0 ? marker : `${name}.${marker}`;
  return labels === 0 ? '.' : name;
}

/** Text of the label bytes gathered in NAME_BYTES[0, n) (printable ASCII only). */
function nameText(n: number): string {
  return n === 0 ? '' : NAME_BYTES.toString('latin1', 0, n);
}

/**
 * One label in presentation form. Printable ASCII and valid UTF-8 (mDNS instance
 * names) are kept as text; '.' and '\' are escaped; other bytes become \DDD.
 */
export function labelText(msg: Buffer, start: number, end: number): string {
  let plain = true;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const c = msg[i];
    if (c < 0x20 || c === 0x2e || c === 0x5c || c === 0x7f) {
      plain = false;
      break;
    }
    if (c > 0x7f) ascii = false;
  }
  if (plain && ascii) return msg.toString('latin1', start, end);
  if (plain && isUtf8(msg.subarray(start, end))) return msg.toString('utf8', start, end);
  let out = '';
  for (let i = start; i < end; i++) {
    const c = msg[i];
    if (c === 0x2e || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c < 0x20 || c >= 0x7f) out += `\\${c.toString().padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

/** Dotted-quad text of 4 bytes at `off`. */
export function ipv4Text(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text of 16 bytes at `off` (lower case, longest zero run of 2+ groups as '::'). */
export function ipv6Text(b: Buffer, off: number): string {
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = b[off + 2 * g] === 0 && b[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const runLen = g - runStart + 1;
      if (runLen > bestLen) {
        bestLen = runLen;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  // IPv4-mapped addresses read better with a dotted tail, as every tool prints them.
  if (bestStart === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return `::ffff:${ipv4Text(b, off + 12)}`;
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += ((b[off + 2 * g] << 8) | b[off + 2 * g + 1]).toString(16);
  }
  return out;
}

/** Lower-case hex of a byte range. */
export function hexText(b: Buffer, start: number, end: number): string {
  return b.toString('hex', start, end);
}
