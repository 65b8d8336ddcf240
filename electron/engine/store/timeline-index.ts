/**
 * The timeline's events as columns: one entry per flow, DNS message, ClientHello, HTTP
 * exchange and leak, with its time, kind, row id, input, device (client address) and
 * destination (name, else server address) as numbers into one dictionary of keys, in
 * (time, kind, id) order. Counting events per bucket and lane is then a pass over
 * typed arrays instead of a GROUP BY per question, so the timeline costs the same for
 * any bucket width the view asks for.
 *
 * It is built from the records (`scanTimelineEvents` chunk by chunk, `collectTimelineEvents`
 * all at once) and stored by the view summaries as chunks of packed columns
 * (`packTimelineChunk`, `readTimelineIndex`).
 * Times are split into `hi = ts >> 30` and `lo = ts & (2^30 - 1)`, both exact doubles,
 * so no event needs a BigInt until its time is printed.
 */
import type Database from 'better-sqlite3';

/** Kind codes, in the order of the API's TimelineKind list. */
export const K_DNS = 0;
export const K_TLS = 1;
export const K_HTTP = 2;
export const K_FLOW = 3;
export const K_LEAK = 4;

const LO_BITS = 30n;
const LO_MASK = (1n << LO_BITS) - 1n;
/** 2^30: the weight of `hi`. */
export const LO_SPAN = 1073741824;

/** SQL that strips a port and lower-cases an HTTP Host column (IPv6 literals keep their brackets). */
export const HOST_NAME_SQL = `lower(CASE WHEN substr(host, 1, 1) <> '[' AND instr(host, ':') > 0
  THEN substr(host, 1, instr(host, ':') - 1) ELSE host END)`;

/** The events as parallel columns, `size` long, in (time, kind, id) order. */
export interface TimelineIndex {
  size: number;
  hi: Float64Array;
  lo: Uint32Array;
  kind: Uint8Array;
  id: Float64Array;
  input: Uint32Array;
  dev: Uint32Array;
  dest: Uint32Array;
  bytes: Float64Array;
  /** What `dev` and `dest` number. */
  keys: string[];
}

/** Bytes per event in a packed chunk: hi, id, bytes (8 each), lo, input, dev, dest (4 each), kind (1). */
const EVENT_BYTES = 41;

/** `hi` and `lo` of a nanosecond time. */
export function splitNs(ts: bigint): { hi: number; lo: number } {
  return { hi: Number(ts >> LO_BITS), lo: Number(ts & LO_MASK) };
}

/** The nanosecond time of event `i`. */
export function eventTs(ix: TimelineIndex, i: number): bigint {
  return (BigInt(ix.hi[i]) << LO_BITS) + BigInt(ix.lo[i]);
}

/** First event at or after `ts` (`after` false), or first event after `ts` (`after` true). */
export function searchTs(ix: TimelineIndex, ts: bigint, after: boolean): number {
  const { hi, lo } = splitNs(ts);
  let a = 0;
  let b = ix.size;
  while (a < b) {
    const m = (a + b) >>> 1;
    const h = ix.hi[m];
    const below = h < hi || (h === hi && (after ? ix.lo[m] <= lo : ix.lo[m] < lo));
    if (below) a = m + 1;
    else b = m;
  }
  return a;
}

/** Which events scanTimelineEvents and collectTimelineEvents read, and how many rows at a time. */
export interface CollectOptions {
  /** Only events at or after this time. */
  from?: bigint;
  /** Only events at or before this time. */
  to?: bigint;
  /** Only events of this input. */
  input?: number;
  /** Include leaks (the findings tables hold some). */
  leaks: boolean;
  /** Rows read from each table at a time (default PAGE_ROWS; a positive integer); the events are the same for any size. */
  pageRows?: number;
}

/** [hi, lo, id, input, device, destination, bytes] as SQLite returns them. */
type EventRow = [number, number, number, number, string, string, number];

/** Rows read from each table at a time: the merge holds at most this many per table. */
const PAGE_ROWS = 4096;
/** Events per chunk of collectTimelineEvents. */
const COLLECT_CHUNK_EVENTS = PAGE_ROWS * 16;
/** The smallest 64-bit integer: with row id -1, a keyset bound below every stored row. */
const FIRST_TS = -(2n ** 63n);

/** One table's events, read a page at a time in (time, id) order. */
interface Source {
  kind: number;
  /** The page after the row (time, id) bound as the last two arguments. */
  next: Database.Statement;
  args: unknown[];
  rows: EventRow[];
  at: number;
  /** The last page was full: more rows may follow. */
  more: boolean;
  /** Rewrites a row's destination (flows: server address to its best name). */
  rename: ((r: EventRow) => void) | null;
}

/**
 * Read the timeline events of the case (or of a time range or one input) from the
 * records, in (time, kind, id) order, and hand them on `chunkEvents` at a time (the
 * last chunk may be shorter; the chunk is reused after `onChunk` returns). Returns the
 * keys the chunks' `dev` and `dest` number. A flow is named after its server address's
 * best-attested name: SNI and Host headers say what the client meant to reach, a DNS
 * answer only what it resolved.
 *
 * Each table is read along its time index a page at a time and the pages merged, so
 * memory is bounded by `pageRows` rows per table and one chunk, whatever the case holds
 * (docs/benchmark.md, row 23). Between pages
 * no statement is open, so `onChunk` may write to the same connection; the scan runs in
 * one read transaction (the caller's, when one is open), so every page sees the same
 * records even while an import commits on another connection.
 */
export function scanTimelineEvents(db: Database.Database, opts: CollectOptions, chunkEvents: number,
  onChunk: (chunk: TimelineIndex) => void): string[] {
  const pageRows = opts.pageRows ?? PAGE_ROWS;
  // Both go into the SQL or size typed arrays: anything but a positive integer would lose events.
  if (!Number.isInteger(pageRows) || pageRows < 1) throw new RangeError(`timeline page of ${pageRows} rows`);
  if (!Number.isInteger(chunkEvents) || chunkEvents < 1) throw new RangeError(`timeline chunk of ${chunkEvents} events`);
  if (!db.inTransaction) return db.transaction(() => scanTimelineEvents(db, opts, chunkEvents, onChunk)).deferred();
  const names = new Map<string, string>();
  for (const [ip, name] of db.prepare(`SELECT ip, name, min((CASE source WHEN 'sni' THEN 0 WHEN 'http' THEN 1 WHEN 'har' THEN 1
      WHEN 'dns' THEN 2 ELSE 3 END) * 1e12 - count) FROM hosts GROUP BY ip`).raw().all() as Array<[string, string]>) {
    names.set(ip, name);
  }
  const sources: Source[] = [];
  // `from` is the FROM clause (the table with its alias, joins); `ts` and `id` its time
  // and row id columns. The input filter is written `+col` so that the planner keeps to
  // the time index, which gives the order, instead of sorting an input's rows per page.
  const add = (kind: number, columns: string, from: string, ts: string, id: string, inputCol: string,
    rename: Source['rename'] = null): void => {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (opts.from !== undefined) {
      parts.push(`${ts} >= ?`);
      args.push(opts.from);
    }
    if (opts.to !== undefined) {
      parts.push(`${ts} <= ?`);
      args.push(opts.to);
    }
    if (opts.input !== undefined) {
      parts.push(`+${inputCol} = ?`);
      args.push(opts.input);
    }
    parts.push(`(${ts}, ${id}) > (?, ?)`);
    const sql = `SELECT ${ts} >> 30, ${ts} & 1073741823, ${id}, ${columns} FROM ${from}
      WHERE ${parts.join(' AND ')} ORDER BY ${ts}, ${id} LIMIT ${pageRows}`;
    sources.push({ kind, next: db.prepare(sql).raw(), args, rows: [], at: 0, more: true, rename });
  };
  add(K_FLOW, 'input_id, src_ip, dst_ip, bytes_up + bytes_down', 'flows', 'first_ts_ns', 'id', 'input_id', (r) => {
    r[5] = names.get(r[5]) ?? r[5];
  });
  add(K_DNS, `input_id, CASE WHEN response = 1 THEN dst_ip ELSE src_ip END, rtrim(lower(qname), '.'), 0`, 'dns', 'ts_ns', 'id', 'input_id');
  add(K_TLS, 'input_id, src_ip, coalesce(lower(sni), dst_ip), 0', 'tls', 'ts_ns', 'id', 'input_id');
  // HAR entries have no flow: their body sizes stand in for the bytes. The covering
  // index keeps this pass out of the rows, which hold the bodies; an import drops it
  // while it runs (CaseStore), and then the rows are read along the time index.
  const httpColumns = `input_id, src_ip, coalesce(nullif(${HOST_NAME_SQL}, ''), dst_ip),
    CASE WHEN source = 'har' THEN request_body_size + response_body_size ELSE 0 END`;
  try {
    add(K_HTTP, httpColumns, 'http INDEXED BY http_view', 'ts_ns', 'id', 'input_id');
  } catch {
    add(K_HTTP, httpColumns, 'http', 'ts_ns', 'id', 'input_id');
  }
  if (opts.leaks) {
    // A leak sits in the lanes of the device that sent the request and of its receiver.
    add(K_LEAK, 'l.input_id, h.src_ip, coalesce(l.dest_host, l.dest_ip, h.dst_ip), 0', 'leaks l JOIN http h ON h.id = l.http_id',
      'l.ts_ns', 'l.id', 'l.input_id');
  }

  const keys: string[] = [];
  const keyOf = new Map<string, number>();
  const intern = (k: string): number => {
    let n = keyOf.get(k);
    if (n === undefined) {
      n = keys.length;
      keyOf.set(k, n);
      keys.push(k);
    }
    return n;
  };
  /** The source's current row, reading its next page when the last one is used up. */
  const head = (s: Source): EventRow | undefined => {
    if (s.at < s.rows.length) return s.rows[s.at];
    if (!s.more) return undefined;
    // Before the first page: below every time SQLite can hold.
    const last = s.rows[s.rows.length - 1];
    const after = last === undefined ? [FIRST_TS, -1] : [(BigInt(last[0]) << LO_BITS) + BigInt(last[1]), last[2]];
    s.rows = s.next.all(...s.args, ...after) as EventRow[];
    s.at = 0;
    s.more = s.rows.length === pageRows;
    if (s.rename !== null) for (const r of s.rows) s.rename(r);
    return s.rows[0];
  };
  const chunk = emptyIndex(chunkEvents);
  let n = 0;
  for (;;) {
    let best: Source | null = null;
    let br: EventRow | undefined;
    for (const s of sources) {
      const r = head(s);
      if (r === undefined) continue;
      if (br === undefined || r[0] < br[0] || (r[0] === br[0] && (r[1] < br[1] ||
        (r[1] === br[1] && (s.kind < (best as Source).kind || (s.kind === (best as Source).kind && r[2] < br[2])))))) {
        best = s;
        br = r;
      }
    }
    if (best === null || br === undefined) break;
    best.at++;
    chunk.hi[n] = br[0];
    chunk.lo[n] = br[1];
    chunk.kind[n] = best.kind;
    chunk.id[n] = br[2];
    chunk.input[n] = br[3];
    chunk.dev[n] = intern(br[4]);
    chunk.dest[n] = intern(br[5]);
    chunk.bytes[n] = br[6];
    if (++n === chunkEvents) {
      onChunk(chunk);
      n = 0;
    }
  }
  if (n > 0) {
    chunk.size = n;
    onChunk(chunk);
  }
  return keys;
}

/**
 * The timeline events of the case (or of a time range or one input), all in memory: what
 * scanTimelineEvents hands on, packed `chunkEvents` at a time and joined.
 */
export function collectTimelineEvents(db: Database.Database, opts: CollectOptions,
  chunkEvents = COLLECT_CHUNK_EVENTS): TimelineIndex {
  const parts: Buffer[] = [];
  let size = 0;
  const keys = scanTimelineEvents(db, opts, chunkEvents, (chunk) => {
    parts.push(packTimelineChunk(chunk));
    size += chunk.size;
  });
  const ix = emptyIndex(size);
  ix.keys = keys;
  let at = 0;
  for (const data of parts) {
    const n = data.length / EVENT_BYTES;
    unpackInto(ix, data, at, n);
    at += n;
  }
  return ix;
}

function emptyIndex(size: number): TimelineIndex {
  return {
    size,
    hi: new Float64Array(size),
    lo: new Uint32Array(size),
    kind: new Uint8Array(size),
    id: new Float64Array(size),
    input: new Uint32Array(size),
    dev: new Uint32Array(size),
    dest: new Uint32Array(size),
    bytes: new Float64Array(size),
    keys: [],
  };
}

/** The index's `size` events packed as columns (host byte order; the summary stamp names it). */
export function packTimelineChunk(ix: TimelineIndex): Buffer {
  const n = ix.size;
  // Buffer.alloc never hands out a slice of the shared pool, so the columns start aligned.
  const buf = Buffer.alloc(n * EVENT_BYTES);
  let off = 0;
  const put = (src: Float64Array | Uint32Array | Uint8Array): void => {
    const Ctor = src.constructor as Float64ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
    new Ctor(buf.buffer as ArrayBuffer, buf.byteOffset + off, n).set(src.subarray(0, n) as never);
    off += n * Ctor.BYTES_PER_ELEMENT;
  };
  put(ix.hi);
  put(ix.id);
  put(ix.bytes);
  put(ix.lo);
  put(ix.input);
  put(ix.dev);
  put(ix.dest);
  put(ix.kind);
  return buf;
}

/** Copy `n` events packed by packTimelineChunk (8-byte aligned) into `ix` from event `at` on. */
function unpackInto(ix: TimelineIndex, data: Buffer, at: number, n: number): void {
  let off = data.byteOffset;
  const take = <T extends Float64Array | Uint32Array | Uint8Array>(dst: T): void => {
    const Ctor = dst.constructor as Float64ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
    dst.set(new Ctor(data.buffer as ArrayBuffer, off, n) as never, at);
    off += n * Ctor.BYTES_PER_ELEMENT;
  };
  take(ix.hi);
  take(ix.id);
  take(ix.bytes);
  take(ix.lo);
  take(ix.input);
  take(ix.dev);
  take(ix.dest);
  take(ix.kind);
}

/**
 * The stored index (timeline_keys, timeline_chunks), or null when the stored columns
 * do not add up (then the caller reads the records instead).
 */
export function readTimelineIndex(db: Database.Database): TimelineIndex | null {
  const keyRows = db.prepare('SELECT id, key FROM timeline_keys ORDER BY id').raw().all() as Array<[number, string]>;
  const chunks = db.prepare('SELECT events, data FROM timeline_chunks ORDER BY id').raw().all() as Array<[number, Buffer]>;
  let size = 0;
  for (const [events, data] of chunks) {
    if (data.length !== events * EVENT_BYTES) return null;
    size += events;
  }
  const ix = emptyIndex(size);
  for (let i = 0; i < keyRows.length; i++) {
    if (keyRows[i][0] !== i) return null;
    ix.keys.push(keyRows[i][1]);
  }
  let at = 0;
  for (const [n, raw] of chunks) {
    // Typed array views need aligned offsets; a copy is cheap next to reading the blob.
    let data = raw;
    if (raw.byteOffset % 8 !== 0) {
      data = Buffer.alloc(raw.length);
      raw.copy(data);
    }
    unpackInto(ix, data, at, n);
    at += n;
  }
  const nKeys = ix.keys.length;
  for (let i = 0; i < size; i++) {
    if (ix.dev[i] >= nKeys || ix.dest[i] >= nKeys || ix.kind[i] > K_LEAK) return null;
  }
  return ix;
}
