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
import { hostPartsSql } from '../store/view-summaries.ts';
import type { SqlRow } from './rows.ts';

const HOST_SORT: Readonly<Record<NonNullable<HostQuery['sort']>, string>> = {
  bytes: 'bytes_up + bytes_down DESC, ip',
  flows: 'flows DESC, ip',
  requests: 'requests DESC, ip',
  ip: 'ip',
  first: 'first_ns, ip',
};

/**
 * Per-address totals over flows and HTTP as a CTE `h`, from the view summaries when
 * they are current, else from the records; returns the SQL and its input arguments.
 */
function hostTotalsSql(reader: CaseReader, input: number | undefined): { sql: string; args: unknown[] } {
  const inputClause = input === undefined ? '' : 'AND input_id = ?';
  const parts = reader.summariesCurrent()
    ? { sql: `SELECT ip, flows, requests, packets, bytes_up, bytes_down, first_ts_ns AS first_ns, last_ts_ns AS last_ns
        FROM summary_hosts WHERE 1 ${inputClause}`, args: input === undefined ? [] : [input] }
    : { sql: hostPartsSql(inputClause, false), args: input === undefined ? [] : [input, input] };
  return {
    sql: `WITH agg AS (${parts.sql}), h AS (
      SELECT ip, sum(flows) AS flows, sum(requests) AS requests, sum(packets) AS packets, sum(bytes_up) AS bytes_up,
        sum(bytes_down) AS bytes_down, min(first_ns) AS first_ns, max(last_ns) AS last_ns
      FROM agg GROUP BY ip
    )`,
    args: parts.args,
  };
}

/** One page of remote addresses with names, flows and bytes. */
export function listHosts(reader: CaseReader, q: HostQuery): Page<HostRow> {
  const key = JSON.stringify(['hosts', q]);
  return reader.cached(key, () => {
    const totals = hostTotalsSql(reader, q.input);
    const args = [...totals.args];
    let filter = '';
    if (q.search !== undefined && q.search.trim() !== '') {
      const pattern = `%${likeEscape(q.search.trim())}%`;
      filter = `WHERE ip LIKE ? ESCAPE '\\' OR ip IN (SELECT ip FROM hosts WHERE name LIKE ? ESCAPE '\\')`;
      args.push(pattern, pattern);
    }
    const base = `${totals.sql} SELECT ip, flows, requests, packets, bytes_up, bytes_down,
      first_ns, CAST(first_ns AS TEXT) AS first_text, CAST(last_ns AS TEXT) AS last_text FROM h ${filter}`;
    const order = HOST_SORT[q.sort ?? 'bytes'];
    const offset = q.offset ?? 0;
    // The window count gives the total in the same pass as the page.
    const raw = reader.db.prepare(`SELECT *, count(*) OVER () AS total FROM (${base}) ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...args, q.limit ?? API_DEFAULT_LIMIT, offset) as SqlRow[];
    const total = raw.length > 0 ? raw[0].total as number
      : offset > 0 ? reader.db.prepare(`SELECT count(*) FROM (${base})`).pluck().get(...args) as number : 0;
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
