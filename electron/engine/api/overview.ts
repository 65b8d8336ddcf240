/**
 * overview.get: what an investigator reads first. Everything is one aggregate query
 * per block, over the view summaries when they are current, else over the records;
 * the result is cached until the case changes.
 */
import type { CaseCounts, DestinationSummary, Overview, ProtocolSummary } from '../../../shared/model.ts';
import type { CaseReader } from './case-reader.ts';
import { topHosts } from './hosts.ts';
import { msFromNs } from './instants.ts';
import { isoFromNs } from '../util/time.ts';
import { DESTINATION_NAME_ROWS_SQL, PROTOCOLS_SQL } from '../store/view-summaries.ts';
import type { CaseInfo } from '../../../shared/model.ts';
import { countrySummary, findingSentences, findingsReady, listAccounts, listDevices, operatorSummary } from './findings-api.ts';

/** Row counts of the open case. */
export function caseCounts(reader: CaseReader): CaseCounts {
  const db = reader.db;
  const c = (sql: string): number => (db.prepare(sql).pluck().get() as number | null) ?? 0;
  return {
    inputs: c('SELECT count(*) FROM inputs'),
    packets: c('SELECT sum(packets) FROM inputs'),
    harEntries: c('SELECT sum(entries) FROM inputs'),
    flows: c('SELECT count(*) FROM flows'),
    dns: c('SELECT count(*) FROM dns'),
    tls: c('SELECT count(*) FROM tls'),
    http: c('SELECT count(*) FROM http'),
    names: c('SELECT count(*) FROM names'),
    hosts: c('SELECT count(DISTINCT ip) FROM hosts'),
    anomalies: c('SELECT count(*) FROM anomalies'),
  };
}

/**
 * Names the case reached, by number of HTTP requests, TLS hellos and DNS queries, with
 * the bytes exchanged with their addresses.
 */
export function topDestinations(reader: CaseReader, limit: number): DestinationSummary[] {
  const summaries = reader.summariesCurrent();
  const rows = reader.db.prepare(summaries
    ? `SELECT name, http, tls, dns, http + tls + dns AS n, CAST(first_ts_ns AS TEXT) AS first_text
      FROM summary_names ORDER BY n DESC, name LIMIT ?`
    : `SELECT name, sum(http) AS http, sum(tls) AS tls, sum(dns) AS dns, count(*) AS n, CAST(min(ts) AS TEXT) AS first_text
      FROM (${DESTINATION_NAME_ROWS_SQL}) GROUP BY name ORDER BY n DESC, name LIMIT ?`).all(limit) as Array<{
    name: string; http: number; tls: number; dns: number; n: number; first_text: string | null;
  }>;
  const ipsOf = reader.db.prepare('SELECT DISTINCT ip FROM hosts WHERE name = ? ORDER BY ip').pluck();
  const bytesOf = (ips: string[]): { up: number; down: number } => {
    if (ips.length === 0) return { up: 0, down: 0 };
    const marks = ips.map(() => '?').join(',');
    // The per-address totals hold flow bytes plus HAR body sizes for every address but
    // '' (HAR entries without one), which host links never name.
    if (summaries && !ips.includes('')) {
      return reader.db.prepare(`SELECT coalesce(sum(bytes_up), 0) AS up, coalesce(sum(bytes_down), 0) AS down
        FROM summary_hosts WHERE ip IN (${marks})`).get(...ips) as { up: number; down: number };
    }
    const r = reader.db.prepare(`SELECT coalesce(sum(bytes_up), 0) AS up, coalesce(sum(bytes_down), 0) AS down
      FROM flows WHERE dst_ip IN (${marks})`).get(...ips) as { up: number; down: number };
    const har = reader.db.prepare(`SELECT coalesce(sum(request_body_size), 0) AS up, coalesce(sum(response_body_size), 0) AS down
      FROM http WHERE source = 'har' AND dst_ip IN (${marks})`).get(...ips) as { up: number; down: number };
    return { up: r.up + har.up, down: r.down + har.down };
  };
  const digits = reader.caseDigits();
  return rows.map((r) => {
    const ips = (ipsOf.all(r.name) as string[]).slice(0, 200);
    const bytes = bytesOf(ips);
    const first = r.first_text === null ? null : BigInt(r.first_text);
    return {
      name: r.name,
      ips,
      http: r.http,
      tls: r.tls,
      dns: r.dns,
      bytesUp: bytes.up,
      bytesDown: bytes.down,
      first: first === null ? null : isoFromNs(first, digits),
      firstMs: first === null ? null : msFromNs(first),
    };
  });
}

/** Flows, packets and bytes per application protocol (transport name when unclassified). */
export function protocolSummary(reader: CaseReader): ProtocolSummary[] {
  return reader.db.prepare(reader.summariesCurrent()
    ? 'SELECT app, flows, packets, bytes FROM summary_protocols ORDER BY bytes DESC, app'
    : `${PROTOCOLS_SQL} ORDER BY bytes DESC, app`).all() as ProtocolSummary[];
}

/** Build the overview from the case info and aggregate queries. */
export function buildOverview(reader: CaseReader, info: CaseInfo, limit: number): Overview {
  return reader.cached(`overview:${limit}`, () => ({
    path: info.path,
    title: info.title,
    counts: info.counts,
    inputs: info.inputs,
    span: info.span,
    topDestinations: topDestinations(reader, limit),
    topHosts: topHosts(reader, limit),
    protocols: protocolSummary(reader),
    anomalies: info.counts.anomalies,
    ...(findingsReady(reader)
      ? {
          countries: countrySummary(reader),
          operators: operatorSummary(reader, limit),
          devices: listDevices(reader, { limit }).rows,
          accounts: listAccounts(reader, { limit }).rows,
          findings: findingSentences(reader, limit),
        }
      : { countries: null, operators: null, devices: null, accounts: null, findings: null }),
  }));
}
