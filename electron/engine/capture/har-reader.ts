/**
 * Streaming HAR reader: each element of log.entries becomes an HttpRecord and each
 * element of log.pages a HarPageRecord, without parsing the whole file at once.
 *
 * Choices:
 * - Grammar errors win over HAR-shape errors (a broken file is reported as broken
 *   JSON, with the byte where it broke); entries read before any error are kept.
 * - host and uri come from the URL text as recorded (no WHATWG normalisation, no IDN
 *   conversion), the fragment is dropped because it never goes on the wire.
 * - A response body absent from the HAR while content.size > 0 marks the record
 *   `truncated`: the body existed but was not saved.
 */
import type { HeaderList, HttpRecord, RecordSink } from '../records.ts';
import { nsFromIso } from '../util/time.ts';
import { JsonScanner, type JsonPath, type JsonScanHandler } from './json-scan.ts';

export interface HarSummary {
  /** Elements in log.entries (including any that were not objects). */
  entries: number;
  pages: number;
  /** "name version" of log.creator / log.browser. */
  creator: string | null;
  browser: string | null;
  /** log.version */
  version: string | null;
  /** Earliest and latest entry start (ns since epoch). */
  firstTs: bigint | null;
  lastTs: bigint | null;
  /** Most fractional-second digits seen in startedDateTime (3 for the usual milliseconds). */
  tsDigits: number;
  /** "invalid HAR: ..." when the file is broken or not a HAR; null when read fully. */
  error: string | null;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function nameVersion(v: unknown): string | null {
  const o = obj(v);
  if (o === null) return null;
  const s = [str(o.name) ?? '', str(o.version) ?? ''].filter((x) => x.length > 0).join(' ');
  return s.length > 0 ? s : null;
}

function headerList(v: unknown): HeaderList {
  const out: HeaderList = [];
  if (!Array.isArray(v)) return out;
  for (const h of v) {
    const o = obj(h);
    if (o === null) continue;
    const name = str(o.name);
    if (name === null) continue;
    const value = o.value;
    out.push([name, typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)]);
  }
  return out;
}

function bodyOf(text: string | null, encoding: unknown): Buffer | null {
  if (text === null) return null;
  return encoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

/** Digits after the decimal point of the seconds in an ISO date, 0 if none. */
function fractionDigits(iso: string): number {
  const t = iso.indexOf('T');
  const dot = iso.indexOf('.', t < 0 ? 0 : t);
  if (dot < 0) return 0;
  let n = 0;
  while (dot + 1 + n < iso.length) {
    const ch = iso.charCodeAt(dot + 1 + n);
    if (ch < 48 || ch > 57) break;
    n++;
  }
  return n;
}

export interface UrlParts {
  scheme: string;
  host: string | null;
  port: number | null;
  /** Path and query as sent in a request line ('/' when the URL has no path). */
  pathQuery: string;
}

/** Split a URL into the parts an HTTP request carries, without normalising them. */
export function splitUrl(url: string): UrlParts {
  const se = url.indexOf('://');
  if (se < 0) return { scheme: '', host: null, port: null, pathQuery: stripFragment(url) };
  const scheme = url.slice(0, se).toLowerCase();
  let ae = url.length;
  for (let i = se + 3; i < url.length; i++) {
    const ch = url.charCodeAt(i);
    if (ch === 0x2f || ch === 0x3f || ch === 0x23) { ae = i; break; }
  }
  const authority = url.slice(se + 3, ae);
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  let host: string;
  let portText = '';
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = close < 0 ? hostPort.slice(1) : hostPort.slice(1, close);
    if (close >= 0 && hostPort.charCodeAt(close + 1) === 0x3a) portText = hostPort.slice(close + 2);
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    if (colon >= 0) portText = hostPort.slice(colon + 1);
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : null;
  let pathQuery = stripFragment(url.slice(ae));
  if (!pathQuery.startsWith('/')) pathQuery = `/${pathQuery}`;
  return { scheme, host: host.length > 0 ? host.toLowerCase() : null, port, pathQuery };
}

function stripFragment(s: string): string {
  const h = s.indexOf('#');
  return h < 0 ? s : s.slice(0, h);
}

function defaultPort(scheme: string): number {
  if (scheme === 'https' || scheme === 'wss') return 443;
  if (scheme === 'http' || scheme === 'ws') return 80;
  return 0;
}

/**
 * Longest request phase believed, in ms: a week. HAR numbers are whatever the tool (or
 * a hand) wrote; beyond this a timing is not a measurement, and 1e303 would overflow
 * the nanosecond arithmetic.
 */
const MAX_TIMING_MS = 7 * 24 * 3600 * 1000;

/** Nanosecond timestamps are stored as 64-bit integers: 1677-09-21 to 2262-04-11. */
const MAX_NS = 2n ** 63n - 1n;

/** The ISO date as ns since the epoch; null with `why` when it is not a date or cannot be stored. */
function isoNs(v: unknown): { ts: bigint | null; why: string } {
  const ts = typeof v === 'string' ? nsFromIso(v) : null;
  if (ts === null) return { ts: null, why: `startedDateTime ${JSON.stringify(v ?? null)} is not a date` };
  if (ts > MAX_NS || ts < -MAX_NS) return { ts: null, why: `startedDateTime ${JSON.stringify(v)} is outside 1678-2262, the range of the stored times` };
  return { ts, why: '' };
}

function msToNs(ms: number): bigint {
  const ns = Math.round(ms * 1_000_000);
  return Number.isSafeInteger(ns) ? BigInt(ns) : 0n;
}

/** A byte count: a whole number from 0 to 2^53-1, else null (absent, -1, or absurd). */
function byteCount(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** True for a number that no honest byte count is (fractional, beyond 2^53, non-finite). */
function absurdSize(v: unknown): boolean {
  return typeof v === 'number' && v >= 0 && !Number.isSafeInteger(v);
}

class HarHandler implements JsonScanHandler {
  readonly sink: RecordSink;
  readonly input: number;
  readonly onEntry: (() => void) | undefined;
  entries = 0;
  pages = 0;
  creator: string | null = null;
  browser: string | null = null;
  version: string | null = null;
  firstTs: bigint | null = null;
  lastTs: bigint | null = null;
  tsDigits = 0;
  sawLog = false;
  sawEntries = false;
  logIsObject = false;
  entriesIsArray = false;
  pagesIsArray = false;
  shapeError: string | null = null;

  constructor(sink: RecordSink, input: number, onEntry: (() => void) | undefined) {
    this.sink = sink;
    this.input = input;
    this.onEntry = onEntry;
  }

  begin(path: JsonPath, first: number): boolean {
    const d = path.length;
    if (d === 0) {
      if (first !== 0x7b) this.shape('the top-level JSON value is not an object');
      return false;
    }
    if (path[0] !== 'log') return false;
    if (d === 1) {
      this.sawLog = true;
      this.logIsObject = first === 0x7b;
      if (!this.logIsObject) this.shape('"log" is not an object');
      return false;
    }
    if (!this.logIsObject) return false;
    const key = path[1];
    if (d === 2) {
      if (key === 'entries') {
        this.sawEntries = true;
        this.entriesIsArray = first === 0x5b;
        if (!this.entriesIsArray) this.shape('"log.entries" is not an array');
        return false;
      }
      if (key === 'pages') {
        this.pagesIsArray = first === 0x5b;
        return false;
      }
      return key === 'version' || key === 'creator' || key === 'browser';
    }
    if (d === 3 && typeof path[2] === 'number') {
      return (key === 'entries' && this.entriesIsArray) || (key === 'pages' && this.pagesIsArray);
    }
    return false;
  }

  value(path: JsonPath, v: unknown): void {
    const key = path[1];
    if (path.length === 2) {
      if (key === 'version') this.version = str(v);
      else if (key === 'creator') this.creator = nameVersion(v);
      else if (key === 'browser') this.browser = nameVersion(v);
      return;
    }
    const index = path[2] as number;
    if (key === 'entries') {
      this.entries++;
      this.entry(v, index);
      this.onEntry?.();
    } else {
      this.pages++;
      this.page(v, index);
    }
  }

  oversize(path: JsonPath, bytes: number): void {
    const what = path[1] === 'entries' ? 'entry' : path[1] === 'pages' ? 'page' : `log.${String(path[1])}`;
    if (what === 'entry') this.entries++;
    if (what === 'page') this.pages++;
    const index = path.length > 2 ? ` ${String(path[2])}` : '';
    this.anomaly(`${what}${index} is ${bytes} bytes, more than can be kept; skipped`);
  }

  private shape(msg: string): void {
    if (this.shapeError === null) this.shapeError = msg;
  }

  failed(path: JsonPath, error: unknown): void {
    const what = path.length < 3 ? `log.${String(path[1])}` : `${path[1] === 'entries' ? 'entry' : 'page'} ${String(path[2])}`;
    this.anomaly(`${what} could not be read (${error instanceof Error ? error.message : String(error)}); skipped`);
  }

  private anomaly(error: string): void {
    this.sink.anomaly({ input: this.input, frame: null, layer: 'har', error });
  }

  private page(v: unknown, index: number): void {
    const p = obj(v);
    if (p === null) {
      this.anomaly(`page ${index} is not an object; skipped`);
      return;
    }
    const { ts, why } = isoNs(p.startedDateTime);
    if (ts === null) this.anomaly(`page ${index}: ${why}`);
    this.sink.harPage({ input: this.input, pageId: str(p.id) ?? '', title: str(p.title) ?? '', ts: ts ?? 0n });
  }

  private entry(v: unknown, index: number): void {
    const e = obj(v);
    if (e === null) {
      this.anomaly(`entry ${index} is not an object; skipped`);
      return;
    }
    const req = obj(e.request) ?? {};
    const res = obj(e.response);
    const started = str(e.startedDateTime);
    const parsed = isoNs(e.startedDateTime);
    let ts = parsed.ts;
    if (ts === null) {
      this.anomaly(`entry ${index}: ${parsed.why}`);
      ts = 0n;
    } else {
      const digits = fractionDigits(started as string);
      if (digits > this.tsDigits) this.tsDigits = Math.min(9, digits);
      if (this.firstTs === null || ts < this.firstTs) this.firstTs = ts;
      if (this.lastTs === null || ts > this.lastTs) this.lastTs = ts;
    }
    const url = str(req.url) ?? '';
    const u = splitUrl(url);
    const post = obj(req.postData);
    const requestBody = post === null ? null : bodyOf(str(post.text), post.encoding);
    const reqBodySize = byteCount(req.bodySize);

    const content = res === null ? null : obj(res.content);
    const respText = content === null ? null : str(content.text);
    const responseBody = content === null ? null : bodyOf(respText, content.encoding);
    const resBodySize = res === null ? null : byteCount(res.bodySize);
    const contentSize = content === null ? null : byteCount(content.size);
    if (absurdSize(req.bodySize) || absurdSize(res?.bodySize) || absurdSize(content?.size)) {
      this.anomaly(`entry ${index}: a body size is not a whole number of bytes below 2^53; ignored`);
    }
    let status = res === null ? null : num(res.status);
    if (status !== null && !(Number.isInteger(status) && status >= 0 && status <= 999)) {
      this.anomaly(`entry ${index}: response status ${status} is not an HTTP status; ignored`);
      status = null;
    }

    let responseTs: bigint | null = null;
    if (res !== null && status !== null) {
      const t = obj(e.timings);
      let ms = 0;
      if (t !== null) {
        for (const k of ['blocked', 'dns', 'connect', 'send', 'wait']) {
          const x = num(t[k]);
          if (x === null || x <= 0) continue;
          if (x > MAX_TIMING_MS) {
            this.anomaly(`entry ${index}: timings.${k} of ${x} ms is beyond ${MAX_TIMING_MS} ms; ignored`);
            continue;
          }
          ms += x;
        }
      }
      responseTs = ts + msToNs(ms);
    }

    const ipText = str(e.serverIPAddress);
    let serverIp: string | null = null;
    if (ipText !== null && ipText.length > 0) {
      serverIp = ipText.startsWith('[') && ipText.endsWith(']') ? ipText.slice(1, -1) : ipText;
    }

    const rec: HttpRecord = {
      input: this.input,
      frame: null,
      entry: index,
      ts,
      srcIp: '',
      srcPort: 0,
      dstIp: serverIp ?? '',
      dstPort: u.port ?? defaultPort(u.scheme),
      method: str(req.method) ?? '',
      host: u.host,
      uri: u.pathQuery,
      version: str(req.httpVersion) ?? '',
      requestHeaders: headerList(req.headers),
      requestBody,
      requestBodySize: reqBodySize !== null && reqBodySize >= 0 ? reqBodySize : requestBody?.length ?? 0,
      status,
      reason: res === null ? null : str(res.statusText),
      responseHeaders: res === null ? null : headerList(res.headers),
      responseBody,
      responseBodySize: resBodySize !== null && resBodySize >= 0
        ? resBodySize
        : contentSize !== null && contentSize >= 0 ? contentSize : responseBody?.length ?? 0,
      responseFrame: null,
      responseTs,
      truncated: respText === null && contentSize !== null && contentSize > 0,
      source: 'har',
      serverIp,
    };
    this.sink.http(rec);
  }
}

/**
 * Read a HAR document from decoded chunks (a FileSource or any byte stream) into
 * `sink`. Never throws for bad input: the summary's `error` says what was wrong, and
 * entries read before it stay in the sink.
 */
export async function readHar(source: AsyncIterable<Buffer>, inputId: number, sink: RecordSink, onEntry?: () => void): Promise<HarSummary> {
  const h = new HarHandler(sink, inputId, onEntry);
  const scanner = new JsonScanner(h, 3);
  for await (const chunk of source) {
    scanner.push(chunk);
    if (scanner.error !== null) break;
  }
  const syntax = scanner.finish();
  let error: string | null = null;
  if (syntax !== null) error = `invalid HAR: ${syntax}`;
  else if (h.shapeError !== null) error = `invalid HAR: ${h.shapeError}`;
  else if (!h.sawLog) error = 'invalid HAR: no "log" object at the top level';
  else if (!h.sawEntries) error = 'invalid HAR: "log" has no "entries" array';
  return {
    entries: h.entries,
    pages: h.pages,
    creator: h.creator,
    browser: h.browser,
    version: h.version,
    firstTs: h.firstTs,
    lastTs: h.lastTs,
    tsDigits: h.tsDigits,
    error,
  };
}
