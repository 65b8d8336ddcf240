/**
 * timeline.get: per-bucket counts by kind, and lanes per device (client address) and
 * per destination (host name, else server address). The events are a TimelineIndex
 * (store/timeline-index.ts): the one the view summaries store when they are current,
 * else one read from the records. Bucketing and lane counts are passes over its typed
 * arrays: on a 1 GB capture's 76 000 events a few milliseconds per question, where a
 * GROUP BY per question over a temporary table took about 100 ms.
 *
 * A lane carries its count per bucket plus a bounded set of events: every event when
 * the lane is sparse, else the first event of each bucket, so the lane still shows
 * where things happened and the counts say how much.
 */
import { ApiFailure } from '../../../shared/api.ts';
import { MAX_TIMELINE_BUCKETS } from '../../../shared/model.ts';
import type { ModeWindow, Timeline, TimelineBucket, TimelineEvent, TimelineKind, TimelineLane, TimelineQuery } from '../../../shared/model.ts';
import { rrTypeName } from '../export/rr-types.ts';
import {
  collectTimelineEvents,
  eventTs,
  K_DNS,
  K_HTTP,
  K_LEAK,
  K_TLS,
  LO_SPAN,
  readTimelineIndex,
  searchTs,
  splitNs,
} from '../store/timeline-index.ts';
import type { TimelineIndex } from '../store/timeline-index.ts';
import type { CaseReader } from './case-reader.ts';
import { msFromNs, nsFromInstant, spanOf } from './instants.ts';
import { isoFromNs } from '../util/time.ts';
import type { SqlRow } from './rows.ts';

const DEFAULT_BUCKETS = 120;
const DEFAULT_LANES = 12;
const DEFAULT_EVENTS_PER_LANE = 200;
/** No bucket is narrower than a microsecond: captures rarely resolve finer. */
const MIN_BUCKET_NS = 1000n;
/** Below this many nanoseconds a range's offsets are exact in doubles. */
const EXACT_NS = 2n ** 52n;

/** TimelineKind of each kind code. */
const KINDS: readonly TimelineKind[] = ['dns', 'tls', 'http', 'flow', 'leak'];
/**
 * Among events at the same instant, the one a bucket shows first: flows, then DNS, TLS,
 * HTTP and leaks, lowest id first (the order the lanes have always been filled in).
 */
const FIRST_RANK: readonly number[] = [1, 2, 3, 0, 4];

/** Earliest and latest record start in the case (or one input), from the indexed time columns. */
export function recordSpan(reader: CaseReader, input?: number): { first: bigint; last: bigint } | null {
  const where = input === undefined ? '' : 'WHERE input_id = ?';
  const arg = input === undefined ? [] : [input];
  let first: bigint | null = null;
  let last: bigint | null = null;
  for (const [table, col] of [['dns', 'ts_ns'], ['tls', 'ts_ns'], ['http', 'ts_ns'], ['flows', 'first_ts_ns']] as const) {
    // Two single-aggregate queries: SQLite answers each from the index, not a scan.
    const lo = reader.db.prepare(`SELECT CAST(min(${col}) AS TEXT) FROM ${table} ${where}`).pluck().get(...arg) as string | null;
    const hi = reader.db.prepare(`SELECT CAST(max(${col}) AS TEXT) FROM ${table} ${where}`).pluck().get(...arg) as string | null;
    if (lo !== null && (first === null || BigInt(lo) < first)) first = BigInt(lo);
    if (hi !== null && (last === null || BigInt(hi) > last)) last = BigInt(hi);
  }
  return first === null || last === null ? null : { first, last };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/**
 * Build the timeline for a query; `modes` are the labelled windows, `leaks` says
 * whether the findings tables hold leaks to draw.
 */
export function buildTimeline(reader: CaseReader, q: TimelineQuery, modes: ModeWindow[] | null, leaks: boolean): Timeline {
  return reader.cached(`timeline:${leaks}:${JSON.stringify(q)}`, () => compute(reader, q, modes, leaks));
}

function compute(reader: CaseReader, q: TimelineQuery, modes: ModeWindow[] | null, leaks: boolean): Timeline {
  const span = recordSpan(reader, q.input);
  const fromNs = q.from !== undefined ? nsFromInstant(q.from) : span?.first ?? null;
  const toNs = q.to !== undefined ? nsFromInstant(q.to) : span?.last ?? null;
  const digits = reader.caseDigits();
  if (fromNs === null || toNs === null) {
    return { span: null, bucketMs: 0, buckets: [], devices: [], destinations: [], deviceLanes: 0, destinationLanes: 0, modes };
  }
  if (toNs < fromNs) throw new ApiFailure('invalid-params', 'timeline.get: `to` is before `from`');
  const width = toNs - fromNs + 1n;
  let bucketNs = q.bucketMs !== undefined
    ? BigInt(Math.ceil(q.bucketMs * 1e6))
    : ceilDiv(width, BigInt(q.buckets ?? DEFAULT_BUCKETS));
  if (bucketNs < MIN_BUCKET_NS) bucketNs = MIN_BUCKET_NS;
  if (ceilDiv(width, bucketNs) > BigInt(MAX_TIMELINE_BUCKETS)) bucketNs = ceilDiv(width, BigInt(MAX_TIMELINE_BUCKETS));
  const nBuckets = Number(ceilDiv(width, bucketNs));

  const ix = eventsFor(reader, q, fromNs, toNs, leaks);
  const sel = select(ix, fromNs, toNs, bucketNs, q.input, leaks);
  const buckets = bucketTotals(ix, sel, fromNs, bucketNs, nBuckets);
  const maxLanes = q.maxLanes ?? DEFAULT_LANES;
  const maxEvents = q.maxEventsPerLane ?? DEFAULT_EVENTS_PER_LANE;
  const deviceLanes = { count: 0 };
  const destinationLanes = { count: 0 };
  const devices = lanes(reader, ix, sel, ix.dev, maxLanes, maxEvents, nBuckets, digits, deviceLanes);
  const destinations = lanes(reader, ix, sel, ix.dest, maxLanes, maxEvents, nBuckets, digits, destinationLanes);
  // One pass for both groups: the top devices and destinations share most of their events.
  labelEvents(reader, [...devices, ...destinations]);
  describeDevices(reader, devices);
  describeDestinations(reader, destinations);
  return {
    span: spanOf(fromNs, toNs, digits),
    bucketMs: Number(bucketNs) / 1e6,
    buckets,
    devices,
    destinations,
    deviceLanes: deviceLanes.count,
    destinationLanes: destinationLanes.count,
    modes,
  };
}

/**
 * The events to count: the index stored with the view summaries when they are current,
 * else one read from the records — of the whole case (kept for this case version) when
 * the query asks for all of it or the whole case was read already, else of the
 * requested range and input only.
 */
function eventsFor(reader: CaseReader, q: TimelineQuery, fromNs: bigint, toNs: bigint, leaks: boolean): TimelineIndex {
  if (reader.summariesCurrent()) {
    const stored = reader.cached('timeline-index:stored', () => readTimelineIndex(reader.db));
    if (stored !== null) return stored;
  }
  const key = `timeline-index:records:${leaks}`;
  const whole = reader.peek<TimelineIndex>(key);
  if (whole !== undefined) return whole;
  if (q.from === undefined && q.to === undefined && q.input === undefined) {
    return reader.cached(key, () => collectTimelineEvents(reader.db, { leaks }));
  }
  return collectTimelineEvents(reader.db, { from: fromNs, to: toNs, input: q.input, leaks });
}

/** The events in range (and input) and the bucket of each. */
interface Selection {
  n: number;
  events: Int32Array;
  bucket: Int32Array;
}

function select(ix: TimelineIndex, fromNs: bigint, toNs: bigint, bucketNs: bigint, input: number | undefined, leaks: boolean): Selection {
  const start = searchTs(ix, fromNs, false);
  const end = searchTs(ix, toNs, true);
  const cap = Math.max(0, end - start);
  const events = new Int32Array(cap);
  const bucket = new Int32Array(cap);
  const bucketOf = bucketFn(fromNs, toNs, bucketNs);
  let n = 0;
  for (let i = start; i < end; i++) {
    if (input !== undefined && ix.input[i] !== input) continue;
    if (!leaks && ix.kind[i] === K_LEAK) continue;
    events[n] = i;
    bucket[n] = bucketOf(ix, i);
    n++;
  }
  return { n, events, bucket };
}

/** floor((ts - from) / width) for events in [from, to], exactly: in doubles when the range allows, else in BigInt. */
function bucketFn(fromNs: bigint, toNs: bigint, bucketNs: bigint): (ix: TimelineIndex, i: number) => number {
  if (toNs - fromNs >= EXACT_NS) return (ix, i) => Number((eventTs(ix, i) - fromNs) / bucketNs);
  if (bucketNs >= EXACT_NS) return () => 0;
  const from = splitNs(fromNs);
  const w = Number(bucketNs);
  // d and w are exact integers below 2^52, so d / w is off by less than 1 / (2w): never
  // enough to cross an integer, and the floor is exact.
  return (ix, i) => Math.floor(((ix.hi[i] - from.hi) * LO_SPAN + (ix.lo[i] - from.lo)) / w);
}

function bucketTotals(ix: TimelineIndex, sel: Selection, fromNs: bigint, bucketNs: bigint, n: number): TimelineBucket[] {
  const buckets: TimelineBucket[] = [];
  for (let i = 0; i < n; i++) {
    buckets.push({ startMs: msFromNs(fromNs + BigInt(i) * bucketNs), dns: 0, tls: 0, http: 0, flows: 0, bytes: 0, leaks: 0 });
  }
  for (let s = 0; s < sel.n; s++) {
    const e = sel.events[s];
    const bucket = buckets[sel.bucket[s]];
    bucket.bytes += ix.bytes[e];
    const kind = ix.kind[e];
    if (kind === K_DNS) bucket.dns++;
    else if (kind === K_TLS) bucket.tls++;
    else if (kind === K_HTTP) bucket.http++;
    else if (kind === K_LEAK) bucket.leaks++;
    else bucket.flows++;
  }
  return buckets;
}

function lanes(
  reader: CaseReader,
  ix: TimelineIndex,
  sel: Selection,
  col: Uint32Array,
  maxLanes: number,
  maxEvents: number,
  nBuckets: number,
  digits: number,
  laneTotal: { count: number },
): TimelineLane[] {
  const perKey = new Int32Array(ix.keys.length);
  for (let s = 0; s < sel.n; s++) perKey[col[sel.events[s]]]++;
  let distinct = 0;
  for (let k = 0; k < perKey.length; k++) if (perKey[k] > 0) distinct++;
  if (maxLanes === 0) {
    laneTotal.count = distinct;
    return [];
  }
  const top = topKeys(perKey, ix.keys, maxLanes);
  laneTotal.count = top.length > 0 ? distinct : 0;
  if (top.length === 0) return [];
  const slot = new Int32Array(ix.keys.length).fill(-1);
  const out: TimelineLane[] = top.map((k, j) => {
    slot[k] = j;
    return { key: ix.keys[k], label: ix.keys[k], detail: null, total: perKey[k], counts: new Array<number>(nBuckets).fill(0), events: [] };
  });
  // The first event of each lane and bucket, and every event of a sparse lane.
  const first = new Int32Array(top.length * nBuckets).fill(-1);
  const all = top.map((k) => (perKey[k] <= maxEvents ? [] as number[] : null));
  for (let s = 0; s < sel.n; s++) {
    const e = sel.events[s];
    const j = slot[col[e]];
    if (j < 0) continue;
    const b = sel.bucket[s];
    out[j].counts[b]++;
    const cell = j * nBuckets + b;
    const f = first[cell];
    // Events come in (time, kind, id) order, so only a tie in time can change the first.
    if (f < 0 || (ix.hi[e] === ix.hi[f] && ix.lo[e] === ix.lo[f] && FIRST_RANK[ix.kind[e]] < FIRST_RANK[ix.kind[f]])) first[cell] = e;
    all[j]?.push(e);
  }
  for (let j = 0; j < out.length; j++) {
    let refs = all[j];
    if (refs === null) {
      refs = [];
      for (let b = 0; b < nBuckets; b++) {
        const f = first[j * nBuckets + b];
        if (f >= 0) refs.push(f);
      }
    }
    out[j].events = spread(refs, maxEvents).map((e): TimelineEvent => {
      const ns = eventTs(ix, e);
      return { kind: KINDS[ix.kind[e]], id: ix.id[e], ts: isoFromNs(ns, digits), tsMs: msFromNs(ns), label: '' };
    });
  }
  return out;
}

/** Keys with the most events, ties in SQLite's BINARY order of the key; at most `max`. */
function topKeys(perKey: Int32Array, keys: readonly string[], max: number): number[] {
  let pool: number[] = [];
  for (let k = 0; k < perKey.length; k++) if (perKey[k] > 0) pool.push(k);
  if (pool.length > max) {
    // Only keys at or above the max-th largest count can make the cut: sort those alone.
    const counts = Float64Array.from(pool, (k) => perKey[k]).sort();
    const threshold = counts[counts.length - max];
    pool = pool.filter((k) => perKey[k] >= threshold);
  }
  pool.sort((a, b) => perKey[b] - perKey[a] || compareBinary(keys[a], keys[b]));
  return pool.slice(0, max);
}

/**
 * Compare strings as SQLite's BINARY collation does (by UTF-8 bytes). JavaScript
 * compares UTF-16 units, which orders the same unless a surrogate pair is involved.
 */
function compareBinary(a: string, b: string): number {
  if (hasSurrogate(a) || hasSurrogate(b)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : a > b ? 1 : 0;
}

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/** At most `max` items, evenly spaced, first and last kept. */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max <= 0) return [];
  if (max === 1) return [items[0]];
  const out: T[] = [];
  const step = (items.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(items[Math.round(i * step)]);
  return out;
}

/** Fill event labels with one query per kind. */
function labelEvents(reader: CaseReader, laneList: TimelineLane[]): void {
  const idsByKind = new Map<TimelineKind, Set<number>>();
  for (const lane of laneList) {
    for (const e of lane.events) {
      let set = idsByKind.get(e.kind);
      if (set === undefined) idsByKind.set(e.kind, (set = new Set()));
      set.add(e.id);
    }
  }
  const labels = new Map<string, string>();
  // A leak mark opens the HTTP exchange the value was found in.
  const leakHttp = new Map<number, number>();
  for (const [kind, set] of idsByKind) {
    // The ids as one JSON array: one statement per kind however many events there are.
    for (const r of reader.db.prepare(LABEL_SQL[kind]).all(JSON.stringify([...set])) as SqlRow[]) {
      labels.set(`${kind}:${r.id as number}`, eventLabel(kind, r));
      if (kind === 'leak') leakHttp.set(r.id as number, r.http_id as number);
    }
  }
  for (const lane of laneList) {
    for (const e of lane.events) {
      e.label = labels.get(`${e.kind}:${e.id}`) ?? e.kind;
      const httpId = e.kind === 'leak' ? leakHttp.get(e.id) : undefined;
      if (httpId !== undefined) e.evidence = { kind: 'http', id: httpId };
    }
  }
}

const IDS = 'id IN (SELECT value FROM json_each(?))';
const LABEL_SQL: Readonly<Record<TimelineKind, string>> = {
  dns: `SELECT id, response, qname, qtype, answers FROM dns WHERE ${IDS}`,
  tls: `SELECT id, transport, sni, dst_ip FROM tls WHERE ${IDS}`,
  http: `SELECT id, method, host, uri, status FROM http WHERE ${IDS}`,
  flow: `SELECT id, proto, dst_ip, dst_port, app, bytes_up + bytes_down AS bytes FROM flows WHERE ${IDS}`,
  leak: `SELECT id, kind, value, dest_host, http_id FROM leaks WHERE ${IDS}`,
};

const LABEL_MAX = 120;

function cut(s: string): string {
  return s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s;
}

function eventLabel(kind: TimelineKind, r: SqlRow): string {
  switch (kind) {
    case 'dns': {
      const q = `${rrTypeName(r.qtype as number)} ${r.qname as string}`;
      if (r.response !== 1) return cut(q);
      let first = '';
      try {
        const answers = JSON.parse(r.answers as string) as Array<{ data: string }>;
        first = answers.length > 0 ? ` → ${answers[0].data}${answers.length > 1 ? ` (+${answers.length - 1})` : ''}` : ' → no answer';
      } catch {
        first = '';
      }
      return cut(`${q}${first}`);
    }
    case 'tls':
      return cut(`${r.transport === 'quic' ? 'QUIC' : 'TLS'} ${(r.sni as string | null) ?? (r.dst_ip as string)}`);
    case 'http':
      return cut(`${r.method as string} ${(r.host as string | null) ?? ''}${r.uri as string}${r.status !== null ? ` → ${r.status as number}` : ''}`);
    case 'flow':
      return cut(`${(r.app as string | null) ?? (r.proto as string)} ${r.dst_ip as string}:${r.dst_port as number} · ${r.bytes as number} B`);
    case 'leak':
      return cut(`${r.kind as string} leak: ${r.value as string}${r.dest_host !== null ? ` → ${r.dest_host as string}` : ''}`);
  }
}

/** Device lanes: the address, with the MAC and local names seen for it. */
function describeDevices(reader: CaseReader, laneList: TimelineLane[]): void {
  const keys = laneList.map((l) => l.key).filter((k) => k !== '');
  const macs = new Map<string, string>();
  if (keys.length > 0) {
    const marks = keys.map(() => '?').join(',');
    // The summary holds this aggregate for every client; without it, one pass over the
    // flows for every lane (flows have no index on the client address).
    const rows = reader.db.prepare(reader.summariesCurrent()
      ? `SELECT ip, mac FROM summary_client_macs WHERE ip IN (${marks})`
      : `SELECT src_ip AS ip, min(src_mac) AS mac FROM flows WHERE src_mac IS NOT NULL AND src_ip IN (${marks}) GROUP BY src_ip`)
      .all(...keys) as Array<{ ip: string; mac: string }>;
    for (const r of rows) macs.set(r.ip, r.mac);
  }
  const names = reader.db.prepare('SELECT DISTINCT name FROM names WHERE ip = ? ORDER BY name LIMIT 3').pluck();
  for (const lane of laneList) {
    if (lane.key === '') {
      lane.label = 'HAR browser';
      lane.detail = 'HAR files carry no client address';
      continue;
    }
    const parts = [...(names.all(lane.key) as string[])];
    const m = macs.get(lane.key);
    if (m !== undefined) parts.push(m);
    lane.detail = parts.length > 0 ? parts.join(' · ') : null;
  }
}

/** Destination lanes: the name, with the addresses it was reached at. */
function describeDestinations(reader: CaseReader, laneList: TimelineLane[]): void {
  const ips = reader.db.prepare('SELECT DISTINCT ip FROM hosts WHERE name = ? ORDER BY ip LIMIT 4').pluck();
  for (const lane of laneList) {
    const list = ips.all(lane.key) as string[];
    lane.detail = list.length === 0 ? null : list.length > 3 ? `${list.slice(0, 3).join(', ')}, …` : list.join(', ');
  }
}
