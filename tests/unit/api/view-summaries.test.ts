/**
 * The overview, hosts list and timeline on a case made by importing corpus captures:
 * answered from the view summaries (written by the analysis after each import) and
 * from the records, both checked against straightforward reference queries written
 * here, and never from summaries older than the records.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline, TimelineQuery } from '../../../shared/model.ts';
import type { CaseReader } from '../../../electron/engine/api/case-reader.ts';
import { HOST_NAME_SQL } from '../../../electron/engine/api/rows.ts';
import { runAnalysis } from '../../../electron/engine/findings/analysis.ts';
import { writeViewSummaries } from '../../../electron/engine/store/view-summaries.ts';
import { corpusCase } from './corpus-case.ts';
import type { CorpusCase } from './corpus-case.ts';

const FILES = [
  'zeek__tls12-chrome-34-google.pcap',
  'zeek__http-pipelined-requests.pcap',
  'zeek__pcapng-multi-interface.pcapng',
  'pcapplusplus__nanosecs_big_endian.pcap',
  'pcapplusplus__dns_over_tcp.pcapng',
  'zeek__quic-curl-http3-google-de.pcap',
  'ndpi__http_ipv6.pcap',
  'mitmproxy__firefox.har',
  'pagexray__assa-chrome-har-3pages.har',
];

let c: CorpusCase;
let raw: Database.Database;
beforeAll(async () => {
  c = await corpusCase(FILES);
  // A second connection, as the import worker has: its commits are what the views must notice.
  raw = new Database(c.engine.casePath as string);
  raw.pragma('foreign_keys = ON');
}, 60_000);
afterAll(async () => {
  raw?.close();
  await c?.cleanup();
});

function reader(): CaseReader {
  return (c.engine as unknown as { reader: CaseReader }).reader;
}

function binary(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function msOf(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

// ---- references: each view's numbers from plain per-table queries, combined in JS ----------

interface HostTotals { flows: number; requests: number; packets: number; bytesUp: number; bytesDown: number; first: bigint; last: bigint }

function referenceHosts(input?: number): Map<string, HostTotals> {
  const where = input === undefined ? '' : `AND input_id = ${input}`;
  const out = new Map<string, HostTotals>();
  const add = (ip: string, t: HostTotals): void => {
    const h = out.get(ip);
    if (h === undefined) {
      out.set(ip, t);
      return;
    }
    h.flows += t.flows;
    h.requests += t.requests;
    h.packets += t.packets;
    h.bytesUp += t.bytesUp;
    h.bytesDown += t.bytesDown;
    if (t.first < h.first) h.first = t.first;
    if (t.last > h.last) h.last = t.last;
  };
  for (const r of raw.prepare(`SELECT dst_ip, packets_up + packets_down AS p, bytes_up, bytes_down, CAST(first_ts_ns AS TEXT) AS f,
      CAST(last_ts_ns AS TEXT) AS l FROM flows WHERE 1 ${where}`).all() as Array<{ dst_ip: string; p: number; bytes_up: number; bytes_down: number; f: string; l: string }>) {
    add(r.dst_ip, { flows: 1, requests: 0, packets: r.p, bytesUp: r.bytes_up, bytesDown: r.bytes_down, first: BigInt(r.f), last: BigInt(r.l) });
  }
  // Only HAR entries add bytes: dissected HTTP is already counted in its flow.
  for (const r of raw.prepare(`SELECT dst_ip, source, request_body_size AS up, response_body_size AS down, CAST(ts_ns AS TEXT) AS f,
      CAST(coalesce(response_ts_ns, ts_ns) AS TEXT) AS l FROM http WHERE dst_ip <> '' ${where}`).all() as Array<{ dst_ip: string; source: string; up: number; down: number; f: string; l: string }>) {
    const har = r.source === 'har';
    add(r.dst_ip, { flows: 0, requests: 1, packets: 0, bytesUp: har ? r.up : 0, bytesDown: har ? r.down : 0, first: BigInt(r.f), last: BigInt(r.l) });
  }
  return out;
}

function referenceDestinations(limit: number): Array<Record<string, unknown>> {
  const names = new Map<string, { http: number; tls: number; dns: number; first: bigint }>();
  const add = (name: string, kind: 'http' | 'tls' | 'dns', ts: string): void => {
    let d = names.get(name);
    if (d === undefined) names.set(name, (d = { http: 0, tls: 0, dns: 0, first: BigInt(ts) }));
    d[kind]++;
    if (BigInt(ts) < d.first) d.first = BigInt(ts);
  };
  for (const r of raw.prepare(`SELECT ${HOST_NAME_SQL} AS n, CAST(ts_ns AS TEXT) AS ts FROM http WHERE host <> ''`).all() as Array<{ n: string; ts: string }>) add(r.n, 'http', r.ts);
  for (const r of raw.prepare(`SELECT lower(sni) AS n, CAST(ts_ns AS TEXT) AS ts FROM tls WHERE sni <> ''`).all() as Array<{ n: string; ts: string }>) add(r.n, 'tls', r.ts);
  for (const r of raw.prepare(`SELECT rtrim(lower(qname), '.') AS n, CAST(ts_ns AS TEXT) AS ts FROM dns
      WHERE response = 0 AND flavor = 'dns' AND qname <> ''`).all() as Array<{ n: string; ts: string }>) add(r.n, 'dns', r.ts);
  const total = (d: { http: number; tls: number; dns: number }): number => d.http + d.tls + d.dns;
  const top = [...names].sort(([a, x], [b, y]) => total(y) - total(x) || binary(a, b)).slice(0, limit);
  return top.map(([name, d]) => {
    const ips = raw.prepare('SELECT DISTINCT ip FROM hosts WHERE name = ? ORDER BY ip').pluck().all(name) as string[];
    let up = 0;
    let down = 0;
    for (const ip of ips) {
      const f = raw.prepare('SELECT coalesce(sum(bytes_up), 0) AS u, coalesce(sum(bytes_down), 0) AS d FROM flows WHERE dst_ip = ?').get(ip) as { u: number; d: number };
      const h = raw.prepare(`SELECT coalesce(sum(request_body_size), 0) AS u, coalesce(sum(response_body_size), 0) AS d FROM http
        WHERE source = 'har' AND dst_ip = ?`).get(ip) as { u: number; d: number };
      up += f.u + h.u;
      down += f.d + h.d;
    }
    return { name, ips, http: d.http, tls: d.tls, dns: d.dns, bytesUp: up, bytesDown: down, firstMs: msOf(d.first) };
  });
}

interface RefEvent { kind: number; id: number; ts: bigint; input: number; dev: string; dest: string; bytes: number }

/** Kind codes as the API numbers them: dns, tls, http, flow, leak. */
const KINDS = ['dns', 'tls', 'http', 'flow', 'leak'];
/** At one instant, a bucket's first event is a flow, then DNS, TLS, HTTP, leak; then the lowest id. */
const FIRST_RANK = [1, 2, 3, 0, 4];

function referenceEvents(leaks: boolean): RefEvent[] {
  // A flow's destination is its server address's name from SNI, then Host, then DNS, most sightings first.
  const rows = raw.prepare(`
    SELECT 3 AS kind, f.id, CAST(f.first_ts_ns AS TEXT) AS ts, f.input_id AS input, f.src_ip AS dev,
      coalesce((SELECT h.name FROM hosts h WHERE h.ip = f.dst_ip
        ORDER BY CASE h.source WHEN 'sni' THEN 0 WHEN 'http' THEN 1 WHEN 'har' THEN 1 WHEN 'dns' THEN 2 ELSE 3 END, h.count DESC, h.name, h.source
        LIMIT 1), f.dst_ip) AS dest, f.bytes_up + f.bytes_down AS bytes FROM flows f
    UNION ALL SELECT 0, id, CAST(ts_ns AS TEXT), input_id, CASE WHEN response = 1 THEN dst_ip ELSE src_ip END, rtrim(lower(qname), '.'), 0 FROM dns
    UNION ALL SELECT 1, id, CAST(ts_ns AS TEXT), input_id, src_ip, coalesce(lower(sni), dst_ip), 0 FROM tls
    UNION ALL SELECT 2, id, CAST(ts_ns AS TEXT), input_id, src_ip, coalesce(nullif(${HOST_NAME_SQL}, ''), dst_ip),
      CASE WHEN source = 'har' THEN request_body_size + response_body_size ELSE 0 END FROM http
    ${leaks ? `UNION ALL SELECT 4, l.id, CAST(l.ts_ns AS TEXT), l.input_id, h.src_ip, coalesce(l.dest_host, l.dest_ip, h.dst_ip), 0
      FROM leaks l JOIN http h ON h.id = l.http_id` : ''}`).all() as Array<Omit<RefEvent, 'ts'> & { ts: string }>;
  return rows.map((r) => ({ ...r, ts: BigInt(r.ts) }));
}

function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max <= 0) return [];
  if (max === 1) return [items[0]];
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]);
}

/** The parts of a timeline the reference computes: buckets, lanes with counts and which events they show. */
function shape(t: Timeline) {
  const lane = (l: Timeline['devices'][number]) => ({ key: l.key, total: l.total, counts: l.counts, events: l.events.map((e) => `${e.kind}:${e.id}@${e.tsMs}`) });
  return {
    bucketMs: t.bucketMs,
    buckets: t.buckets.map((b) => [b.dns, b.tls, b.http, b.flows, b.leaks, b.bytes]),
    devices: t.devices.map(lane),
    destinations: t.destinations.map(lane),
    deviceLanes: t.deviceLanes,
    destinationLanes: t.destinationLanes,
  };
}

function referenceTimeline(q: TimelineQuery, leaks: boolean): ReturnType<typeof shape> {
  const events = referenceEvents(leaks).filter((e) => q.input === undefined || e.input === q.input);
  const records = events.filter((e) => e.kind !== 4);
  const ns = (v: number | string | undefined, pick: (a: bigint, b: bigint) => bigint): bigint =>
    typeof v === 'number' ? BigInt(Math.round(v * 1000)) * 1000n : records.map((e) => e.ts).reduce(pick);
  const from = ns(q.from, (a, b) => (a < b ? a : b));
  const to = ns(q.to, (a, b) => (a > b ? a : b));
  const ceil = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
  const width = to - from + 1n;
  let w = q.bucketMs !== undefined ? BigInt(Math.ceil(q.bucketMs * 1e6)) : ceil(width, BigInt(q.buckets ?? 120));
  if (w < 1000n) w = 1000n;
  if (ceil(width, w) > 2000n) w = ceil(width, 2000n);
  const n = Number(ceil(width, w));
  const inRange = events.filter((e) => e.ts >= from && e.ts <= to)
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.kind - b.kind || a.id - b.id));
  const bucketOf = (e: RefEvent): number => Number((e.ts - from) / w);
  const buckets = Array.from({ length: n }, () => [0, 0, 0, 0, 0, 0]);
  for (const e of inRange) {
    // Columns in the order of shape(): dns, tls, http, flows, leaks (the kind codes), then bytes.
    buckets[bucketOf(e)][e.kind]++;
    buckets[bucketOf(e)][5] += e.bytes;
  }
  const maxLanes = q.maxLanes ?? 12;
  const maxEvents = q.maxEventsPerLane ?? 200;
  const lanes = (col: 'dev' | 'dest') => {
    const groups = new Map<string, RefEvent[]>();
    for (const e of inRange) {
      const g = groups.get(e[col]);
      if (g === undefined) groups.set(e[col], [e]);
      else g.push(e);
    }
    const keys = [...groups.keys()].sort((a, b) => (groups.get(b)?.length ?? 0) - (groups.get(a)?.length ?? 0) || binary(a, b)).slice(0, maxLanes);
    const out = keys.map((key) => {
      const list = groups.get(key) as RefEvent[];
      const counts = new Array<number>(n).fill(0);
      const first = new Map<number, RefEvent>();
      for (const e of list) {
        const b = bucketOf(e);
        counts[b]++;
        const f = first.get(b);
        if (f === undefined || e.ts < f.ts || (e.ts === f.ts && (FIRST_RANK[e.kind] < FIRST_RANK[f.kind] || (e.kind === f.kind && e.id < f.id)))) first.set(b, e);
      }
      const shown = list.length <= maxEvents ? list : [...first].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
      return { key, total: list.length, counts, events: spread(shown, maxEvents).map((e) => `${KINDS[e.kind]}:${e.id}@${msOf(e.ts)}`) };
    });
    return { lanes: maxLanes === 0 ? [] : out, count: groups.size };
  };
  const dev = lanes('dev');
  const dest = lanes('dest');
  return {
    bucketMs: Number(w) / 1e6,
    buckets,
    devices: dev.lanes,
    destinations: dest.lanes,
    deviceLanes: dev.count,
    destinationLanes: dest.count,
  };
}

// ---- the views against the references ---------------------------------------------------

function timelineQueries(): TimelineQuery[] {
  const info = c.engine.caseInfo();
  const pipelined = info.inputs.find((i) => i.fileName === 'zeek__http-pipelined-requests.pcap');
  const har = info.inputs.find((i) => i.fileName === 'mitmproxy__firefox.har');
  const span = info.inputs.find((i) => i.fileName === 'zeek__pcapng-multi-interface.pcapng')?.span;
  return [
    {},
    { buckets: 400, maxLanes: 12, maxEventsPerLane: 1200 },
    { maxLanes: 0 },
    { maxLanes: 3, maxEventsPerLane: 2 },
    { input: pipelined?.id, bucketMs: 1000 },
    { input: har?.id, buckets: 37, maxEventsPerLane: 5 },
    // A range inside one capture (exact double arithmetic) and the whole case (decades: BigInt arithmetic).
    ...(span ? [{ from: span.fromMs + 1, to: (span.fromMs + span.toMs) / 2, buckets: 64, maxEventsPerLane: 3 }] : []),
  ];
}

function checkAgainstReferences(): void {
  const leaks = c.engine.caseInfo().features.findings;
  for (const q of timelineQueries()) {
    expect(shape(c.engine.timeline(q)), JSON.stringify(q)).toEqual(referenceTimeline(q, leaks));
  }
  for (const input of [undefined, ...c.engine.caseInfo().inputs.map((i) => i.id)]) {
    const ref = referenceHosts(input);
    const page = c.engine.hosts({ limit: 5000, sort: 'ip', ...(input === undefined ? {} : { input }) });
    expect(page.total).toBe(ref.size);
    for (const row of page.rows) {
      const r = ref.get(row.ip);
      expect(r, row.ip).toBeDefined();
      if (r === undefined) continue;
      expect({ flows: row.flows, requests: row.requests, packets: row.packets, bytesUp: row.bytesUp, bytesDown: row.bytesDown, from: row.span?.fromMs, to: row.span?.toMs })
        .toEqual({ flows: r.flows, requests: r.requests, packets: r.packets, bytesUp: r.bytesUp, bytesDown: r.bytesDown, from: msOf(r.first), to: msOf(r.last) });
    }
    const byBytes = [...ref].sort(([a, x], [b, y]) => y.bytesUp + y.bytesDown - (x.bytesUp + x.bytesDown) || binary(a, b)).map(([ip]) => ip);
    expect(c.engine.hosts({ limit: 7, offset: 2, ...(input === undefined ? {} : { input }) }).rows.map((r) => r.ip)).toEqual(byBytes.slice(2, 9));
  }
  const ov = c.engine.overview(20);
  expect(ov.topDestinations.map((d) => ({ name: d.name, ips: d.ips, http: d.http, tls: d.tls, dns: d.dns, bytesUp: d.bytesUp, bytesDown: d.bytesDown, firstMs: d.firstMs })))
    .toEqual(referenceDestinations(20));
  const protocols = raw.prepare(`SELECT coalesce(app, proto) AS app, count(*) AS flows, sum(packets_up + packets_down) AS packets,
    sum(bytes_up + bytes_down) AS bytes FROM flows GROUP BY 1`).all() as Array<{ app: string; bytes: number }>;
  expect(ov.protocols).toEqual(protocols.sort((a, b) => b.bytes - a.bytes || binary(a.app, b.app)));
}

/** Every view result the checks look at, for comparing the two ways of answering. */
function allViews() {
  return {
    overview: c.engine.overview(20),
    timelines: timelineQueries().map((q) => c.engine.timeline(q)),
    hosts: [c.engine.hosts({ limit: 50 }), c.engine.hosts({ limit: 50, sort: 'first', offset: 3 }), c.engine.hosts({ search: 'goo' })],
  };
}

describe('view summaries', () => {
  it('are written by the analysis that follows the import, and the views read them', () => {
    expect(c.engine.caseInfo().features.findings).toBe(true);
    expect(raw.prepare('SELECT count(*) FROM view_summaries').pluck().get()).toBe(1);
    expect(raw.prepare('SELECT sum(events) FROM timeline_chunks').pluck().get()).toBeGreaterThan(0);
    expect(reader().summariesCurrent()).toBe(true);
  });

  it('give the same views as the records, and both match the reference queries', () => {
    expect(reader().summariesCurrent()).toBe(true);
    const fromSummaries = allViews();
    checkAgainstReferences();
    raw.prepare('DELETE FROM view_summaries').run();
    expect(reader().summariesCurrent()).toBe(false);
    expect(allViews()).toEqual(fromSummaries);
    checkAgainstReferences();
    writeViewSummaries(raw);
    expect(reader().summariesCurrent()).toBe(true);
    expect(allViews()).toEqual(fromSummaries);
  });

  it('are never used once the records changed, until an analysis rebuilds them', async () => {
    expect(reader().summariesCurrent()).toBe(true);
    const flowsBefore = c.engine.timeline({}).buckets.reduce((a, b) => a + b.flows, 0);
    // What an import in progress looks like to the views: a new input and its first records.
    const input = Number(raw.prepare("INSERT INTO inputs (path, file_name, status, added_at) VALUES ('/x/new.pcap', 'new.pcap', 'importing', ?)")
      .run(new Date().toISOString()).lastInsertRowid);
    const ts = BigInt(raw.prepare('SELECT CAST(max(first_ts_ns) AS TEXT) FROM flows').pluck().get() as string) - 1000n;
    raw.prepare(`INSERT INTO flows (input_id, proto, src_ip, src_port, dst_ip, dst_port, first_frame, first_ts_ns, last_ts_ns,
      packets_up, packets_down, bytes_up, bytes_down, app) VALUES (?, 'tcp', '192.0.2.7', 50000, '198.51.100.9', 443, 1, ?, ?, 2, 3, 111, 2222, 'tls')`)
      .run(input, ts, ts + 5000n);
    raw.prepare("INSERT INTO hosts (ip, name, source, first_ts_ns, count, first_input_id, first_frame) VALUES ('198.51.100.9', 'new.example', 'sni', ?, 1, ?, 1)")
      .run(ts, input);
    expect(reader().summariesCurrent()).toBe(false);
    expect(c.engine.timeline({}).buckets.reduce((a, b) => a + b.flows, 0)).toBe(flowsBefore + 1);
    expect(c.engine.hosts({ search: 'new.example' }).rows.map((r) => [r.ip, r.bytesUp, r.bytesDown])).toEqual([['198.51.100.9', 111, 2222]]);
    checkAgainstReferences();
    // The import ends, the analysis runs (as the import worker does): current again, with the new records.
    raw.prepare("UPDATE inputs SET status = 'done', finished_at = ? WHERE id = ?").run(new Date().toISOString(), input);
    expect(reader().summariesCurrent()).toBe(false);
    await runAnalysis(raw);
    expect(reader().summariesCurrent()).toBe(true);
    expect(c.engine.timeline({}).buckets.reduce((a, b) => a + b.flows, 0)).toBe(flowsBefore + 1);
    checkAgainstReferences();
    // A link count changed in place (another sighting of a known link) can rename a flow's lane.
    raw.prepare("INSERT INTO hosts (ip, name, source, first_ts_ns, count) VALUES ('198.51.100.9', 'other.example', 'sni', ?, 5)").run(ts);
    expect(reader().summariesCurrent()).toBe(false);
    writeViewSummaries(raw);
    raw.prepare("UPDATE hosts SET count = 9 WHERE ip = '198.51.100.9' AND name = 'new.example'").run();
    expect(reader().summariesCurrent()).toBe(false);
    checkAgainstReferences();
  });

  it('are rebuilt by the re-analysis that follows a mode label change', async () => {
    const runBefore = raw.prepare("SELECT max(id) FROM analysis_runs WHERE status = 'done'").pluck().get() as number;
    const input = c.engine.caseInfo().inputs.find((i) => i.fileName === 'zeek__http-pipelined-requests.pcap');
    await c.engine.api()['modes.set']({ mode: 'incognito', input: input?.id as number });
    await c.engine.idle();
    const stamp = raw.prepare('SELECT stamp FROM view_summaries').pluck().get() as string;
    expect(stamp.endsWith(`|run:${runBefore + 1}`)).toBe(true);
    expect(reader().summariesCurrent()).toBe(true);
    checkAgainstReferences();
  });
});
