/**
 * The timeline's events as columns: one entry per flow, DNS message, ClientHello, HTTP
 * exchange and leak, with its time, kind, row id, input, device (client address) and
 * destination (name, else server address) as numbers into one dictionary of keys, in
 * (time, kind, id) order. Counting events per bucket and lane is then a pass over
 * typed arrays instead of a GROUP BY per question, so the timeline costs the same for
 * any bucket width the view asks for.
 *
 * It is built from the records (`collectTimelineEvents`) and stored by the view
 * summaries as chunks of packed columns (`packTimelineChunk`, `readTimelineIndex`).
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

/** Which events collectTimelineEvents reads. */
export interface CollectOptions {
  /** Only events at or after this time. */
  from?: bigint;
  /** Only events at or before this time. */
  to?: bigint;
  /** Only events of this input. */
  input?: number;
  /** Include leaks (the findings tables hold some). */
  leaks: boolean;
}

/** [hi, lo, id, input, device, destination, bytes] as SQLite returns them. */
type EventRow = [number, number, number, number, string, string, number];

/**
 * Read the timeline events of the case (or of a time range or one input) from the
 * records. A flow is named after its server address's best-attested name: SNI and Host
 * headers say what the client meant to reach, a DNS answer only what it resolved.
 */
export function collectTimelineEvents(db: Database.Database, opts: CollectOptions): TimelineIndex {
  const clauses = (col: string, inputCol: string): { where: string; args: unknown[] } => {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (opts.from !== undefined) {
      parts.push(`${col} >= ?`);
      args.push(opts.from);
    }
    if (opts.to !== undefined) {
      parts.push(`${col} <= ?`);
      args.push(opts.to);
    }
    if (opts.input !== undefined) {
      parts.push(`${inputCol} = ?`);
      args.push(opts.input);
    }
    return { where: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', args };
  };
  const split = (col: string): string => `${col} >> 30, ${col} & 1073741823`;
  // Sorted here rather than with ORDER BY: a whole table is read faster in row order than
  // along the time index, and rows come nearly in time order already, which the sort
  // (a merge sort on runs) passes through in one sweep.
  const read = (sql: string, c: { args: unknown[] }): EventRow[] =>
    (db.prepare(sql).raw().all(...c.args) as EventRow[]).sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);

  const names = new Map<string, string>();
  for (const [ip, name] of db.prepare(`SELECT ip, name, min((CASE source WHEN 'sni' THEN 0 WHEN 'http' THEN 1 WHEN 'har' THEN 1
      WHEN 'dns' THEN 2 ELSE 3 END) * 1e12 - count) FROM hosts GROUP BY ip`).raw().all() as Array<[string, string]>) {
    names.set(ip, name);
  }
  const lists: Array<{ kind: number; rows: EventRow[] }> = [];
  let c = clauses('first_ts_ns', 'input_id');
  const flows = read(`SELECT ${split('first_ts_ns')}, id, input_id, src_ip, dst_ip, bytes_up + bytes_down
    FROM flows ${c.where}`, c);
  for (const r of flows) r[5] = names.get(r[5]) ?? r[5];
  lists.push({ kind: K_FLOW, rows: flows });
  c = clauses('ts_ns', 'input_id');
  lists.push({ kind: K_DNS, rows: read(`SELECT ${split('ts_ns')}, id, input_id, CASE WHEN response = 1 THEN dst_ip ELSE src_ip END,
    rtrim(lower(qname), '.'), 0 FROM dns ${c.where}`, c) });
  lists.push({ kind: K_TLS, rows: read(`SELECT ${split('ts_ns')}, id, input_id, src_ip, coalesce(lower(sni), dst_ip), 0
    FROM tls ${c.where}`, c) });
  // HAR entries have no flow: their body sizes stand in for the bytes. The covering
  // index keeps this pass out of the rows, which hold the bodies (the planner would take
  // the time index for a time range); an import drops it while it runs (CaseStore).
  const httpSql = (hint: string): string => `SELECT ${split('ts_ns')}, id, input_id, src_ip,
    coalesce(nullif(${HOST_NAME_SQL}, ''), dst_ip), CASE WHEN source = 'har' THEN request_body_size + response_body_size ELSE 0 END
    FROM http ${hint}${c.where}`;
  let httpRows: EventRow[];
  try {
    httpRows = read(httpSql('INDEXED BY http_view '), c);
  } catch {
    // An import on another connection dropped the index: read the rows.
    httpRows = read(httpSql(''), c);
  }
  lists.push({ kind: K_HTTP, rows: httpRows });
  if (opts.leaks) {
    // A leak sits in the lanes of the device that sent the request and of its receiver.
    c = clauses('l.ts_ns', 'l.input_id');
    lists.push({ kind: K_LEAK, rows: read(`SELECT ${split('l.ts_ns')}, l.id, l.input_id, h.src_ip, coalesce(l.dest_host, l.dest_ip, h.dst_ip), 0
      FROM leaks l JOIN http h ON h.id = l.http_id ${c.where}`, c) });
  }
  return mergeLists(lists);
}

/** Merge lists each in (time, id) order into one index in (time, kind, id) order. */
function mergeLists(lists: Array<{ kind: number; rows: EventRow[] }>): TimelineIndex {
  let size = 0;
  for (const l of lists) size += l.rows.length;
  const ix = emptyIndex(size);
  const keyOf = new Map<string, number>();
  const intern = (k: string): number => {
    let n = keyOf.get(k);
    if (n === undefined) {
      n = ix.keys.length;
      keyOf.set(k, n);
      ix.keys.push(k);
    }
    return n;
  };
  const at = new Array<number>(lists.length).fill(0);
  for (let out = 0; out < size; out++) {
    let best = -1;
    let br: EventRow | null = null;
    for (let j = 0; j < lists.length; j++) {
      const r = lists[j].rows[at[j]];
      if (r === undefined) continue;
      if (br === null || r[0] < br[0] || (r[0] === br[0] && (r[1] < br[1] ||
        (r[1] === br[1] && (lists[j].kind < lists[best].kind || (lists[j].kind === lists[best].kind && r[2] < br[2])))))) {
        best = j;
        br = r;
      }
    }
    const r = br as EventRow;
    at[best]++;
    ix.hi[out] = r[0];
    ix.lo[out] = r[1];
    ix.kind[out] = lists[best].kind;
    ix.id[out] = r[2];
    ix.input[out] = r[3];
    ix.dev[out] = intern(r[4]);
    ix.dest[out] = intern(r[5]);
    ix.bytes[out] = r[6];
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

/** Events [start, end) packed as columns (host byte order; the summary stamp names it). */
export function packTimelineChunk(ix: TimelineIndex, start: number, end: number): Buffer {
  const n = end - start;
  // Buffer.alloc never hands out a slice of the shared pool, so the columns start aligned.
  const buf = Buffer.alloc(n * EVENT_BYTES);
  let off = 0;
  const put = (src: Float64Array | Uint32Array | Uint8Array): void => {
    const Ctor = src.constructor as Float64ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
    new Ctor(buf.buffer as ArrayBuffer, buf.byteOffset + off, n).set(src.subarray(start, end) as never);
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
    at += n;
  }
  const nKeys = ix.keys.length;
  for (let i = 0; i < size; i++) {
    if (ix.dev[i] >= nKeys || ix.dest[i] >= nKeys || ix.kind[i] > K_LEAK) return null;
  }
  return ix;
}
