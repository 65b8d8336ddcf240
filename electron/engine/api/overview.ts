/**
 * overview.get: what an investigator reads first. Everything is one aggregate query
 * per block; the result is cached until the case changes.
 */
import type { CaseCounts, DestinationSummary, Overview, ProtocolSummary } from '../../../shared/model.ts';
import type { CaseReader } from './case-reader.ts';
import { topHosts } from './hosts.ts';
import { msFromNs } from './instants.ts';
import { isoFromNs } from '../util/time.ts';
import { HOST_NAME_SQL } from './rows.ts';
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
 * Names the case reached, by number of HTTP requests, TLS hellos and DNS queries.
 * mDNS is left out: it announces local services, it does not reach anywhere.
 */
export function topDestinations(reader: CaseReader, limit: number): DestinationSummary[] {
  const rows = reader.db.prepare(`WITH d(name, http, tls, dns, ts) AS (
      SELECT ${HOST_NAME_SQL}, 1, 0, 0, ts_ns FROM http WHERE host IS NOT NULL AND host <> ''
      UNION ALL SELECT lower(sni), 0, 1, 0, ts_ns FROM tls WHERE sni IS NOT NULL AND sni <> ''
      UNION ALL SELECT rtrim(lower(qname), '.'), 0, 0, 1, ts_ns FROM dns WHERE response = 0 AND flavor = 'dns' AND qname <> ''
    )
    SELECT name, sum(http) AS http, sum(tls) AS tls, sum(dns) AS dns, count(*) AS n, CAST(min(ts) AS TEXT) AS first_text
    FROM d GROUP BY name ORDER BY n DESC, name LIMIT ?`).all(limit) as Array<{
    name: string; http: number; tls: number; dns: number; n: number; first_text: string | null;
  }>;
  const ipsOf = reader.db.prepare('SELECT DISTINCT ip FROM hosts WHERE name = ? ORDER BY ip').pluck();
  const bytesOf = (ips: string[]): { up: number; down: number } => {
    if (ips.length === 0) return { up: 0, down: 0 };
    const marks = ips.map(() => '?').join(',');
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
  return reader.db.prepare(`SELECT coalesce(app, proto) AS app, count(*) AS flows,
      sum(packets_up + packets_down) AS packets, sum(bytes_up + bytes_down) AS bytes
    FROM flows GROUP BY 1 ORDER BY bytes DESC, app`).all() as ProtocolSummary[];
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
