/**
 * HTTP/1.x message heads: byte-level tests for request and status lines (used by the
 * heuristic and for resynchronisation after gaps), finding the end of a header block,
 * and parsing it into a start line and an ordered header list. Tolerant of bare LF
 * line ends, obs-fold continuation lines and spaces inside the request-target.
 */
import { isUtf8 } from 'node:buffer';
import type { HeaderList } from '../records.ts';

/** Tri-state answer of the line tests. */
export const NO = -1;
export const NEED_MORE = 0;
export const MATCH = 1;

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const MAX_METHOD = 24;
/** Longest request-target the strict line test waits for before giving up. */
const MAX_TARGET = 64 * 1024;

/** Methods the strict test accepts: RFC 9110, WebDAV, CalDAV and a few common extensions. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT',
  'MKCALENDAR', 'MKACTIVITY', 'CHECKOUT', 'CHECKIN', 'MERGE', 'VERSION-CONTROL', 'UPDATE',
  'LABEL', 'BASELINE-CONTROL', 'MKWORKSPACE', 'ORDERPATCH', 'ACL', 'BIND', 'REBIND', 'UNBIND',
  'LINK', 'UNLINK', 'PURGE', 'SUBSCRIBE', 'UNSUBSCRIBE', 'NOTIFY', 'POLL', 'BMOVE', 'BDELETE',
]);

function isMethodChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f;
}

/**
 * Whether `buf` at `pos` starts with a method token and a space. Cheap first test at a
 * message boundary so that non-HTTP bytes are not buffered while waiting for a head.
 */
export function methodPrefixState(buf: Buffer, pos: number): number {
  const n = buf.length;
  let i = pos;
  while (i < n && i - pos <= MAX_METHOD && isMethodChar(buf[i])) i++;
  if (i - pos > MAX_METHOD) return NO;
  if (i === n) return NEED_MORE;
  return i > pos && buf[i] === SP ? MATCH : NO;
}

/** Compare `buf` at `pos` with ASCII `lit`: MATCH, NO, or NEED_MORE when cut short. */
function literalState(buf: Buffer, pos: number, lit: string): number {
  for (let k = 0; k < lit.length; k++) {
    if (pos + k >= buf.length) return NEED_MORE;
    if (buf[pos + k] !== lit.charCodeAt(k)) return NO;
  }
  return MATCH;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Strict request-line test: method SP request-target SP "HTTP/1." digit. With
 * `knownOnly`, the method must be in KNOWN_METHODS (used by the heuristic and resync).
 */
export function requestLineState(buf: Buffer, pos: number, knownOnly: boolean): number {
  const n = buf.length;
  let i = pos;
  while (i < n && i - pos <= MAX_METHOD && isMethodChar(buf[i])) i++;
  if (i - pos > MAX_METHOD || i === pos) return i === n ? NEED_MORE : NO;
  if (i === n) return NEED_MORE;
  if (buf[i] !== SP) return NO;
  if (knownOnly && !KNOWN_METHODS.has(buf.toString('latin1', pos, i))) return NO;
  let j = i + 1;
  const t = j;
  while (j < n && buf[j] > SP && buf[j] !== 0x7f) {
    j++;
    if (j - t > MAX_TARGET) return NO;
  }
  if (j === n) return NEED_MORE;
  if (j === t || buf[j] !== SP) return NO;
  const lit = literalState(buf, j + 1, 'HTTP/1.');
  if (lit !== MATCH) return lit;
  if (j + 8 >= n) return NEED_MORE;
  return isDigit(buf[j + 8]) ? MATCH : NO;
}

/** Strict status-line test: "HTTP/" digit "." digit SP three digits. */
export function statusLineState(buf: Buffer, pos: number): number {
  const lit = literalState(buf, pos, 'HTTP/');
  if (lit !== MATCH) return lit;
  const n = buf.length;
  // '0' stands for any digit: "HTTP/" then "1.1 200".
  const pattern = '0.0 000';
  for (let k = 0; k < pattern.length; k++) {
    const p = pos + 5 + k;
    if (p >= n) return NEED_MORE;
    const want = pattern.charCodeAt(k);
    if (want === 0x30 ? !isDigit(buf[p]) : buf[p] !== want) return NO;
  }
  return MATCH;
}

/**
 * Offset just past the blank line that ends the head starting at `from`, or -1 if the
 * buffer does not hold it yet. Accepts CRLF and bare LF line ends.
 */
export function findHeadEnd(buf: Buffer, from: number): number {
  const n = buf.length;
  let i = buf.indexOf(LF, from);
  while (i >= 0) {
    const next = i + 1;
    if (next >= n) return -1;
    if (buf[next] === LF) return next + 1;
    if (buf[next] === CR) {
      if (next + 1 >= n) return -1;
      if (buf[next + 1] === LF) return next + 2;
    }
    i = buf.indexOf(LF, next);
  }
  return -1;
}

/** Header bytes as text: UTF-8 when valid, else Latin-1 so no byte is lost. */
export function headText(buf: Buffer, start: number, end: number): string {
  return isUtf8(buf.subarray(start, end)) ? buf.toString('utf8', start, end) : buf.toString('latin1', start, end);
}

export interface ParsedHead {
  startLine: string;
  headers: HeaderList;
  /** Header lines that had no colon (kept out of `headers`). */
  badLines: number;
}

/**
 * Split a head (start line + header lines) into its start line and headers. Lines end
 * at LF (one CR before it dropped); the head ends at the first empty line; a line that
 * starts with a space or tab continues the previous header's value (obs-fold); names
 * and values are trimmed as String#trim trims. One pass with offsets instead of
 * splitting into lines and trimming copies: heads are a third of what the dissector
 * allocates on real web traffic.
 */
export function parseHead(text: string): ParsedHead {
  const headers: HeaderList = [];
  let badLines = 0;
  const n = text.length;
  let nl = text.indexOf('\n');
  const startLine = text.slice(0, withoutCr(text, 0, nl < 0 ? n : nl));
  // The next colon at or after the current line (n: none left). Kept across lines, so a
  // head of many lines without a colon is searched once, not once per line.
  let colonAt = -1;
  while (nl >= 0) {
    const from = nl + 1;
    nl = text.indexOf('\n', from);
    const end = withoutCr(text, from, nl < 0 ? n : nl);
    if (end === from) break;
    const c0 = text.charCodeAt(from);
    if ((c0 === 0x20 || c0 === 0x09) && headers.length > 0) {
      // obs-fold: a continuation of the previous header's value.
      const last = headers[headers.length - 1];
      last[1] = `${last[1]} ${trimmed(text, from, end)}`.trim();
      continue;
    }
    if (colonAt < from) {
      const c = text.indexOf(':', from);
      colonAt = c < 0 ? n : c;
    }
    const colon = colonAt;
    if (colon >= end || colon === from) {
      badLines++;
      continue;
    }
    headers.push([trimmed(text, from, colon), trimmed(text, colon + 1, end)]);
  }
  return { startLine, headers, badLines };
}

/** End of the line [from, end) without one trailing CR. */
function withoutCr(s: string, from: number, end: number): number {
  return end > from && s.charCodeAt(end - 1) === CR ? end - 1 : end;
}

/** Whether String#trim might remove this character (a few non-spaces included: trim decides). */
function maybeSpace(c: number): boolean {
  return c <= 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
    || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** s.slice(from, end).trim(), without the intermediate copy in the usual case (at most single spaces to drop). */
function trimmed(s: string, from: number, end: number): string {
  if (from < end && s.charCodeAt(from) === 0x20) from++;
  if (from < end && (maybeSpace(s.charCodeAt(from)) || maybeSpace(s.charCodeAt(end - 1)))) return s.slice(from, end).trim();
  return s.slice(from, end);
}

export interface RequestLine {
  method: string;
  uri: string;
  /** 'HTTP/1.1', 'HTTP/1.0', or 'HTTP/0.9' for a simple request without version. */
  version: string;
}

/**
 * Parse a request line. The method runs to the first space and the version follows
 * the last one, so spaces a sloppy client left inside the target are kept in `uri`.
 */
export function parseRequestLine(line: string): RequestLine | null {
  const first = line.indexOf(' ');
  if (first <= 0) return null;
  const method = line.slice(0, first);
  const rest = line.slice(first + 1).trim();
  const last = rest.lastIndexOf(' ');
  if (last > 0 && rest.startsWith('HTTP/', last + 1)) {
    const uri = rest.slice(0, last).trim();
    return uri.length > 0 ? { method, uri, version: rest.slice(last + 1) } : null;
  }
  if (rest.length > 0 && !rest.includes(' ')) return { method, uri: rest, version: 'HTTP/0.9' };
  return null;
}

export interface StatusLine {
  version: string;
  status: number;
  reason: string;
}

/** Parse "HTTP/1.1 200 OK" (the reason may be empty or missing). */
export function parseStatusLine(line: string): StatusLine | null {
  if (!line.startsWith('HTTP/')) return null;
  const sp = line.indexOf(' ');
  if (sp < 0) return null;
  const code = line.slice(sp + 1, sp + 4);
  if (code.length !== 3 || !/^\d{3}$/.test(code)) return null;
  return { version: line.slice(0, sp), status: Number(code), reason: line.slice(sp + 4).trim() };
}

/** First value of header `name` (lower case), or null. */
export function headerValue(headers: HeaderList, name: string): string | null {
  for (const [k, v] of headers) if (k.length === name.length && k.toLowerCase() === name) return v;
  return null;
}

/** All values of header `name` (lower case) joined by ', ', as RFC 9110 allows for lists. */
export function headerList(headers: HeaderList, name: string): string | null {
  let out: string | null = null;
  for (const [k, v] of headers) {
    if (k.length === name.length && k.toLowerCase() === name) out = out === null ? v : `${out}, ${v}`;
  }
  return out;
}

/** Host without port and brackets, lower case; null when empty. */
export function hostFromAuthority(authority: string): string | null {
  let a = authority.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at >= 0) a = a.slice(at + 1);
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    a = close > 0 ? a.slice(1, close) : a.slice(1);
  } else {
    const colon = a.indexOf(':');
    if (colon >= 0 && a.indexOf(':', colon + 1) < 0) a = a.slice(0, colon);
  }
  return a.length > 0 ? a : null;
}

/** Host of an absolute-URI request-target ("http://host:port/path"), or null. */
export function hostFromAbsoluteUri(uri: string): string | null {
  const scheme = uri.indexOf('://');
  if (scheme <= 0 || scheme > 10) return null;
  const start = scheme + 3;
  let end = uri.length;
  for (const sep of ['/', '?', '#']) {
    const k = uri.indexOf(sep, start);
    if (k >= 0 && k < end) end = k;
  }
  return hostFromAuthority(uri.slice(start, end));
}
