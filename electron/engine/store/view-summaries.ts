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
import { HOST_NAME_SQL, packTimelineChunk, scanTimelineEvents } from './timeline-index.ts';

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
 * calls it last, after recording its run), else in its own. The timeline is stored
 * `chunkEvents` events a chunk.
 */
export function writeViewSummaries(db: Database.Database, chunkEvents = CHUNK_EVENTS): number {
  if (!db.inTransaction) return db.transaction(() => writeViewSummaries(db, chunkEvents)).immediate();
  if (!hasViewSummaryTables(db)) return 0;
  const t0 = performance.now();
  db.exec(`DELETE FROM view_summaries; DELETE FROM summary_hosts; DELETE FROM summary_names; DELETE FROM summary_protocols;
    DELETE FROM summary_client_macs; DELETE FROM timeline_keys; DELETE FROM timeline_chunks;`);
  db.exec(`INSERT INTO summary_hosts (ip, input_id, flows, requests, packets, bytes_up, bytes_down, first_ts_ns, last_ts_ns)
    SELECT ip, input_id, sum(flows), sum(requests), sum(packets), sum(bytes_up), sum(bytes_down), min(first_ns), max(last_ns)
    FROM (${hostPartsSql('', true)}) GROUP BY ip, input_id`);
  db.exec(`INSERT INTO summary_names (name, http, tls, dns, first_ts_ns)
    SELECT name, sum(http), sum(tls), sum(dns), min(ts) FROM (${DESTINATION_NAME_ROWS_SQL}) GROUP BY name`);
  db.exec(`INSERT INTO summary_protocols (app, flows, packets, bytes) ${PROTOCOLS_SQL}`);
  db.exec(`INSERT INTO summary_client_macs (ip, mac) ${CLIENT_MACS_SQL}`);
  // Chunk by chunk as the events are merged: the whole index is never in memory.
  const insChunk = db.prepare('INSERT INTO timeline_chunks (id, events, data) VALUES (?, ?, ?)');
  let chunks = 0;
  const keys = scanTimelineEvents(db, { leaks: true }, chunkEvents, (chunk) => {
    insChunk.run(chunks++, chunk.size, packTimelineChunk(chunk));
  });
  const insKey = db.prepare('INSERT INTO timeline_keys (id, key) VALUES (?, ?)');
  for (let i = 0; i < keys.length; i++) insKey.run(i, keys[i]);
  const ms = Math.round(performance.now() - t0);
  db.prepare('INSERT INTO view_summaries (id, stamp, built_at, duration_ms) VALUES (1, ?, ?, ?)')
    .run(viewSourceStamp(db), new Date().toISOString(), ms);
  return ms;
}
