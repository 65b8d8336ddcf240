/**
 * View summaries (migration 003): totals per server address and input, per destination
 * name and per protocol, client MACs, and the timeline's events as packed columns — what the
 * overview, hosts list and timeline otherwise aggregate from every record each time a
 * case opens. They are rebuilt from the records by every findings analysis run, inside
 * its transaction (so they match the records and leaks of that run), and stamped with
 * what they were built from: the inputs and their status, the row count and highest
 * id of each table they summarise, the host link counts and the analysis run. A reader
 * uses them only while the case's stamp is still the stored one; an import, a removed
 * duplicate or a new run changes the stamp, and the views read the records again until
 * the next run rebuilds the summaries.
 */
import { endianness } from 'node:os';
import type Database from 'better-sqlite3';
import { collectTimelineEvents, HOST_NAME_SQL, LO_SPAN, packTimelineChunk, type EventRow } from './timeline-index.ts';

/** Part of every stamp: a summary in another layout (or byte order) is never read as this one. */
const FORMAT = `views-1-${endianness()}`;
/** Events per stored timeline chunk (about 2.6 MB). */
const CHUNK_EVENTS = 65536;
/** Tables the summaries are derived from. */
const SOURCES = ['flows', 'dns', 'tls', 'http', 'hosts', 'leaks'] as const;

/**
 * Per server address totals over flows and HTTP, one row per part (and per input with
 * `byInput`); `inputClause` is '' or 'AND input_id = ?' (bound once per part).
 */
export function hostPartsSql(inputClause: string, byInput: boolean): string {
  const key = byInput ? ', input_id' : '';
  // TCP HTTP bytes are already in the flows; only HAR entries, which have no flow, add bytes.
  return `SELECT dst_ip AS ip${key}, count(*) AS flows, 0 AS requests, sum(packets_up + packets_down) AS packets,
      sum(bytes_up) AS bytes_up, sum(bytes_down) AS bytes_down, min(first_ts_ns) AS first_ns, max(last_ts_ns) AS last_ns
    FROM flows WHERE 1 ${inputClause} GROUP BY dst_ip${key}
    UNION ALL
    SELECT dst_ip${key}, 0, count(*), 0,
      sum(CASE WHEN source = 'har' THEN request_body_size ELSE 0 END),
      sum(CASE WHEN source = 'har' THEN response_body_size ELSE 0 END),
      min(ts_ns), max(coalesce(response_ts_ns, ts_ns))
    FROM http WHERE dst_ip <> '' ${inputClause} GROUP BY dst_ip${key}`;
}

/**
 * Names the case reached, one row per HTTP request, TLS hello and DNS query:
 * (name, http, tls, dns, ts). mDNS is left out: it announces local services, it does
 * not reach anywhere.
 */
export const DESTINATION_NAME_ROWS_SQL = `SELECT ${HOST_NAME_SQL} AS name, 1 AS http, 0 AS tls, 0 AS dns, ts_ns AS ts
    FROM http WHERE host IS NOT NULL AND host <> ''
  UNION ALL SELECT lower(sni), 0, 1, 0, ts_ns FROM tls WHERE sni IS NOT NULL AND sni <> ''
  UNION ALL SELECT rtrim(lower(qname), '.'), 0, 0, 1, ts_ns FROM dns WHERE response = 0 AND flavor = 'dns' AND qname <> ''`;

/** Flows, packets and bytes per application protocol (transport name when unclassified). */
export const PROTOCOLS_SQL = `SELECT coalesce(app, proto) AS app, count(*) AS flows,
    sum(packets_up + packets_down) AS packets, sum(bytes_up + bytes_down) AS bytes
  FROM flows GROUP BY 1`;

/** The MAC address of each client address (the smallest, when it used several). */
export const CLIENT_MACS_SQL = `SELECT src_ip AS ip, min(src_mac) AS mac FROM flows WHERE src_mac IS NOT NULL GROUP BY src_ip`;

/**
 * Columns an HTTP pass adds to its query (table http, no alias) for HttpViewParts.add,
 * besides id, input_id, src_ip, dst_ip, source and request_body_size. The name is
 * worked out by SQLite, as the summaries' own queries do, so that it is the same text.
 */
export const HTTP_VIEW_COLUMNS = `ts_ns >> 30 AS view_hi, ts_ns & 1073741823 AS view_lo,
  coalesce(response_ts_ns, ts_ns) >> 30 AS view_last_hi, coalesce(response_ts_ns, ts_ns) & 1073741823 AS view_last_lo,
  response_body_size AS view_response_size, CASE WHEN host IS NOT NULL AND host <> '' THEN ${HOST_NAME_SQL} END AS view_name`;

/** One HTTP row as HttpViewParts.add reads it (HTTP_VIEW_COLUMNS and the columns it names). */
export interface HttpViewRow {
  id: number;
  input_id: number;
  src_ip: string;
  dst_ip: string;
  source: string;
  request_body_size: number;
  view_hi: number;
  view_lo: number;
  view_last_hi: number;
  view_last_lo: number;
  view_response_size: number;
  view_name: string | null;
}

/** Totals of one group, times as (hi, lo) pairs (see timeline-index.ts). */
interface PartAgg {
  n: number;
  up: number;
  down: number;
  firstHi: number;
  firstLo: number;
  lastHi: number;
  lastLo: number;
}

/**
 * The HTTP share of the view summaries (host totals, destination names, timeline
 * events), gathered from a pass that reads every HTTP row anyway, in (time, id) order:
 * the findings analysis. writeViewSummaries then reads the HTTP table only to check that
 * every row was seen; the parts are the values its own queries would give.
 */
export class HttpViewParts {
  /** Timeline events of the rows, in (time, id) order. */
  readonly events: EventRow[] = [];
  /** Timeline events of the leaks (addLeak), or null when they are to be read from the table. */
  leakEvents: EventRow[] | null = [];
  /** Per server address (not ''), then input: the request part of hostPartsSql. */
  private readonly hosts = new Map<string, Map<number, PartAgg>>();
  /** Per name of a row with a Host header: requests and first time. */
  private readonly names = new Map<string, PartAgg>();
  private ordered = true;
  // The last address and name looked up: requests in a row mostly go to the same server,
  // and comparing with the last text is cheaper than hashing a new one.
  private lastIp: string | null = null;
  private lastIpInputs: Map<number, PartAgg> | null = null;
  private lastName: string | null = null;
  private lastNameAgg: PartAgg | null = null;

  /** Count one HTTP row; rows must come in (time, id) order, each once. */
  add(r: HttpViewRow): void {
    const hi = r.view_hi;
    const lo = r.view_lo;
    const har = r.source === 'har';
    const ev = this.events;
    if (ev.length > 0) {
      const p = ev[ev.length - 1];
      if (!(p[0] < hi || (p[0] === hi && (p[1] < lo || (p[1] === lo && p[2] < r.id))))) this.ordered = false;
    }
    const name = r.view_name;
    ev.push([hi, lo, r.id, r.input_id, r.src_ip, name !== null && name !== '' ? name : r.dst_ip, har ? r.request_body_size + r.view_response_size : 0]);
    if (r.dst_ip !== '') {
      let byInput = r.dst_ip === this.lastIp ? this.lastIpInputs : this.hosts.get(r.dst_ip);
      if (byInput === undefined || byInput === null) this.hosts.set(r.dst_ip, (byInput = new Map()));
      this.lastIp = r.dst_ip;
      this.lastIpInputs = byInput;
      const a = byInput.get(r.input_id);
      if (a === undefined) {
        byInput.set(r.input_id, {
          n: 1, up: har ? r.request_body_size : 0, down: har ? r.view_response_size : 0,
          firstHi: hi, firstLo: lo, lastHi: r.view_last_hi, lastLo: r.view_last_lo,
        });
      } else {
        a.n++;
        if (har) {
          a.up += r.request_body_size;
          a.down += r.view_response_size;
        }
        if (hi < a.firstHi || (hi === a.firstHi && lo < a.firstLo)) {
          a.firstHi = hi;
          a.firstLo = lo;
        }
        if (r.view_last_hi > a.lastHi || (r.view_last_hi === a.lastHi && r.view_last_lo > a.lastLo)) {
          a.lastHi = r.view_last_hi;
          a.lastLo = r.view_last_lo;
        }
      }
    }
    if (name !== null) {
      let a = name === this.lastName ? this.lastNameAgg : this.names.get(name);
      if (a === undefined || a === null) this.names.set(name, (a = { n: 1, up: 0, down: 0, firstHi: hi, firstLo: lo, lastHi: hi, lastLo: lo }));
      else {
        a.n++;
        if (hi < a.firstHi || (hi === a.firstHi && lo < a.firstLo)) {
          a.firstHi = hi;
          a.firstLo = lo;
        }
      }
      this.lastName = name;
      this.lastNameAgg = a;
    }
  }

  /**
   * Count a leak found in request `r` (the timeline's leak event): `id` is its row id
   * in leaks and `dest` what the leak row names as its receiver (dest_host, else
   * dest_ip, else the request's server address). Leaks must come in (time, id) order.
   */
  addLeak(r: HttpViewRow, id: number, dest: string): void {
    if (this.leakEvents === null) return;
    const ev = this.leakEvents;
    if (ev.length > 0) {
      const p = ev[ev.length - 1];
      if (!(p[0] < r.view_hi || (p[0] === r.view_hi && (p[1] < r.view_lo || (p[1] === r.view_lo && p[2] < id))))) this.leakEvents = null;
    }
    this.leakEvents?.push([r.view_hi, r.view_lo, id, r.input_id, r.src_ip, dest, 0]);
  }

  /** Some leaks counted were deleted again: the leak events are read from the table instead. */
  dropLeaks(): void {
    this.leakEvents = null;
  }

  /** The events in (time, id) order, sorted now if they did not come so. */
  sortedEvents(): EventRow[] {
    if (!this.ordered) {
      this.events.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      this.ordered = true;
    }
    return this.events;
  }

  /** Per (server address, input): requests, HAR bytes up and down, first and last time. */
  hostParts(): IterableIterator<[string, Map<number, PartAgg>]> {
    return this.hosts.entries();
  }

  /** Per name: requests and first time. */
  nameParts(): IterableIterator<[string, PartAgg]> {
    return this.names.entries();
  }
}

/**
 * Write summary_hosts from the flows and the HTTP part gathered in `parts`. SQLite
 * still adds the parts up, as with hostPartsSql: the HTTP groups come in as one JSON
 * parameter (times as hi and lo, exact in JSON), so only the rows of the flows are grouped here.
 */
function writeHostsFrom(db: Database.Database, parts: HttpViewParts): void {
  const http: unknown[] = [];
  for (const [ip, inputs] of parts.hostParts()) {
    for (const [input, a] of inputs) http.push([ip, input, a.n, a.up, a.down, a.firstHi, a.firstLo, a.lastHi, a.lastLo]);
  }
  db.prepare(`INSERT INTO summary_hosts (ip, input_id, flows, requests, packets, bytes_up, bytes_down, first_ts_ns, last_ts_ns)
    SELECT ip, input_id, sum(flows), sum(requests), sum(packets), sum(bytes_up), sum(bytes_down), min(first_ns), max(last_ns) FROM (
      SELECT dst_ip AS ip, input_id, count(*) AS flows, 0 AS requests, sum(packets_up + packets_down) AS packets,
        sum(bytes_up) AS bytes_up, sum(bytes_down) AS bytes_down, min(first_ts_ns) AS first_ns, max(last_ts_ns) AS last_ns
      FROM flows GROUP BY dst_ip, input_id
      UNION ALL
      SELECT value ->> 0, value ->> 1, 0, value ->> 2, 0, value ->> 3, value ->> 4,
        (value ->> 5) * ${LO_SPAN} + (value ->> 6), (value ->> 7) * ${LO_SPAN} + (value ->> 8)
      FROM json_each(?)) GROUP BY ip, input_id`).run(JSON.stringify(http));
}

/**
 * Write summary_names from TLS, DNS and the HTTP part gathered in `parts`: the rows of
 * DESTINATION_NAME_ROWS_SQL, with each part grouped first (the sums and the earliest
 * time come out the same) and the HTTP part as one JSON parameter.
 */
function writeNamesFrom(db: Database.Database, parts: HttpViewParts): void {
  const http: unknown[] = [];
  for (const [name, a] of parts.nameParts()) http.push([name, a.n, a.firstHi, a.firstLo]);
  db.prepare(`INSERT INTO summary_names (name, http, tls, dns, first_ts_ns)
    SELECT name, sum(http), sum(tls), sum(dns), min(ts) FROM (
      SELECT value ->> 0 AS name, value ->> 1 AS http, 0 AS tls, 0 AS dns, (value ->> 2) * ${LO_SPAN} + (value ->> 3) AS ts FROM json_each(?)
      UNION ALL SELECT lower(sni), 0, count(*), 0, min(ts_ns) FROM tls WHERE sni IS NOT NULL AND sni <> '' GROUP BY 1
      UNION ALL SELECT rtrim(lower(qname), '.'), 0, 0, count(*), min(ts_ns) FROM dns
        WHERE response = 0 AND flavor = 'dns' AND qname <> '' GROUP BY 1) GROUP BY name`).run(JSON.stringify(http));
}

/** True when the case has the summary tables (migration 003). */
export function hasViewSummaryTables(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'view_summaries'").get() !== undefined;
}

/** What the summaries of the case's current records would be stamped with. */
export function viewSourceStamp(db: Database.Database): string {
  const one = (sql: string): unknown => db.prepare(sql).pluck().get() ?? null;
  const parts: string[] = [FORMAT];
  parts.push(`inputs:${String(one(`SELECT group_concat(id || ':' || status || ':' || coalesce(finished_at, ''), ',')
    FROM (SELECT id, status, finished_at FROM inputs ORDER BY id)`) ?? '')}`);
  for (const t of SOURCES) {
    // Two statements: a bare count(*) walks the smallest index, max(id) reads one path of the table.
    parts.push(`${t}:${String(one(`SELECT count(*) FROM ${t}`))}:${String(one(`SELECT max(id) FROM ${t}`))}`);
  }
  // Which name a flow's lane gets depends on the link counts, which upserts change in place.
  parts.push(`links:${String(one('SELECT sum(count) FROM hosts'))}`);
  parts.push(`run:${String(one("SELECT max(id) FROM analysis_runs WHERE status = 'done'"))}`);
  return parts.join('|');
}

/** True when the case holds summaries built from exactly the records it holds now. */
export function viewSummariesCurrent(db: Database.Database): boolean {
  if (!hasViewSummaryTables(db)) return false;
  const stored = db.prepare('SELECT stamp FROM view_summaries WHERE id = 1').pluck().get() as string | undefined;
  return stored !== undefined && stored === viewSourceStamp(db);
}

/**
 * Rebuild every view summary from the records and stamp it; returns how long it took
 * (ms). Runs in the caller's transaction when one is open (the findings analysis
 * calls it last, after recording its run), else in its own. `http`: the HTTP share
 * gathered in the same transaction by a pass over every HTTP row (used only when its
 * row count is the table's; else the HTTP rows are read again).
 */
export function writeViewSummaries(db: Database.Database, http?: HttpViewParts): number {
  if (!db.inTransaction) return db.transaction(() => writeViewSummaries(db, http)).immediate();
  if (!hasViewSummaryTables(db)) return 0;
  const t0 = performance.now();
  db.exec(`DELETE FROM view_summaries; DELETE FROM summary_hosts; DELETE FROM summary_names; DELETE FROM summary_protocols;
    DELETE FROM summary_client_macs; DELETE FROM timeline_keys; DELETE FROM timeline_chunks;`);
  const parts = http !== undefined && http.events.length === (db.prepare('SELECT count(*) FROM http').pluck().get() as number) ? http : null;
  if (parts !== null) {
    writeHostsFrom(db, parts);
    writeNamesFrom(db, parts);
  } else {
    db.exec(`INSERT INTO summary_hosts (ip, input_id, flows, requests, packets, bytes_up, bytes_down, first_ts_ns, last_ts_ns)
      SELECT ip, input_id, sum(flows), sum(requests), sum(packets), sum(bytes_up), sum(bytes_down), min(first_ns), max(last_ns)
      FROM (${hostPartsSql('', true)}) GROUP BY ip, input_id`);
    db.exec(`INSERT INTO summary_names (name, http, tls, dns, first_ts_ns)
      SELECT name, sum(http), sum(tls), sum(dns), min(ts) FROM (${DESTINATION_NAME_ROWS_SQL}) GROUP BY name`);
  }
  db.exec(`INSERT INTO summary_protocols (app, flows, packets, bytes) ${PROTOCOLS_SQL}`);
  db.exec(`INSERT INTO summary_client_macs (ip, mac) ${CLIENT_MACS_SQL}`);
  const leakEvents = parts?.leakEvents ?? null;
  const leaksKept = leakEvents !== null && leakEvents.length === (db.prepare('SELECT count(*) FROM leaks').pluck().get() as number);
  const ix = collectTimelineEvents(db, { leaks: true }, parts?.sortedEvents(), leaksKept ? leakEvents : undefined);
  const insKey = db.prepare('INSERT INTO timeline_keys (id, key) VALUES (?, ?)');
  for (let i = 0; i < ix.keys.length; i++) insKey.run(i, ix.keys[i]);
  const insChunk = db.prepare('INSERT INTO timeline_chunks (id, events, data) VALUES (?, ?, ?)');
  for (let start = 0, n = 0; start < ix.size; start += CHUNK_EVENTS, n++) {
    const end = Math.min(ix.size, start + CHUNK_EVENTS);
    insChunk.run(n, end - start, packTimelineChunk(ix, start, end));
  }
  const ms = Math.round(performance.now() - t0);
  db.prepare('INSERT INTO view_summaries (id, stamp, built_at, duration_ms) VALUES (1, ?, ?, ?)')
    .run(viewSourceStamp(db), new Date().toISOString(), ms);
  return ms;
}
