/**
 * URL forms for leak matching. A visited page can travel as `https://host/p?q=a+b`,
 * `host/p?q=a%20b`, `//host/p/` or percent-encoded inside another URL; they all reduce
 * to the same key: lower-case host without default port, percent-decoded path without
 * a trailing slash, and the query with '+' read as a space and percent-decoded. The
 * fragment never leaves the browser in a request line, so it is dropped.
 */

export interface UrlParts {
  /** 'http', 'https', or '' when the text had no scheme. */
  scheme: string;
  /** Lower-case host (IPv6 without brackets). */
  host: string;
  /** Port when not the scheme's default, else null. */
  port: number | null;
  /** Path as written ('' when absent). */
  path: string;
  /** Query without '?', as written ('' when absent). */
  query: string;
}

/** Percent-decoding that never throws: invalid UTF-8 sequences are left encoded. */
export function safeDecode(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%[0-7][0-9a-f]/gi, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
  }
}

const HOST_CHAR = /^[a-z0-9.-]+$/;

/**
 * Read `text` as a URL: http(s)://…, //host/…, or, with `bare`, host.tld/… without a
 * scheme. Null when it is not one. Only the whole text is read (no search inside it).
 */
export function parseUrlLike(text: string, bare = false): UrlParts | null {
  const t = text.trim();
  if (t.length < 4 || t.length > 8192) return null;
  let rest: string;
  let scheme = '';
  const c0 = t.charCodeAt(0) | 0x20;
  if (c0 === 0x68 && /^https?:\/\//i.test(t)) {
    const i = t.indexOf('://');
    scheme = t.slice(0, i).toLowerCase();
    rest = t.slice(i + 3);
  } else if (t.startsWith('//')) {
    rest = t.slice(2);
  } else if (bare && t.indexOf('.') > 0) {
    rest = t;
  } else {
    return null;
  }
  if (/\s/.test(rest)) return null;
  let end = rest.length;
  for (const ch of ['/', '?', '#']) {
    const i = rest.indexOf(ch);
    if (i !== -1 && i < end) end = i;
  }
  let authority = rest.slice(0, end);
  const tail = rest.slice(end);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  let host: string;
  let port: number | null = null;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) return null;
    host = authority.slice(1, close).toLowerCase();
    const p = authority.slice(close + 1);
    if (p.startsWith(':')) port = Number(p.slice(1));
  } else {
    const colon = authority.indexOf(':');
    host = (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase();
    if (colon !== -1) port = Number(authority.slice(colon + 1));
    if (host.endsWith('.')) host = host.slice(0, -1);
    if (!HOST_CHAR.test(host) || host.startsWith('.') || host.startsWith('-') || host.includes('..')) return null;
    // Without a scheme only a dotted name with a letter top-level label counts (not "1.5/2").
    if (scheme === '' && !/\.[a-z][a-z0-9-]*[a-z0-9]$/.test(host)) return null;
  }
  if (host.length === 0) return null;
  if (port !== null && (!Number.isInteger(port) || port <= 0 || port > 65535)) return null;
  if ((port === 80 && scheme !== 'https') || (port === 443 && scheme !== 'http')) port = null;
  const hash = tail.indexOf('#');
  const noFrag = hash === -1 ? tail : tail.slice(0, hash);
  const q = noFrag.indexOf('?');
  return {
    scheme,
    host,
    port,
    path: q === -1 ? noFrag : noFrag.slice(0, q),
    query: q === -1 ? '' : noFrag.slice(q + 1),
  };
}

function hostPort(u: UrlParts): string {
  return u.port === null ? u.host : `${u.host}:${u.port}`;
}

function normPath(path: string): string {
  let p = safeDecode(path);
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

function normQuery(query: string): string {
  return query.length === 0 ? '' : safeDecode(query.replaceAll('+', ' '));
}

/** Key of host, path and query: equal for every spelling of the same request target. */
export function urlKey(u: UrlParts): string {
  const q = normQuery(u.query);
  return q.length > 0 ? `${hostPort(u)}${normPath(u.path)}?${q}` : `${hostPort(u)}${normPath(u.path)}`;
}

/** Key of host and path only (the page without its query). */
export function urlPathKey(u: UrlParts): string {
  return `${hostPort(u)}${normPath(u.path)}`;
}

/** True when the path is the site root: such a URL says no more than the host. */
export function isRootOnly(u: UrlParts): boolean {
  return normPath(u.path) === '' && normQuery(u.query) === '';
}

/** A URL to show: scheme (https when unknown), host, path and query as written. */
export function displayUrl(u: UrlParts): string {
  const scheme = u.scheme === '' ? 'https' : u.scheme;
  const host = u.host.includes(':') ? `[${u.host}]` : u.host;
  const port = u.port === null ? '' : `:${u.port}`;
  const path = u.path === '' ? '/' : u.path;
  return `${scheme}://${host}${port}${path}${u.query.length > 0 ? `?${u.query}` : ''}`;
}

/** Characters that end a URL written inside text (RFC 3986 excluded characters and quotes). */
function endsUrl(c: number): boolean {
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x5c || c === 0x5e
    || c === 0x60 || c === 0x7b || c === 0x7c || c === 0x7d || c === 0x7f;
}

export interface UrlInText {
  start: number;
  end: number;
  url: UrlParts;
}

/** Every http(s):// URL written inside `text`, with its position. */
export function urlsInText(text: string, max = 64): UrlInText[] {
  const out: UrlInText[] = [];
  if (text.indexOf('://') === -1) return out;
  let from = 0;
  while (out.length < max) {
    const i = indexOfHttp(text, from);
    if (i === -1) break;
    let e = i;
    while (e < text.length && !endsUrl(text.charCodeAt(e))) e++;
    while (e > i && '.,;:!?'.includes(text[e - 1])) e--;
    const u = parseUrlLike(text.slice(i, e));
    if (u !== null) out.push({ start: i, end: e, url: u });
    from = Math.max(e, i + 4);
  }
  return out;
}

/** Next 'http://' or 'https://' (any case) at or after `from`. */
function indexOfHttp(text: string, from: number): number {
  for (let i = from; i < text.length - 7; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c !== 0x68) continue;
    if ((text.charCodeAt(i + 1) | 0x20) !== 0x74 || (text.charCodeAt(i + 2) | 0x20) !== 0x74 || (text.charCodeAt(i + 3) | 0x20) !== 0x70) continue;
    let j = i + 4;
    if ((text.charCodeAt(j) | 0x20) === 0x73) j++;
    if (text.charCodeAt(j) === 0x3a && text.charCodeAt(j + 1) === 0x2f && text.charCodeAt(j + 2) === 0x2f) return i;
  }
  return -1;
}

/** True when `text` holds a percent-encoded URL ('http%3A%2F%2F', any case). */
export function hasEncodedUrl(text: string): boolean {
  const i = text.indexOf('%3');
  return i !== -1 && /https?%3a%2f%2f/i.test(text);
}

function isHostChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
}

/** Calls `fn` with every dotted name-like token in `text` (lower-case) and its position. */
export function forEachHostToken(text: string, fn: (host: string, start: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isHostChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let s = i;
    let dot = false;
    let letter = false;
    while (i < n && isHostChar(text.charCodeAt(i))) {
      const c = text.charCodeAt(i) | 0x20;
      if (c === 0x2e) dot = true;
      else if (c >= 0x61 && c <= 0x7a) letter = true;
      i++;
    }
    let e = i;
    while (s < e && (text.charCodeAt(s) === 0x2e || text.charCodeAt(s) === 0x2d)) s++;
    while (e > s && (text.charCodeAt(e - 1) === 0x2e || text.charCodeAt(e - 1) === 0x2d)) e--;
    if (dot && letter && e - s >= 4) fn(text.slice(s, e).toLowerCase(), s);
  }
}

export interface WordToken {
  t: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-case words (letters and digits) of `text` with their positions; '+', '%20', punctuation separate. */
export function wordTokens(text: string, max = 20000): WordToken[] {
  const out: WordToken[] = [];
  // ASCII text (nearly every payload) without the Unicode regex, which costs more per character.
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (!ascii) {
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null && out.length < max; m = WORD.exec(text)) {
      out.push({ t: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
    }
    return out;
  }
  let start = -1;
  for (let i = 0; i <= text.length && out.length < max; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const word = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (word) {
      if (start === -1) start = i;
    } else if (start !== -1) {
      out.push({ t: text.slice(start, i).toLowerCase(), start, end: i });
      start = -1;
    }
  }
  return out;
}

