/**
 * Representative read queries on a case database, timed by the benchmark. They are
 * written against the schema of electron/engine/store/migrations/ as it stands and
 * stand in for the views' own queries, which will replace them once those exist:
 * what matters here is the shape of the work (full counts, a group-by over flows,
 * a time histogram across tables, a time-window page, the hosts list).
 */
import Database from 'better-sqlite3';

export interface QueryWindow {
  /** Nanoseconds since the epoch. */
  from: bigint;
  to: bigint;
}

export interface BenchQuery {
  name: string;
  sql: string;
  /** Takes the time-window parameters :from and :to. */
  windowed?: boolean;
}

export const QUERIES: BenchQuery[] = [
  {
    name: 'records by kind',
    sql: `SELECT 'flows' AS kind, count(*) AS n FROM flows
      UNION ALL SELECT 'dns', count(*) FROM dns
      UNION ALL SELECT 'tls', count(*) FROM tls
      UNION ALL SELECT 'http', count(*) FROM http
      UNION ALL SELECT 'names', count(*) FROM names
      UNION ALL SELECT 'hosts', count(*) FROM hosts
      UNION ALL SELECT 'anomalies', count(*) FROM anomalies`,
  },
  {
    name: 'top destinations by bytes',
    sql: `SELECT f.dst_ip, sum(f.bytes_up + f.bytes_down) AS bytes, count(*) AS flows,
        (SELECT h.name FROM hosts h WHERE h.ip = f.dst_ip ORDER BY h.count DESC LIMIT 1) AS name
      FROM flows f GROUP BY f.dst_ip ORDER BY bytes DESC LIMIT 25`,
  },
  {
    name: 'records per minute',
    sql: `SELECT ts_ns / 60000000000 AS minute, count(*) AS n FROM (
        SELECT ts_ns FROM dns UNION ALL SELECT ts_ns FROM tls
        UNION ALL SELECT ts_ns FROM http UNION ALL SELECT first_ts_ns AS ts_ns FROM flows
      ) GROUP BY minute ORDER BY minute`,
  },
  {
    name: 'DNS/TLS/HTTP in a 5-min window',
    windowed: true,
    sql: `SELECT kind, ts_ns, src_ip, dst_ip, detail FROM (
        SELECT 'dns' AS kind, ts_ns, src_ip, dst_ip, qname AS detail FROM dns WHERE ts_ns BETWEEN :from AND :to
        UNION ALL SELECT 'tls', ts_ns, src_ip, dst_ip, sni FROM tls WHERE ts_ns BETWEEN :from AND :to
        UNION ALL SELECT 'http', ts_ns, src_ip, dst_ip, coalesce(host, '') || uri FROM http WHERE ts_ns BETWEEN :from AND :to
      ) ORDER BY ts_ns LIMIT 500`,
  },
  {
    name: 'hosts list',
    sql: `SELECT name, count(DISTINCT ip) AS ips, sum(count) AS seen, min(first_ts_ns) AS first_seen,
        group_concat(DISTINCT source) AS sources
      FROM hosts GROUP BY name ORDER BY seen DESC`,
  },
  {
    name: 'POST bodies by host',
    sql: `SELECT host, count(*) AS posts, sum(request_body_size) AS body_bytes
      FROM http WHERE method = 'POST' GROUP BY host ORDER BY body_bytes DESC`,
  },
];

export interface QueryTiming {
  name: string;
  rows: number;
  /** First execution, statement preparation included. */
  firstMs: number;
  /** Median of the following runs. */
  medianMs: number;
}

/** The window the windowed query reads: five minutes starting 40 % into the capture. */
export function benchWindow(firstTs: bigint, lastTs: bigint): QueryWindow {
  const from = firstTs + ((lastTs - firstTs) * 4n) / 10n;
  return { from, to: from + 300_000_000_000n };
}

/** Open the case read-only and time each query: once cold, then `repeats` more times. */
export function timeQueries(casePath: string, repeats = 5): QueryTiming[] {
  const db = new Database(casePath, { readonly: true, fileMustExist: true });
  try {
    const span = db.prepare('SELECT min(first_ts_ns) AS first, max(last_ts_ns) AS last FROM inputs').safeIntegers(true).get() as { first: bigint | null; last: bigint | null };
    const window = benchWindow(span.first ?? 0n, span.last ?? 0n);
    const out: QueryTiming[] = [];
    for (const q of QUERIES) {
      const run = (): number => {
        const stmt = db.prepare(q.sql).safeIntegers(true);
        return (q.windowed ? stmt.all({ from: window.from, to: window.to }) : stmt.all()).length;
      };
      let t = performance.now();
      const rows = run();
      const firstMs = performance.now() - t;
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) {
        t = performance.now();
        run();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      out.push({ name: q.name, rows, firstMs, medianMs: times[Math.floor(times.length / 2)] ?? firstMs });
    }
    return out;
  } finally {
    db.close();
  }
}
