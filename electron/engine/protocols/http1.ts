/**
 * HTTP/1.x over TCP. Requests are parsed from the client direction and responses from
 * the server direction, paired in order (pipelining), with Content-Length, chunked
 * (with trailers) and read-until-close bodies, then Content-Encoding decoded under a
 * size cap. One HttpRecord per request, emitted once both sides are complete or when
 * the connection ends (status null when no response was seen).
 *
 * Gaps: a gap inside a Content-Length body is skipped in place (the framing is still
 * known); anywhere else the current message is finished as truncated and the parser
 * resynchronises on the next line that is a strict request or status line.
 * CONNECT (2xx) and 101 Switching Protocols end parsing: what follows is a tunnel.
 * An HTTP/0.9 simple request ("GET /path" without version), accepted only as the first
 * request of a connection, takes the whole server stream as its response body.
 */
import type { HeaderList, HttpRecord, RecordSink } from '../records.ts';
import { toNs } from '../util/time.ts';
import { cappedAnomaly } from './anomaly-cap.ts';
import { hash } from 'node:crypto';
import { decodableCodings, decodeContent, isMediaType, MEDIA_KEEP_BYTES, parseCodings } from './http-body.ts';
import {
  findHeadEnd,
  headerList,
  headerValue,
  headText,
  hostFromAbsoluteUri,
  hostFromAuthority,
  MATCH,
  methodPrefixState,
  NEED_MORE,
  NO,
  parseHead,
  parseRequestLine,
  parseStatusLine,
  requestLineState,
  statusLineState,
} from './http-head.ts';
import {
  registerTcpProtocol,
  type StreamChunkMeta,
  type StreamDir,
  type TcpConversation,
  type TcpProtocol,
  type TcpStreamHandler,
} from './types.ts';

/** Transfer-decoded bytes kept per body (the size keeps counting beyond it). */
export const RAW_BODY_CAP = 8 * 1024 * 1024;
/** Largest head (start line + headers) waited for before calling it malformed. */
const HEAD_CAP = 64 * 1024;
/** Longest chunk-size or trailer line. */
const LINE_CAP = 8 * 1024;
/** Server bytes buffered while no request is known yet (response seen before request). */
const WAIT_CAP = 64 * 1024;
/**
 * Exchanges, and body bytes, kept waiting for their other half before the oldest is
 * emitted anyway (e.g. a capture that holds only the client side of a connection).
 */
const QUEUE_CAP = 16;
const HELD_BYTES_CAP = 32 * 1024 * 1024;

const CR = 0x0d;
const LF = 0x0a;

// Parser states of one direction.
const S_HEAD = 0;
const S_BODY_LEN = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_DATA = 3;
const S_CHUNK_END = 4;
const S_TRAILERS = 5;
const S_CLOSE = 6;
const S_RESYNC = 7;
const S_WAIT = 8;
const S_STOPPED = 9;

interface Exchange {
  hasRequest: boolean;
  frame: number;
  tsSec: number;
  tsNsec: number;
  method: string;
  uri: string;
  version: string;
  host: string | null;
  requestHeaders: HeaderList;
  requestBody: Buffer | null;
  requestBodySize: number;
  reqDone: boolean;
  hasResponse: boolean;
  status: number | null;
  reason: string | null;
  responseHeaders: HeaderList | null;
  responseBody: Buffer | null;
  responseBodyEncoding: string | null;
  responseBodySha256: string | null;
  responseBodySize: number;
  respFrame: number | null;
  respTsSec: number;
  respTsNsec: number;
  respDone: boolean;
  truncated: boolean;
  emitted: boolean;
}

function newExchange(): Exchange {
  return {
    hasRequest: false, frame: 0, tsSec: 0, tsNsec: 0, method: '', uri: '', version: '', host: null,
    requestHeaders: [], requestBody: null, requestBodySize: 0, reqDone: false,
    hasResponse: false, status: null, reason: null, responseHeaders: null, responseBody: null,
    responseBodyEncoding: null, responseBodySha256: null, responseBodySize: 0, respFrame: null, respTsSec: 0, respTsNsec: 0, respDone: false,
    truncated: false, emitted: false,
  };
}

/** Largest Content-Length body given one buffer up front (saves the per-segment copies and the final concat). */
const PREALLOC_MAX = 1024 * 1024;

/**
 * Reused buffers for the bodies that are hashed and then dropped (pictures, sound,
 * video, fonts: see http-body.ts, what the case keeps). Real web traffic carries some
 * 600 MB of them per GB; a new buffer for each made V8 run a full garbage collection
 * every 40 MB or so of them (it counts buffer memory towards its heap limits), which
 * cost the dissect worker more than the hashing. Sizes are rounded up to eighths of
 * the next power of two (a body held while it arrives takes at most a quarter more
 * than its length, where whole powers of two took up to twice); free buffers are kept
 * up to POOL_FREE_CAP bytes, by size.
 */
const POOL_FREE_CAP = 16 * 1024 * 1024;

/** The size of the pooled buffer for a body of `n` bytes: n rounded up to an eighth of the power of two at or above it. */
export function pooledBodySize(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  const step = Math.max(1, p / 8);
  return Math.ceil(n / step) * step;
}

class BodyPool {
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;

  /** A buffer of at least `n` bytes (n ≤ PREALLOC_MAX); its contents are arbitrary. */
  take(n: number): Buffer {
    const size = pooledBodySize(n);
    const b = this.free.get(size)?.pop();
    if (b !== undefined) {
      this.freeBytes -= b.length;
      return b;
    }
    return Buffer.allocUnsafeSlow(size);
  }

  /** Give back a buffer from take(); nothing may use it afterwards. */
  give(b: Buffer): void {
    if (this.freeBytes + b.length > POOL_FREE_CAP) return;
    let list = this.free.get(b.length);
    if (list === undefined) this.free.set(b.length, (list = []));
    list.push(b);
    this.freeBytes += b.length;
  }
}
const bodyPool = new BodyPool();

/**
 * Whether a response body of `length` bytes is kept as its SHA-256 and size only (when
 * it arrives whole): an unencoded picture, sound, video or font over MEDIA_KEEP_BYTES.
 * The framing pools such a body's buffer on the same rule that finish() drops it by.
 */
function hashedMedia(codings: readonly string[], length: number, headers: HeaderList): boolean {
  return codings.length === 0 && length > MEDIA_KEEP_BYTES && isMediaType(headerValue(headers, 'content-type'));
}

/** Body bytes of one message after transfer decoding, kept up to RAW_BODY_CAP. */
class BodyAcc {
  private readonly parts: Buffer[] = [];
  private fixed: Buffer | null = null;
  /** Bytes of `fixed` that may be filled (the Content-Length; a pooled buffer can be larger). */
  private room = 0;
  /** Whether `fixed` came from bodyPool (then it goes back in release()). */
  private pooled = false;
  private kept = 0;
  private frozen = false;
  size = 0;
  truncated = false;

  /**
   * `expected`: the Content-Length when known, to fill one buffer instead of collecting
   * pieces. `pooled`: take that buffer from the pool (only for a body that release()
   * will see: one hashed and dropped).
   */
  constructor(expected = 0, pooled = false) {
    if (expected > 0 && expected <= PREALLOC_MAX) {
      this.pooled = pooled;
      this.fixed = pooled ? bodyPool.take(expected) : Buffer.allocUnsafe(expected);
      this.room = expected;
    }
  }

  add(buf: Buffer, start: number, end: number): void {
    const len = end - start;
    this.size += len;
    if (this.frozen || len === 0) return;
    let take = len;
    if (this.kept + take > RAW_BODY_CAP) {
      take = RAW_BODY_CAP - this.kept;
      this.truncated = true;
      this.frozen = true;
    }
    if (take <= 0) return;
    const fixed = this.fixed;
    if (fixed !== null && this.kept + take <= this.room) {
      buf.copy(fixed, this.kept, start, start + take);
    } else {
      if (fixed !== null) {
        // More bytes than announced: fall back to pieces.
        this.parts.push(this.pooled ? Buffer.from(fixed.subarray(0, this.kept)) : fixed.subarray(0, this.kept));
        this.release();
      }
      this.parts.push(Buffer.from(buf.subarray(start, start + take)));
    }
    this.kept += take;
  }

  /** Bytes lost to a capture gap: counted, and nothing after them is kept (the body stays a prefix). */
  gap(n: number): void {
    this.size += n;
    this.truncated = true;
    this.frozen = true;
  }

  /** The bytes kept. From a pooled buffer they are valid only until release(). */
  bytes(): Buffer {
    if (this.fixed !== null) return this.fixed.subarray(0, this.kept);
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.kept);
  }

  /** Whether bytes() is a view of a pooled buffer (copy it to keep it past release()). */
  isPooled(): boolean {
    return this.fixed !== null && this.pooled;
  }

  /** Give a pooled buffer back (no-op otherwise); bytes() must not be used after. */
  release(): void {
    if (this.fixed !== null && this.pooled) bodyPool.give(this.fixed);
    this.fixed = null;
    this.pooled = false;
  }
}

interface DirState {
  state: number;
  /** Unconsumed bytes carried to the next chunk (a copy). */
  left: Buffer | null;
  /** Flat [offset, frame, tsSec, tsNsec]* for the chunks making up `left` + the new chunk. */
  marks: number[];
  ex: Exchange | null;
  body: BodyAcc | null;
  codings: string[];
  remaining: number;
  /** Resync: whether the next unread byte starts a line. */
  lineStart: boolean;
}

function newDir(): DirState {
  return { state: S_HEAD, left: null, marks: [], ex: null, body: null, codings: [], remaining: 0, lineStart: true };
}

/** Parse a Content-Length value (identical repeated values allowed); -1 if invalid. */
function contentLength(v: string): number {
  let out = -1;
  for (const part of v.split(',')) {
    const t = part.trim();
    if (!/^\d{1,15}$/.test(t)) return -1;
    const n = Number(t);
    if (out >= 0 && n !== out) return -1;
    out = n;
  }
  return out;
}

/** Whether the last transfer coding is chunked (it must be, for a request to have a body). */
function isChunked(te: string): boolean {
  const parts = te.split(',');
  return parts[parts.length - 1].trim().toLowerCase() === 'chunked';
}

function tsBefore(aSec: number, aNsec: number, bSec: number, bNsec: number): boolean {
  return aSec < bSec || (aSec === bSec && aNsec <= bNsec);
}

class Http1Handler implements TcpStreamHandler {
  private readonly conv: TcpConversation;
  private readonly sink: RecordSink;
  private readonly dirs: [DirState, DirState] = [newDir(), newDir()];
  /** Exchanges in request order; front ones leave once emitted. */
  private queue: Exchange[] = [];
  /** Index in `queue` of the slot the next request / final response fills. */
  private reqIdx = 0;
  private respIdx = 0;
  private requests = 0;
  /** Body bytes held by finished messages of exchanges not yet emitted. */
  private held = 0;
  /** Methods of requests emitted before their response came: those responses are parsed and dropped. */
  private late: string[] = [];

  constructor(conv: TcpConversation, sink: RecordSink) {
    this.conv = conv;
    this.sink = sink;
  }

  private anomaly(frame: number | null, error: string): void {
    cappedAnomaly(this.sink, this.conv.input, frame, 'http', error);
  }

  data(dir: StreamDir, bytes: Buffer, meta: StreamChunkMeta): void {
    try {
      const d = this.dirs[dir];
      if (meta.gapBefore > 0) this.gap(dir, meta.gapBefore, meta.frame);
      if (d.state === S_STOPPED) return;
      let buf: Buffer;
      if (d.left === null) {
        d.marks.length = 0;
        d.marks.push(0, meta.frame, meta.tsSec, meta.tsNsec);
        buf = bytes;
      } else {
        d.marks.push(d.left.length, meta.frame, meta.tsSec, meta.tsNsec);
        buf = Buffer.concat([d.left, bytes]);
        d.left = null;
      }
      this.run(dir, buf, false);
    } catch (e) {
      this.fail(meta.frame, e);
    }
  }

  end(): void {
    try {
      // Client first: a request parsed now may be what buffered server bytes wait for.
      for (const dir of [0, 1] as const) {
        const d = this.dirs[dir];
        if (d.left !== null && d.state !== S_STOPPED) {
          const buf = d.left;
          d.left = null;
          this.run(dir, buf, true);
        }
      }
      for (const dir of [0, 1] as const) {
        const d = this.dirs[dir];
        if (d.ex !== null && d.state !== S_STOPPED) this.finish(dir, d.state !== S_CLOSE);
        if (d.ex !== null) this.finish(dir, true);
        d.left = null;
        d.state = S_STOPPED;
      }
      this.flush(true);
    } catch (e) {
      this.fail(null, e);
    }
  }

  private fail(frame: number | null, e: unknown): void {
    this.anomaly(frame, `unexpected HTTP parser failure, connection no longer parsed: ${(e as Error).message}`);
    this.dirs[0].state = S_STOPPED;
    this.dirs[1].state = S_STOPPED;
    this.dirs[0].left = null;
    this.dirs[1].left = null;
  }

  /** Index in `d.marks` of the chunk that holds byte `pos` of the current working buffer. */
  private markAt(d: DirState, pos: number): number {
    let k = 0;
    for (let i = 4; i < d.marks.length; i += 4) {
      if (d.marks[i] <= pos) k = i;
      else break;
    }
    return k;
  }

  private gap(dir: StreamDir, n: number, frame: number): void {
    const d = this.dirs[dir];
    const side = dir === 0 ? 'client' : 'server';
    switch (d.state) {
      case S_STOPPED:
        return;
      case S_BODY_LEN:
        if (n < d.remaining) {
          d.remaining -= n;
          d.body?.gap(n);
          this.anomaly(frame, `${n} bytes missing inside an HTTP ${side} body; body kept up to the gap`);
          return;
        }
        {
          // The gap covers the rest of the body; if it runs past it, the next head is hit too.
          const exact = n === d.remaining;
          d.body?.gap(d.remaining);
          this.anomaly(frame, `${n} bytes missing at the end of an HTTP ${side} body`);
          this.finish(dir, true);
          if (exact) return;
        }
        break;
      case S_CLOSE:
        d.body?.gap(n);
        this.anomaly(frame, `${n} bytes missing inside an HTTP ${side} body read until close`);
        return;
      case S_CHUNK_SIZE:
      case S_CHUNK_DATA:
      case S_CHUNK_END:
      case S_TRAILERS:
        d.body?.gap(0);
        this.anomaly(frame, `${n} bytes missing inside a chunked HTTP ${side} body; resynchronising`);
        this.finish(dir, true);
        break;
      case S_HEAD:
        if (d.left !== null) {
          const buf = d.left;
          d.left = null;
          this.anomaly(frame, `${n} bytes missing inside an HTTP ${side} head; resynchronising`);
          this.run(dir, buf, true);
        } else {
          this.anomaly(frame, `${n} bytes missing between HTTP ${side} messages; resynchronising`);
        }
        break;
      case S_WAIT:
        this.anomaly(frame, `${n} bytes missing in HTTP ${side} data not yet parsed; dropped it`);
        if (dir === 0) {
          d.left = null;
          return;
        }
        break;
      case S_RESYNC:
        break;
      default:
        break;
    }
    d.left = null;
    d.state = S_RESYNC;
    d.lineStart = true;
  }

  /** Run the parser of `dir` over `buf`; keeps the unconsumed tail in `left`. */
  private run(dir: StreamDir, buf: Buffer, ending: boolean): void {
    const d = this.dirs[dir];
    const n = buf.length;
    let pos = 0;
    loop: for (;;) {
      switch (d.state) {
        case S_STOPPED:
          pos = n;
          break loop;
        case S_BODY_LEN:
        case S_CHUNK_DATA: {
          if (pos >= n) break loop;
          const take = Math.min(d.remaining, n - pos);
          d.body?.add(buf, pos, pos + take);
          pos += take;
          d.remaining -= take;
          if (d.remaining === 0) {
            if (d.state === S_CHUNK_DATA) d.state = S_CHUNK_END;
            else this.finish(dir, false);
          }
          continue;
        }
        case S_CLOSE:
          if (pos < n) d.body?.add(buf, pos, n);
          pos = n;
          break loop;
        case S_CHUNK_END:
          if (pos >= n) break loop;
          if (buf[pos] === CR) {
            pos++;
            if (pos >= n) break loop;
          }
          if (buf[pos] === LF) pos++;
          else this.anomaly(this.frameOf(d, pos), 'HTTP chunk data not followed by CRLF');
          d.state = S_CHUNK_SIZE;
          continue;
        case S_CHUNK_SIZE: {
          if (pos >= n) break loop;
          const lf = buf.indexOf(LF, pos);
          if (lf < 0) {
            if (n - pos > LINE_CAP) {
              this.badChunk(dir, pos, 'HTTP chunk-size line too long');
              continue;
            }
            break loop;
          }
          const size = chunkSize(buf, pos, lf);
          if (size < 0) {
            this.badChunk(dir, pos, 'malformed HTTP chunk-size line');
            continue;
          }
          pos = lf + 1;
          if (size === 0) d.state = S_TRAILERS;
          else {
            d.remaining = size;
            d.state = S_CHUNK_DATA;
          }
          continue;
        }
        case S_TRAILERS: {
          if (pos >= n) break loop;
          const lf = buf.indexOf(LF, pos);
          if (lf < 0) {
            if (n - pos > LINE_CAP) {
              this.badChunk(dir, pos, 'HTTP trailer line too long');
              continue;
            }
            break loop;
          }
          const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
          const empty = lineEnd === pos;
          if (!empty) this.trailer(d, headText(buf, pos, lineEnd));
          pos = lf + 1;
          if (empty) this.finish(dir, false);
          continue;
        }
        case S_RESYNC: {
          const r = this.resync(dir, buf, pos, ending);
          if (r < 0) {
            pos = -r - 1;
            break loop;
          }
          pos = r;
          continue;
        }
        case S_WAIT: {
          if (dir === 0) {
            // Client bytes after CONNECT: held until the response says tunnel or not.
            if (n - pos > WAIT_CAP || ending) {
              d.state = S_STOPPED;
              pos = n;
            }
            break loop;
          }
          if (this.respIdx < this.queue.length && this.queue[this.respIdx].hasRequest) {
            d.state = S_HEAD;
            continue;
          }
          if (n - pos > WAIT_CAP || ending) {
            this.anomaly(this.frameOf(d, pos), 'HTTP server data that is not a response to any request seen');
            d.state = S_RESYNC;
            d.lineStart = false;
            continue;
          }
          break loop;
        }
        default: {
          // S_HEAD
          while (pos < n && (buf[pos] === CR || buf[pos] === LF)) pos++;
          if (pos >= n) break loop;
          const r = dir === 0 ? this.requestAt(buf, pos, ending) : this.responseAt(buf, pos, ending);
          if (r < 0) break loop;
          pos = r;
          continue;
        }
      }
    }
    if (pos < n && d.state !== S_STOPPED) {
      d.left = Buffer.from(buf.subarray(pos));
      const k = this.markAt(d, pos);
      const kept: number[] = [0, d.marks[k + 1], d.marks[k + 2], d.marks[k + 3]];
      for (let i = k + 4; i < d.marks.length; i += 4) kept.push(d.marks[i] - pos, d.marks[i + 1], d.marks[i + 2], d.marks[i + 3]);
      d.marks = kept;
    } else {
      d.left = null;
      d.marks.length = 0;
    }
  }

  private frameOf(d: DirState, pos: number): number {
    return d.marks.length > 0 ? d.marks[this.markAt(d, pos) + 1] : 0;
  }

  private badChunk(dir: StreamDir, pos: number, why: string): void {
    const d = this.dirs[dir];
    this.anomaly(this.frameOf(d, pos), `${why}; message kept as truncated`);
    this.finish(dir, true);
    d.state = S_RESYNC;
    d.lineStart = true;
  }

  private trailer(d: DirState, line: string): void {
    const colon = line.indexOf(':');
    if (colon <= 0 || d.ex === null) return;
    const h: [string, string] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    if (d === this.dirs[0]) d.ex.requestHeaders.push(h);
    else d.ex.responseHeaders?.push(h);
  }

  /**
   * Scan for the next strict start line. Returns the new position (state back to HEAD),
   * or -(keep+1) to stop and keep bytes from `keep` on.
   */
  private resync(dir: StreamDir, buf: Buffer, from: number, ending: boolean): number {
    const d = this.dirs[dir];
    const n = buf.length;
    let c = d.lineStart ? from : -1;
    let pos = from;
    for (;;) {
      if (c < 0) {
        const lf = buf.indexOf(LF, pos);
        if (lf < 0) {
          d.lineStart = false;
          return -(n + 1);
        }
        c = lf + 1;
        pos = c;
        if (c >= n) {
          d.lineStart = true;
          return -(n + 1);
        }
      }
      const s = dir === 0 ? requestLineState(buf, c, true) : statusLineState(buf, c);
      if (s === MATCH) {
        d.state = S_HEAD;
        return c;
      }
      if (s === NEED_MORE && !ending) {
        d.lineStart = true;
        return -(c + 1);
      }
      pos = c;
      c = -1;
      if (s === NEED_MORE) return -(n + 1);
    }
  }

  /** Parse a request starting at `pos`; returns the position after its head, or -1 to wait. */
  private requestAt(buf: Buffer, pos: number, ending: boolean): number {
    const d = this.dirs[0];
    const n = buf.length;
    const pre = methodPrefixState(buf, pos);
    if (pre === NO) {
      this.anomaly(this.frameOf(d, pos), 'HTTP client data that is not a request line; resynchronising');
      this.enterResync(d, false);
      return pos;
    }
    const lf = pre === NEED_MORE ? -1 : buf.indexOf(LF, pos);
    if (lf < 0) {
      if (n - pos > HEAD_CAP) {
        this.anomaly(this.frameOf(d, pos), 'HTTP request line longer than the head cap; resynchronising');
        this.enterResync(d, false);
        return pos;
      }
      if (ending) this.anomaly(this.frameOf(d, pos), 'HTTP client stream ends inside a request line');
      return ending ? n : -1;
    }
    const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const rl = parseRequestLine(headText(buf, pos, lineEnd));
    if (rl === null) {
      this.anomaly(this.frameOf(d, pos), 'malformed HTTP request line; resynchronising');
      this.enterResync(d, true);
      return lf + 1;
    }
    if (rl.version === 'HTTP/0.9') {
      if (rl.method === 'GET' && this.requests === 0 && rl.uri.startsWith('/')) {
        const ex = this.requestSlot(d, pos);
        this.fillRequest(ex, rl.method, rl.uri, rl.version, []);
        ex.reqDone = true;
        d.state = S_STOPPED;
        this.kickServer();
        return n;
      }
      this.anomaly(this.frameOf(d, pos), 'HTTP request line without version; resynchronising');
      this.enterResync(d, true);
      return lf + 1;
    }
    let end = findHeadEnd(buf, pos);
    let cut = false;
    let over = false;
    if (end < 0) {
      if (n - pos > HEAD_CAP) {
        // Keep the request line and the whole header lines within the cap: dropping the
        // request would let one padded header hide it, and its URI, from the case.
        end = Math.max(lf, buf.lastIndexOf(LF, pos + HEAD_CAP - 1)) + 1;
        over = true;
      } else {
        if (!ending) return -1;
        end = n;
        cut = true;
      }
    }
    const head = parseHead(headText(buf, pos, end));
    if (head.badLines > 0) this.anomaly(this.frameOf(d, pos), `${head.badLines} malformed header line(s) in an HTTP request`);
    const ex = this.requestSlot(d, pos);
    this.fillRequest(ex, rl.method, rl.uri, rl.version, head.headers);
    d.ex = ex;
    d.body = null;
    if (cut) {
      this.anomaly(this.frameOf(d, pos), 'HTTP request head cut short');
      this.finish(0, true);
      return end;
    }
    if (over) {
      this.anomaly(this.frameOf(d, pos),
        `HTTP request head longer than the ${HEAD_CAP}-byte head cap; request line and headers before it kept as truncated, body not parsed; resynchronising`);
      this.finish(0, true);
      this.enterResync(d, true);
      this.kickServer();
      return end;
    }
    this.requestFraming(d, ex);
    this.kickServer();
    return end;
  }

  /** Switch to resync; `atLineStart` says whether the position handed back starts a line. */
  private enterResync(d: DirState, atLineStart: boolean): void {
    d.state = S_RESYNC;
    d.lineStart = atLineStart;
  }

  private fillRequest(ex: Exchange, method: string, uri: string, version: string, headers: HeaderList): void {
    ex.hasRequest = true;
    ex.method = method;
    ex.uri = uri;
    ex.version = version;
    ex.requestHeaders = headers;
    const hostHeader = headerValue(headers, 'host');
    ex.host = hostHeader !== null ? hostFromAuthority(hostHeader)
      : method === 'CONNECT' ? hostFromAuthority(uri) : hostFromAbsoluteUri(uri);
    this.requests++;
  }

  /**
   * The queue slot for a request whose first byte is at `pos`. A response parsed
   * before it (delivery out of order) answers it only if that response is not older
   * than the request; older ones answer requests the capture never saw.
   */
  private requestSlot(d: DirState, pos: number): Exchange {
    const k = this.markAt(d, pos);
    const frame = d.marks[k + 1];
    const sec = d.marks[k + 2];
    const nsec = d.marks[k + 3];
    let ex: Exchange | null = null;
    while (this.reqIdx < this.queue.length) {
      const o = this.queue[this.reqIdx];
      if (tsBefore(sec, nsec, o.respTsSec, o.respTsNsec)) {
        ex = o;
        break;
      }
      this.anomaly(o.respFrame, `HTTP response (status ${o.status}) without a request in the capture`);
      this.queue.splice(this.reqIdx, 1);
      this.respIdx--;
    }
    if (ex === null) {
      ex = newExchange();
      this.queue.push(ex);
    }
    this.reqIdx++;
    ex.frame = frame;
    ex.tsSec = sec;
    ex.tsNsec = nsec;
    return ex;
  }

  private requestFraming(d: DirState, ex: Exchange): void {
    const h = ex.requestHeaders;
    d.codings = parseCodings(headerList(h, 'content-encoding'));
    const te = headerList(h, 'transfer-encoding');
    const cl = headerList(h, 'content-length');
    if (ex.method === 'CONNECT') {
      this.finish(0, false);
      if (ex.hasResponse) {
        if (ex.status !== null && ex.status >= 200 && ex.status < 300) this.stopBoth();
      } else {
        d.state = S_WAIT;
      }
      return;
    }
    if (te !== null) {
      if (isChunked(te)) {
        d.body = new BodyAcc();
        d.state = S_CHUNK_SIZE;
        return;
      }
      this.anomaly(ex.frame, `HTTP request with transfer-coding '${te}' that does not end in chunked; body not parsed`);
      this.finish(0, true);
      this.enterResync(d, true);
      return;
    }
    if (cl !== null) {
      const len = contentLength(cl);
      if (len < 0) {
        this.anomaly(ex.frame, `HTTP request with invalid Content-Length '${cl}'; resynchronising`);
        this.finish(0, true);
        this.enterResync(d, true);
        return;
      }
      if (len > 0) {
        d.body = new BodyAcc(len);
        d.remaining = len;
        d.state = S_BODY_LEN;
        return;
      }
    }
    this.finish(0, false);
  }

  /** Let the server side parse what it held back while it waited for a request. */
  private kickServer(): void {
    const s = this.dirs[1];
    if (s.state === S_WAIT && s.left !== null) {
      const buf = s.left;
      s.left = null;
      this.run(1, buf, false);
    }
  }

  /** Parse a response starting at `pos`; returns the position after its head, or -1 to wait. */
  private responseAt(buf: Buffer, pos: number, ending: boolean): number {
    const d = this.dirs[1];
    const n = buf.length;
    const next = this.respIdx < this.queue.length ? this.queue[this.respIdx] : null;
    const st = statusLineState(buf, pos);
    if (st === NO) {
      if (next !== null && next.hasRequest && next.version === 'HTTP/0.9') {
        // HTTP/0.9: no status line, the body runs until the connection closes.
        this.respIdx++;
        this.startResponse(d, next, pos);
        d.body = new BodyAcc();
        d.codings = [];
        d.state = S_CLOSE;
        return pos;
      }
      if (this.requests === 0 && this.dirs[0].state !== S_STOPPED && !ending) {
        d.state = S_WAIT;
        return pos;
      }
      this.anomaly(this.frameOf(d, pos), 'HTTP server data that is not a status line; resynchronising');
      this.enterResync(d, false);
      return pos;
    }
    if (st === NEED_MORE) {
      if (ending) {
        this.anomaly(this.frameOf(d, pos), 'HTTP server stream ends inside a status line');
        return n;
      }
      return -1;
    }
    let end = findHeadEnd(buf, pos);
    let cut = false;
    let over = false;
    if (end < 0) {
      if (n - pos > HEAD_CAP) {
        // As for requests: keep the status line and the whole header lines within the cap.
        const last = buf.lastIndexOf(LF, pos + HEAD_CAP - 1);
        if (last < pos) {
          this.anomaly(this.frameOf(d, pos), 'HTTP status line longer than the head cap; resynchronising');
          this.enterResync(d, false);
          return pos + 1;
        }
        end = last + 1;
        over = true;
      } else {
        if (!ending) return -1;
        end = n;
        cut = true;
      }
    }
    const head = parseHead(headText(buf, pos, end));
    const sl = parseStatusLine(head.startLine);
    if (sl === null) {
      this.anomaly(this.frameOf(d, pos), 'malformed HTTP status line; resynchronising');
      this.enterResync(d, false);
      return pos + 1;
    }
    if (head.badLines > 0) this.anomaly(this.frameOf(d, pos), `${head.badLines} malformed header line(s) in an HTTP response`);
    const overCap = `HTTP response head longer than the ${HEAD_CAP}-byte head cap`;
    if (sl.status >= 100 && sl.status < 200 && sl.status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): the final one follows.
      if (over) {
        this.anomaly(this.frameOf(d, pos), `${overCap} (interim status ${sl.status}); resynchronising`);
        this.enterResync(d, true);
      }
      return end;
    }
    let ex: Exchange;
    const lateMethod = this.late.shift();
    if (lateMethod !== undefined) {
      // Answers a request already emitted without it: parsed for framing, then dropped.
      ex = newExchange();
      ex.hasRequest = true;
      ex.method = lateMethod;
      ex.emitted = true;
      this.startResponse(d, ex, pos);
      ex.status = sl.status;
      ex.responseHeaders = head.headers;
      d.body = null;
      if (cut || over) this.finish(1, true);
      else this.responseFraming(d, ex);
      if (over) {
        this.anomaly(this.frameOf(d, pos), `${overCap}; resynchronising`);
        this.enterResync(d, true);
      }
      return end;
    }
    if (next !== null) {
      ex = next;
    } else {
      ex = newExchange();
      this.queue.push(ex);
    }
    this.respIdx++;
    this.startResponse(d, ex, pos);
    ex.status = sl.status;
    ex.reason = sl.reason;
    ex.responseHeaders = head.headers;
    d.body = null;
    if (cut) {
      this.anomaly(this.frameOf(d, pos), 'HTTP response head cut short');
      this.finish(1, true);
      return end;
    }
    if (over) {
      this.anomaly(this.frameOf(d, pos), `${overCap}; status line and headers before it kept as truncated, body not parsed; resynchronising`);
      this.finish(1, true);
      this.enterResync(d, true);
      return end;
    }
    this.responseFraming(d, ex);
    return end;
  }

  private startResponse(d: DirState, ex: Exchange, pos: number): void {
    const k = this.markAt(d, pos);
    ex.hasResponse = true;
    ex.respFrame = d.marks[k + 1];
    ex.respTsSec = d.marks[k + 2];
    ex.respTsNsec = d.marks[k + 3];
    d.ex = ex;
  }

  private responseFraming(d: DirState, ex: Exchange): void {
    const status = ex.status ?? 0;
    const h = ex.responseHeaders ?? [];
    d.codings = parseCodings(headerList(h, 'content-encoding'));
    if (status === 101 || (ex.method === 'CONNECT' && status >= 200 && status < 300)) {
      this.finish(1, false);
      this.stopBoth();
      return;
    }
    if (ex.method === 'CONNECT' && this.dirs[0].state === S_WAIT) {
      // Refused tunnel: the client may go on with ordinary requests.
      const c = this.dirs[0];
      c.state = S_HEAD;
      if (c.left !== null) {
        const buf = c.left;
        c.left = null;
        this.run(0, buf, false);
      }
    }
    if (ex.method === 'HEAD' || status === 204 || status === 304) {
      this.finish(1, false);
      return;
    }
    const te = headerList(h, 'transfer-encoding');
    if (te !== null) {
      d.body = new BodyAcc();
      d.state = isChunked(te) ? S_CHUNK_SIZE : S_CLOSE;
      return;
    }
    const cl = headerList(h, 'content-length');
    if (cl !== null) {
      const len = contentLength(cl);
      if (len === 0) {
        this.finish(1, false);
        return;
      }
      if (len > 0) {
        // A body finish() will hash and drop (if it arrives whole) fills a pooled buffer.
        const hashed = hashedMedia(d.codings, len, h);
        d.body = new BodyAcc(len, hashed);
        d.remaining = len;
        d.state = S_BODY_LEN;
        return;
      }
      this.anomaly(ex.respFrame, `HTTP response with invalid Content-Length '${cl}'; body read until close`);
    }
    d.body = new BodyAcc();
    d.state = S_CLOSE;
  }

  /** Finish the message in progress on `dir` (decode its body) and emit what is complete. */
  private finish(dir: StreamDir, truncated: boolean): void {
    const d = this.dirs[dir];
    const ex = d.ex;
    const acc = d.body;
    d.ex = null;
    d.body = null;
    if (d.state !== S_STOPPED) d.state = S_HEAD;
    if (ex === null) return;
    let body: Buffer | null = null;
    let size = 0;
    let cut = truncated;
    let encoding: string | null = null;
    let sha256: string | null = null;
    if (acc !== null) {
      size = acc.size;
      cut ||= acc.truncated;
      if (acc.size > 0) {
        body = acc.bytes();
        if (dir === 1 && body.length > 0 && decodableCodings(d.codings)) {
          // Kept as sent, decoded when read (see http-body.ts: what the case keeps).
          encoding = d.codings.join(', ');
        } else if (dir === 1 && !cut && hashedMedia(d.codings, body.length, ex.responseHeaders ?? [])) {
          // Only whole bodies: the hash of a cut one would match no object, so a cut one is kept.
          // One-shot: a Hash object per body cost more than hashing a small image.
          sha256 = hash('sha256', body, 'hex');
          body = null;
        } else if (d.codings.length > 0 && body.length > 0) {
          const r = decodeContent(body, d.codings);
          if (r.error !== null) this.anomaly(dir === 0 ? ex.frame : ex.respFrame, `HTTP ${dir === 0 ? 'request' : 'response'} body: ${r.error}`);
          body = r.body;
          cut ||= r.truncated;
        }
      }
      if (acc.isPooled()) {
        // A pooled buffer is reused by the next body: what is kept must be a copy.
        if (body !== null) body = Buffer.from(body);
        acc.release();
      }
    }
    if (!ex.emitted) this.held += body?.length ?? 0;
    if (dir === 0) {
      ex.requestBody = body;
      ex.requestBodySize = size;
      ex.reqDone = true;
    } else {
      ex.responseBody = body;
      ex.responseBodyEncoding = encoding;
      ex.responseBodySha256 = sha256;
      ex.responseBodySize = size;
      ex.respDone = true;
    }
    if (cut) ex.truncated = true;
    this.flush(false);
  }

  /** A tunnel or another protocol follows: stop both directions, keep what was parsed. */
  private stopBoth(): void {
    for (const dir of [0, 1] as const) {
      const d = this.dirs[dir];
      if (d.ex !== null) this.finish(dir, d.state !== S_CLOSE);
      d.state = S_STOPPED;
      d.left = null;
    }
  }

  /** Emit complete exchanges from the front; at the end (or over the cap) emit the rest too. */
  private flush(all: boolean): void {
    while (this.queue.length > 0) {
      const ex = this.queue[0];
      const complete = ex.hasRequest && ex.reqDone && (ex.respDone || !ex.hasResponse && all);
      const inProgress = ex === this.dirs[0].ex || ex === this.dirs[1].ex;
      const crowded = this.queue.length > QUEUE_CAP || this.held > HELD_BYTES_CAP;
      if (!complete && !((all || crowded) && !inProgress)) break;
      this.queue.shift();
      if (this.reqIdx > 0) this.reqIdx--;
      if (this.respIdx > 0) this.respIdx--;
      else if (ex.hasRequest && !ex.hasResponse && !all) this.late.push(ex.method);
      this.held -= (ex.requestBody?.length ?? 0) + (ex.responseBody?.length ?? 0);
      if (ex.hasRequest) this.emit(ex);
      else this.anomaly(ex.respFrame, `HTTP response (status ${ex.status}) without a request in the capture`);
    }
  }


  private emit(ex: Exchange): void {
    if (ex.emitted) return;
    ex.emitted = true;
    const c = this.conv;
    const rec: HttpRecord = {
      input: c.input,
      frame: ex.frame,
      ts: toNs(ex.tsSec, ex.tsNsec),
      srcIp: c.clientIp,
      srcPort: c.clientPort,
      dstIp: c.serverIp,
      dstPort: c.serverPort,
      method: ex.method,
      host: ex.host,
      uri: ex.uri,
      version: ex.version,
      requestHeaders: ex.requestHeaders,
      requestBody: ex.requestBody,
      requestBodySize: ex.requestBodySize,
      status: ex.status,
      reason: ex.reason,
      responseHeaders: ex.responseHeaders,
      responseBody: ex.responseBody,
      responseBodyEncoding: ex.responseBodyEncoding,
      responseBodySha256: ex.responseBodySha256,
      responseBodySize: ex.responseBodySize,
      responseFrame: ex.respFrame,
      responseTs: ex.respFrame === null ? null : toNs(ex.respTsSec, ex.respTsNsec),
      truncated: ex.truncated,
      source: 'tcp',
    };
    this.sink.http(rec);
  }
}

/** Size of a chunk-size line in [start, lf) ("1a3;ext=1\r"); -1 when malformed. */
function chunkSize(buf: Buffer, start: number, lf: number): number {
  let i = start;
  while (i < lf && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  let size = 0;
  let digits = 0;
  for (; i < lf; i++) {
    const c = buf[i];
    let v: number;
    if (c >= 0x30 && c <= 0x39) v = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) v = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) v = c - 0x37;
    else break;
    if (++digits > 12) return -1;
    size = size * 16 + v;
  }
  if (digits === 0) return -1;
  for (; i < lf; i++) {
    const c = buf[i];
    if (c === 0x3b || c === CR) return size;
    if (c !== 0x20 && c !== 0x09) return -1;
  }
  return size;
}

/** HTTP/1.x: port bindings plus a strict request-line / status-line heuristic. */
export const http1Protocol: TcpProtocol = {
  name: 'http',
  tcpPorts: [80, 8080, 8000, 8008, 8888, 3128],
  heuristic(first: Buffer, dir: StreamDir): boolean {
    if (dir === 0) return requestLineState(first, 0, true) === MATCH;
    return first.length > 5 && first[5] === 0x31 && statusLineState(first, 0) === MATCH;
  },
  open: (conv, sink) => new Http1Handler(conv, sink),
};

registerTcpProtocol(http1Protocol);
