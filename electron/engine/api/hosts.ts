/**
 * hosts.list and anomalies.list. A host is a remote address the case talked to: the
 * server side of a flow, or the server address a HAR entry names. Its names come from
 * the hosts table (DNS answers, SNI, HTTP Host, local names).
 */
import { API_DEFAULT_LIMIT } from '../../../shared/model.ts';
import type { AnomalyRow, HostQuery, HostRow, Page, RowQuery } from '../../../shared/model.ts';
import type { CaseReader } from './case-reader.ts';
import { namesByIp } from './evidence-query.ts';
import { spanOfText } from './instants.ts';
import { anomalyRow, likeEscape } from './rows.ts';
import type { SqlRow } from './rows.ts';

const HOST_SORT: Readonly<Record<NonNullable<HostQuery['sort']>, string>> = {
  bytes: 'bytes_up + bytes_down DESC, ip',
  flows: 'flows DESC, ip',
  requests: 'requests DESC, ip',
  ip: 'ip',
  first: 'first_ns, ip',
};

/** Per-address totals over flows and HTTP; `inputClause` is '' or 'AND input_id = ?'. */
function hostAggSql(inputClause: string): string {
  // TCP HTTP bytes are already in the flows; only HAR entries, which have no flow, add bytes.
  return `WITH agg AS (
      SELECT dst_ip AS ip, count(*) AS flows, 0 AS requests, sum(packets_up + packets_down) AS packets,
        sum(bytes_up) AS bytes_up, sum(bytes_down) AS bytes_down, min(first_ts_ns) AS first_ns, max(last_ts_ns) AS last_ns
      FROM flows WHERE 1 ${inputClause} GROUP BY dst_ip
      UNION ALL
      SELECT dst_ip, 0, count(*), 0,
        sum(CASE WHEN source = 'har' THEN request_body_size ELSE 0 END),
        sum(CASE WHEN source = 'har' THEN response_body_size ELSE 0 END),
        min(ts_ns), max(coalesce(response_ts_ns, ts_ns))
      FROM http WHERE dst_ip <> '' ${inputClause} GROUP BY dst_ip
    ), h AS (
      SELECT ip, sum(flows) AS flows, sum(requests) AS requests, sum(packets) AS packets, sum(bytes_up) AS bytes_up,
        sum(bytes_down) AS bytes_down, min(first_ns) AS first_ns, max(last_ns) AS last_ns
      FROM agg GROUP BY ip
    )`;
}

/** One page of remote addresses with names, flows and bytes. */
export function listHosts(reader: CaseReader, q: HostQuery): Page<HostRow> {
  const args: unknown[] = [];
  let inputClause = '';
  if (q.input !== undefined) {
    inputClause = 'AND input_id = ?';
    args.push(q.input, q.input);
  }
  let filter = '';
  if (q.search !== undefined && q.search.trim() !== '') {
    const pattern = `%${likeEscape(q.search.trim())}%`;
    filter = `WHERE ip LIKE ? ESCAPE '\\' OR ip IN (SELECT ip FROM hosts WHERE name LIKE ? ESCAPE '\\')`;
    args.push(pattern, pattern);
  }
  const base = `${hostAggSql(inputClause)} SELECT ip, flows, requests, packets, bytes_up, bytes_down,
    first_ns, CAST(first_ns AS TEXT) AS first_text, CAST(last_ns AS TEXT) AS last_text FROM h ${filter}`;
  const key = JSON.stringify(['hosts', q]);
  return reader.cached(key, () => {
    const total = reader.db.prepare(`SELECT count(*) FROM (${base})`).pluck().get(...args) as number;
    const order = HOST_SORT[q.sort ?? 'bytes'];
    const raw = reader.db.prepare(`${base} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...args, q.limit ?? API_DEFAULT_LIMIT, q.offset ?? 0) as SqlRow[];
    return { rows: hostRows(reader, raw), total };
  });
}

/** Map aggregated host rows and attach their names. */
export function hostRows(reader: CaseReader, raw: SqlRow[]): HostRow[] {
  const names = namesByIp(reader, raw.map((r) => r.ip as string));
  const digits = reader.caseDigits();
  return raw.map((r) => ({
    ip: r.ip as string,
    names: names.get(r.ip as string)?.names ?? [],
    nameCount: names.get(r.ip as string)?.count ?? 0,
    flows: r.flows as number,
    requests: r.requests as number,
    packets: r.packets as number,
    bytesUp: r.bytes_up as number,
    bytesDown: r.bytes_down as number,
    span: spanOfText(r.first_text, r.last_text, digits),
  }));
}

/** Top remote addresses by bytes (for the overview). */
export function topHosts(reader: CaseReader, limit: number): HostRow[] {
  return listHosts(reader, { limit, sort: 'bytes' }).rows;
}

/** One page of anomalies, in input then report order. */
export function listAnomalies(reader: CaseReader, q: RowQuery): Page<AnomalyRow> {
  const clauses: string[] = [];
  const args: unknown[] = [];
  if (q.input !== undefined) {
    clauses.push('input_id = ?');
    args.push(q.input);
  }
  if (q.search !== undefined && q.search.trim() !== '') {
    const pattern = `%${likeEscape(q.search.trim())}%`;
    clauses.push(`(layer LIKE ? ESCAPE '\\' OR error LIKE ? ESCAPE '\\')`);
    args.push(pattern, pattern);
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  const total = reader.db.prepare(`SELECT count(*) FROM anomalies ${where}`).pluck().get(...args) as number;
  const raw = reader.db.prepare(`SELECT id, input_id, frame, layer, error FROM anomalies ${where}
    ORDER BY input_id, id LIMIT ? OFFSET ?`).all(...args, q.limit ?? API_DEFAULT_LIMIT, q.offset ?? 0) as SqlRow[];
  return { rows: raw.map(anomalyRow), total };
}
