/**
 * timeline.get: per-bucket counts by kind, and lanes per device (client address) and
 * per destination (host name, else server address). Everything is aggregated in SQL
 * over one temporary table of (kind, id, time, bucket, device, destination) built for
 * the requested range, so a 500k-packet case costs a few scans, not 500k JS objects.
 *
 * A lane carries its count per bucket plus a bounded set of events: every event when
 * the lane is sparse, else the first event of each bucket, so the lane still shows
 * where things happened and the counts say how much.
 */
import { ApiFailure } from '../../../shared/api.ts';
import { MAX_TIMELINE_BUCKETS } from '../../../shared/model.ts';
import type { ModeWindow, Timeline, TimelineBucket, TimelineEvent, TimelineKind, TimelineLane, TimelineQuery } from '../../../shared/model.ts';
import { rrTypeName } from '../export/rr-types.ts';
import type { CaseReader } from './case-reader.ts';
import { msFromNs, nsFromInstant, spanOf, stamp } from './instants.ts';
import { HOST_NAME_SQL } from './rows.ts';
import type { SqlRow } from './rows.ts';

const DEFAULT_BUCKETS = 120;
const DEFAULT_LANES = 12;
const DEFAULT_EVENTS_PER_LANE = 200;
/** No bucket is narrower than a microsecond: captures rarely resolve finer. */
const MIN_BUCKET_NS = 1000n;

/** Kind codes in the temporary table, in the order of TimelineKind. */
const KINDS: readonly TimelineKind[] = ['dns', 'tls', 'http', 'flow', 'leak'];
const K_DNS = 0;
const K_TLS = 1;
const K_HTTP = 2;
const K_FLOW = 3;
const K_LEAK = 4;

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

  fillEvents(reader, fromNs, toNs, bucketNs, q.input, leaks);
  const buckets = bucketTotals(reader, fromNs, bucketNs, nBuckets);
  const maxLanes = q.maxLanes ?? DEFAULT_LANES;
  const maxEvents = q.maxEventsPerLane ?? DEFAULT_EVENTS_PER_LANE;
  const deviceLanes = { count: 0 };
  const destinationLanes = { count: 0 };
  const devices = lanes(reader, 'dev', maxLanes, maxEvents, nBuckets, digits, deviceLanes);
  const destinations = lanes(reader, 'dest', maxLanes, maxEvents, nBuckets, digits, destinationLanes);
  describeDevices(reader, devices);
  describeDestinations(reader, destinations);
  const result: Timeline = {
    span: spanOf(fromNs, toNs, digits),
    bucketMs: Number(bucketNs) / 1e6,
    buckets,
    devices,
    destinations,
    deviceLanes: deviceLanes.count,
    destinationLanes: destinationLanes.count,
    modes,
  };
  reader.db.exec('DELETE FROM temp.tl_ev');
  return result;
}

/** (Re)fill the temporary event table for [fromNs, toNs]. */
function fillEvents(reader: CaseReader, fromNs: bigint, toNs: bigint, bucketNs: bigint, input: number | undefined, leaks: boolean): void {
  const db = reader.db;
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS tl_ev (kind INTEGER, id INTEGER, ts INTEGER, b INTEGER, dev TEXT, dest TEXT, bytes INTEGER);
    DELETE FROM temp.tl_ev;`);
  const range = (col: string, inputCol = 'input_id'): string =>
    `${col} >= ? AND ${col} <= ?${input === undefined ? '' : ` AND ${inputCol} = ?`}`;
  const args = (): unknown[] => (input === undefined ? [fromNs, bucketNs, fromNs, toNs] : [fromNs, bucketNs, fromNs, toNs, input]);
  // A flow is named after its server address's best-attested name: SNI and Host
  // headers say what the client meant to reach, a DNS answer only what it resolved.
  reader.derived('tl_names', () => {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS tl_names (ip TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
      DELETE FROM temp.tl_names;
      INSERT INTO temp.tl_names SELECT ip, name FROM (
        SELECT ip, name, min((CASE source WHEN 'sni' THEN 0 WHEN 'http' THEN 1 WHEN 'har' THEN 1 WHEN 'dns' THEN 2 ELSE 3 END) * 1e12 - count)
        FROM hosts GROUP BY ip);`);
  });
  db.prepare(`INSERT INTO temp.tl_ev
    SELECT ${K_FLOW}, f.id, f.first_ts_ns, (f.first_ts_ns - ?) / ?, f.src_ip, coalesce(n.name, f.dst_ip), f.bytes_up + f.bytes_down
    FROM flows f LEFT JOIN temp.tl_names n ON n.ip = f.dst_ip
    WHERE ${range('f.first_ts_ns', 'f.input_id')}`).run(...args());
  db.prepare(`INSERT INTO temp.tl_ev
    SELECT ${K_DNS}, id, ts_ns, (ts_ns - ?) / ?, CASE WHEN response = 1 THEN dst_ip ELSE src_ip END, rtrim(lower(qname), '.'), 0
    FROM dns WHERE ${range('ts_ns')}`).run(...args());
  db.prepare(`INSERT INTO temp.tl_ev
    SELECT ${K_TLS}, id, ts_ns, (ts_ns - ?) / ?, src_ip, coalesce(lower(sni), dst_ip), 0
    FROM tls WHERE ${range('ts_ns')}`).run(...args());
  // HAR entries have no flow: their body sizes stand in for the bytes.
  db.prepare(`INSERT INTO temp.tl_ev
    SELECT ${K_HTTP}, id, ts_ns, (ts_ns - ?) / ?, src_ip, coalesce(nullif(${HOST_NAME_SQL}, ''), dst_ip),
      CASE WHEN source = 'har' THEN request_body_size + response_body_size ELSE 0 END
    FROM http WHERE ${range('ts_ns')}`).run(...args());
  if (leaks) {
    // A leak sits in the lanes of the device that sent the request and of its receiver.
    db.prepare(`INSERT INTO temp.tl_ev
      SELECT ${K_LEAK}, l.id, l.ts_ns, (l.ts_ns - ?) / ?, h.src_ip, coalesce(l.dest_host, l.dest_ip, h.dst_ip), 0
      FROM leaks l JOIN http h ON h.id = l.http_id WHERE ${range('l.ts_ns', 'l.input_id')}`).run(...args());
  }
}

function bucketTotals(reader: CaseReader, fromNs: bigint, bucketNs: bigint, n: number): TimelineBucket[] {
  const buckets: TimelineBucket[] = [];
  for (let i = 0; i < n; i++) {
    buckets.push({ startMs: msFromNs(fromNs + BigInt(i) * bucketNs), dns: 0, tls: 0, http: 0, flows: 0, bytes: 0, leaks: 0 });
  }
  const rows = reader.db.prepare('SELECT b, kind, count(*) AS n, sum(bytes) AS bytes FROM temp.tl_ev GROUP BY b, kind')
    .all() as Array<{ b: number; kind: number; n: number; bytes: number }>;
  for (const r of rows) {
    const bucket = buckets[r.b];
    if (bucket === undefined) continue;
    bucket.bytes += r.bytes;
    if (r.kind === K_DNS) bucket.dns += r.n;
    else if (r.kind === K_TLS) bucket.tls += r.n;
    else if (r.kind === K_HTTP) bucket.http += r.n;
    else if (r.kind === K_LEAK) bucket.leaks += r.n;
    else bucket.flows += r.n;
  }
  return buckets;
}

interface EventRef {
  kind: number;
  id: number;
  ts: string;
}

function lanes(
  reader: CaseReader,
  col: 'dev' | 'dest',
  maxLanes: number,
  maxEvents: number,
  nBuckets: number,
  digits: number,
  laneTotal: { count: number },
): TimelineLane[] {
  if (maxLanes === 0) {
    laneTotal.count = reader.db.prepare(`SELECT count(DISTINCT ${col}) FROM temp.tl_ev`).pluck().get() as number;
    return [];
  }
  const db = reader.db;
  // The window count gives the number of lanes in the same pass as the top ones.
  const top = db.prepare(`SELECT key, n, count(*) OVER () AS lanes FROM
      (SELECT ${col} AS key, count(*) AS n FROM temp.tl_ev GROUP BY ${col}) ORDER BY n DESC, key LIMIT ?`)
    .all(maxLanes) as Array<{ key: string; n: number; lanes: number }>;
  laneTotal.count = top[0]?.lanes ?? 0;
  const byKey = new Map<string, { lane: TimelineLane; refs: EventRef[] }>();
  for (const t of top) {
    const lane: TimelineLane = { key: t.key, label: t.key, detail: null, total: t.n, counts: new Array<number>(nBuckets).fill(0), events: [] };
    byKey.set(t.key, { lane, refs: [] });
  }
  if (top.length === 0) return [];
  const keys = top.map((t) => t.key);
  const marks = keys.map(() => '?').join(',');
  // Counts per bucket, and with them the first event of each bucket (SQLite takes the
  // bare columns from the row that holds the min()).
  const cells = db.prepare(`SELECT ${col} AS key, b, count(*) AS n, kind, id, CAST(min(ts) AS TEXT) AS ts
    FROM temp.tl_ev WHERE ${col} IN (${marks}) GROUP BY ${col}, b ORDER BY ${col}, b`).all(...keys) as Array<{ key: string; b: number; n: number } & EventRef>;
  for (const c of cells) {
    const entry = byKey.get(c.key);
    if (entry === undefined) continue;
    if (c.b >= 0 && c.b < nBuckets) entry.lane.counts[c.b] = c.n;
    entry.refs.push({ kind: c.kind, id: c.id, ts: c.ts });
  }
  const sparse = top.filter((t) => t.n <= maxEvents).map((t) => t.key);
  if (sparse.length > 0) {
    for (const entry of byKey.values()) if (entry.lane.total <= maxEvents) entry.refs = [];
    const all = db.prepare(`SELECT ${col} AS key, kind, id, CAST(ts AS TEXT) AS ts FROM temp.tl_ev
      WHERE ${col} IN (${sparse.map(() => '?').join(',')}) ORDER BY ts, kind, id`).all(...sparse) as Array<{ key: string } & EventRef>;
    for (const e of all) byKey.get(e.key)?.refs.push({ kind: e.kind, id: e.id, ts: e.ts });
  }
  const lanesOut: TimelineLane[] = [];
  for (const { lane, refs } of byKey.values()) {
    // Already in time order: the first events of successive buckets, or a lane's events ORDER BY ts.
    const picked = spread(refs, maxEvents);
    lane.events = picked.map((r): TimelineEvent => ({ kind: KINDS[r.kind], id: r.id, ...stamp(r.ts, digits), label: '' }));
    lanesOut.push(lane);
  }
  labelEvents(reader, lanesOut);
  return lanesOut;
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
    const ids = [...set];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const marks = chunk.map(() => '?').join(',');
      for (const r of reader.db.prepare(LABEL_SQL[kind].replace('$IDS', marks)).all(...chunk) as SqlRow[]) {
        labels.set(`${kind}:${r.id as number}`, eventLabel(kind, r));
        if (kind === 'leak') leakHttp.set(r.id as number, r.http_id as number);
      }
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

const LABEL_SQL: Readonly<Record<TimelineKind, string>> = {
  dns: 'SELECT id, response, qname, qtype, answers FROM dns WHERE id IN ($IDS)',
  tls: 'SELECT id, transport, sni, dst_ip FROM tls WHERE id IN ($IDS)',
  http: 'SELECT id, method, host, uri, status FROM http WHERE id IN ($IDS)',
  flow: 'SELECT id, proto, dst_ip, dst_port, app, bytes_up + bytes_down AS bytes FROM flows WHERE id IN ($IDS)',
  leak: 'SELECT id, kind, value, dest_host, http_id FROM leaks WHERE id IN ($IDS)',
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
    // One pass over the flows for every lane: flows have no index on the client address.
    const rows = reader.db.prepare(`SELECT src_ip, min(src_mac) AS mac FROM flows
      WHERE src_mac IS NOT NULL AND src_ip IN (${keys.map(() => '?').join(',')}) GROUP BY src_ip`).all(...keys) as Array<{ src_ip: string; mac: string }>;
    for (const r of rows) macs.set(r.src_ip, r.mac);
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
