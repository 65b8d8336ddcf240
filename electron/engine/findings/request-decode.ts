/**
 * What an outgoing HTTP request carried, as decoded leaves: the query string, the body
 * (with its Content-Type as a hint), cookies one by one, and the headers that can carry
 * data (custom X-* headers, headers named like identifiers, Referer, Authorization).
 * Standard protocol headers (Accept, Cache-Control, Sec-*, …) say nothing about the
 * user and are skipped. Every leaf keeps the chain that led to it, prefixed with its
 * header or cookie ('cookie:_ga → …', 'header:x-device-id'); query and body chains
 * start with the decoder's own first step ('query:q', 'form:data_list → …').
 */
import { decodePayload, STEP_SEPARATOR as SEP } from '../decode/decode-tree.ts';
import type { DecodeLimits } from '../decode/types.ts';
import { headerKey, keyRule } from '../correlate/identifiers.ts';
import { KeyedMemo } from './memo.ts';

export type FieldWhere = 'query' | 'body' | 'header' | 'cookie';

export interface RequestLeaf {
  chain: string;
  /** Nearest key name (JSON property, form field, cookie or header name), or null. */
  key: string | null;
  value: string;
  where: FieldWhere;
  /** Lower-case header name for header leaves (e.g. 'referer', 'authorization'). */
  header: string | null;
}

export interface RequestDecodeAnomaly {
  chain: string;
  where: FieldWhere;
  error: string;
}

export interface DecodedRequest {
  leaves: RequestLeaf[];
  anomalies: RequestDecodeAnomaly[];
}

export interface RequestInput {
  uri: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer | null;
}

/** Headers of the protocol itself: never user data. */
const SKIP_HEADERS = new Set([
  'host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'accept-charset', 'connection', 'keep-alive',
  'content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'cache-control', 'pragma', 'expires',
  'if-none-match', 'if-match', 'if-modified-since', 'if-unmodified-since', 'if-range', 'range', 'te', 'trailer',
  'upgrade', 'upgrade-insecure-requests', 'origin', 'dnt', 'priority', 'purpose', 'via', 'expect', 'max-forwards',
  'x-requested-with', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip',
  'x-frame-options', 'x-content-type-options', 'x-xss-protection', 'x-csrf-token', 'x-xsrf-token', 'x-http-method-override',
  'proxy-connection', 'alt-used', 'save-data', 'downlink', 'ect', 'rtt', 'viewport-width', 'device-memory', 'dpr', 'width',
]);

/** Authorization-like headers: decoded for identifiers, but their values are never shown in summaries. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);

/** Cookies per request that are decoded one by one; past it the rest is one field. */
const MAX_COOKIES = 200;
/** Bodies larger than this are not decoded (an anomaly says so). */
export const MAX_DECODED_BODY = 16 * 1024 * 1024;

/** First value of header `name` (given in lower case), or null. */
export function headerValue(headers: RequestInput['headers'], name: string): string | null {
  for (const [n, v] of headers) if (n.toLowerCase() === name) return v;
  return null;
}

function wanted(name: string): boolean {
  if (SKIP_HEADERS.has(name) || name.startsWith('sec-') || name.startsWith(':')) return false;
  if (name === 'cookie' || name === 'referer' || SECRET_HEADERS.has(name)) return true;
  if (name.startsWith('x-')) return true;
  return keyRule(headerKey(name)) !== null;
}

/** Query strings, header and cookie values longer than this are decoded afresh every time (not remembered). */
const MEMO_MAX_VALUE = 4096;

/**
 * Decoded query strings, header and cookie fields of earlier requests, by field and
 * value. A client sends the same cookies and identifier headers with every request, apps
 * poll the same URLs, and decoding is a pure function of the value, so a pass over many
 * requests decodes each distinct one once. The leaves handed out are shared between
 * requests: callers must not change them. Use one memo with one set of limits.
 */
export class FieldMemo {
  private readonly fields = new KeyedMemo<DecodedRequest>();

  /** The decoded `value` of the field named by `memoKey`, or null. */
  get(memoKey: string, value: string): DecodedRequest | null {
    return this.fields.get(memoKey, value) ?? null;
  }

  /** Remember a decoded field; what it holds counts against the memory budget, besides its keys. */
  set(memoKey: string, value: string, decoded: DecodedRequest): void {
    let weight = memoKey.length + value.length;
    for (const l of decoded.leaves) weight += l.value.length + l.chain.length;
    this.fields.set(memoKey, value, decoded, weight);
  }
}

/** Decode one field and append its leaves (chains prefixed) and anomalies. */
function field(out: DecodedRequest, input: string | Buffer, where: FieldWhere, prefix: string, key: string | null,
  header: string | null, limits: DecodeLimits | undefined, hint?: { contentType?: string; name?: string }): void {
  const r = decodePayload(input, limits, hint);
  for (const l of r.leaves()) {
    let chain: string;
    if (prefix.length === 0) chain = l.chain.length > 0 ? l.chain : where;
    else chain = l.chain.length > 0 ? prefix + SEP + l.chain : prefix;
    out.leaves.push({ chain, key: l.key ?? key, value: l.value, where, header });
  }
  for (const a of r.anomalies) {
    const chain = prefix.length === 0 ? (a.chain.length > 0 ? a.chain : where) : a.chain.length > 0 ? prefix + SEP + a.chain : prefix;
    out.anomalies.push({ chain, where, error: a.error });
  }
}

/**
 * A string field through `memo` when there is one: `memoKey` must name everything the
 * leaves depend on besides the value (where, prefix, key, header and hint).
 */
function memoField(out: DecodedRequest, memo: FieldMemo | undefined, memoKey: string, value: string, where: FieldWhere, prefix: string,
  key: string | null, header: string | null, limits: DecodeLimits | undefined, hint?: { name: string }): void {
  if (memo === undefined || value.length > MEMO_MAX_VALUE) {
    field(out, value, where, prefix, key, header, limits, hint);
    return;
  }
  let one = memo.get(memoKey, value);
  if (one === null) {
    one = { leaves: [], anomalies: [] };
    field(one, value, where, prefix, key, header, limits, hint);
    memo.set(memoKey, value, one);
  }
  for (const l of one.leaves) out.leaves.push(l);
  for (const a of one.anomalies) out.anomalies.push(a);
}

/**
 * Memo key of a header or cookie field, without the value. Header name and key follow
 * from the prefix ('header:x-id', 'cookie:sid'), except that an unnamed cookie
 * ('cookie:#2', key null) shares its prefix with a cookie named '#2'. Query strings
 * use 'q:', which no prefix key starts with.
 */
function namedKey(prefix: string, key: string | null): string {
  return `${key === null ? 'n' : 'k'}${prefix.length}:${prefix}`;
}

/**
 * Decode what a request sent: query string, body, cookies and data-carrying headers.
 * `memo` (same limits on every call) saves decoding a query string, header or cookie
 * value again. `headerFields`, when given, is decodeHeaderFields of the same headers
 * with the same limits (a caller that sees the same headers again keeps it).
 */
export function decodeRequest(req: RequestInput, limits?: DecodeLimits, memo?: FieldMemo, headerFields?: DecodedRequest): DecodedRequest {
  const out: DecodedRequest = { leaves: [], anomalies: [] };
  const q = req.uri.indexOf('?');
  if (q !== -1) {
    const hash = req.uri.indexOf('#', q);
    const query = req.uri.slice(q + 1, hash === -1 ? undefined : hash);
    if (query.length > 0) memoField(out, memo, 'q:', query, 'query', '', null, null, limits, { name: 'query' });
  }
  if (req.body !== null && req.body.length > 0) {
    if (req.body.length > MAX_DECODED_BODY) {
      out.anomalies.push({ chain: 'body', where: 'body', error: `request body of ${req.body.length} bytes not decoded (over ${MAX_DECODED_BODY})` });
    } else {
      const ct = headerValue(req.headers, 'content-type') ?? undefined;
      field(out, req.body, 'body', '', null, null, limits, ct !== undefined ? { contentType: ct } : undefined);
    }
  }
  const h = headerFields ?? decodeHeaderFields(req.headers, limits, memo);
  for (const l of h.leaves) out.leaves.push(l);
  for (const a of h.anomalies) out.anomalies.push(a);
  return out;
}

/** The cookies and data-carrying headers of a request, decoded: the part of decodeRequest that depends on the headers alone. */
export function decodeHeaderFields(headers: RequestInput['headers'], limits?: DecodeLimits, memo?: FieldMemo): DecodedRequest {
  const out: DecodedRequest = { leaves: [], anomalies: [] };
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (!wanted(name) || value.length === 0) continue;
    if (name === 'cookie') {
      cookies(out, value, limits, memo);
      continue;
    }
    let v = value;
    if (SECRET_HEADERS.has(name)) {
      // The scheme word is not data; what follows is (Basic base64, a Bearer JWT, …).
      const sp = v.indexOf(' ');
      if (sp > 0) v = v.slice(sp + 1).trim();
    }
    // The conventional 'x-' prefix is not part of the key: X-Device-Id is a device_id.
    const prefix = `header:${name}`;
    const key = name.startsWith('x-') ? name.slice(2) : name;
    memoField(out, memo, namedKey(prefix, key), v, 'header', prefix, key, name, limits);
  }
  return out;
}

function cookies(out: DecodedRequest, header: string, limits: DecodeLimits | undefined, memo: FieldMemo | undefined): void {
  const pairs = header.split(';');
  let n = 0;
  for (const p of pairs) {
    const eq = p.indexOf('=');
    const name = (eq === -1 ? '' : p.slice(0, eq)).trim();
    let value = (eq === -1 ? p : p.slice(eq + 1)).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value.length === 0) continue;
    if (++n > MAX_COOKIES) {
      out.anomalies.push({ chain: 'header:cookie', where: 'cookie', error: `more than ${MAX_COOKIES} cookies; the rest not decoded` });
      return;
    }
    const label = name.length > 0 ? name : `#${n}`;
    const prefix = `cookie:${label}`;
    const key = name.length > 0 ? name : null;
    memoField(out, memo, namedKey(prefix, key), value, 'cookie', prefix, key, 'cookie', limits);
  }
}
