/**
 * evidence.query: one page of rows of one kind, filtered and sorted in SQL, plus the
 * number of rows that matched. Text search is LIKE over the few columns a person
 * reads (docs/web-host.md has the measurements that made FTS unnecessary so far).
 */
import { API_DEFAULT_LIMIT, MAX_ROW_NAMES } from '../../../shared/model.ts';
import type { EvidenceKind, EvidencePage, EvidenceQuery, EvidenceRow, FlowRow } from '../../../shared/model.ts';
import type { CaseReader } from './case-reader.ts';
import { nsFromInstant } from './instants.ts';
import { COLUMNS, HOST_NAME_SQL, TABLE, anomalyRow, dnsRow, flowRow, httpRow, likeEscape, tlsRow } from './rows.ts';
import type { SqlRow } from './rows.ts';

interface Where {
  clauses: string[];
  args: unknown[];
}

/** Columns searched by `text`, per kind. */
const TEXT_COLUMNS: Readonly<Record<EvidenceKind, readonly string[]>> = {
  http: ['host', 'uri', 'method'],
  dns: ['qname', 'answers'],
  tls: ['sni', 'ja4'],
  flow: ['src_ip', 'dst_ip', 'app', 'proto', 'src_mac', 'dst_mac'],
  anomaly: ['layer', 'error'],
};

const TIME_COLUMN: Readonly<Record<EvidenceKind, string | null>> = {
  http: 'ts_ns',
  dns: 'ts_ns',
  tls: 'ts_ns',
  flow: 'first_ts_ns',
  anomaly: null,
};

/** ORDER BY expression of each sort key, per kind; null falls back to time. */
const SORT_SQL: Readonly<Record<EvidenceKind, Readonly<Record<string, string | null>>>> = {
  http: { ts: 'ts_ns', host: HOST_NAME_SQL, src: 'src_ip', dst: 'dst_ip', size: 'request_body_len + response_body_len' },
  dns: { ts: 'ts_ns', host: 'qname COLLATE NOCASE', src: 'src_ip', dst: 'dst_ip', size: null },
  tls: { ts: 'ts_ns', host: 'sni COLLATE NOCASE', src: 'src_ip', dst: 'dst_ip', size: null },
  flow: { ts: 'first_ts_ns', host: 'dst_ip', src: 'src_ip', dst: 'dst_ip', size: 'bytes_up + bytes_down' },
  anomaly: { ts: null, host: null, src: null, dst: null, size: null },
};

/** Lower-case host without a trailing dot, as the hosts table stores names. */
function normalHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function buildWhere(kind: EvidenceKind, q: EvidenceQuery): Where {
  const w: Where = { clauses: [], args: [] };
  if (q.input !== undefined) {
    w.clauses.push('input_id = ?');
    w.args.push(q.input);
  }
  const timeCol = TIME_COLUMN[kind];
  if (timeCol !== null) {
    if (q.from !== undefined) {
      w.clauses.push(`${timeCol} >= ?`);
      w.args.push(nsFromInstant(q.from));
    }
    if (q.to !== undefined) {
      w.clauses.push(`${timeCol} < ?`);
      w.args.push(nsFromInstant(q.to));
    }
  }
  if (q.text !== undefined && q.text.trim() !== '') {
    const pattern = `%${likeEscape(q.text.trim())}%`;
    const cols = TEXT_COLUMNS[kind];
    w.clauses.push(`(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    for (let i = 0; i < cols.length; i++) w.args.push(pattern);
  }
  if (q.ip !== undefined && kind !== 'anomaly') {
    w.clauses.push('(src_ip = ? OR dst_ip = ?)');
    w.args.push(q.ip, q.ip);
  }
  if (q.host !== undefined && kind !== 'anomaly') {
    const host = normalHost(q.host);
    const sub = `%.${likeEscape(host)}`;
    switch (kind) {
      case 'http':
        w.clauses.push(`(${HOST_NAME_SQL} = ? OR ${HOST_NAME_SQL} LIKE ? ESCAPE '\\' OR dst_ip = ?)`);
        w.args.push(host, sub, host);
        break;
      case 'dns':
        // Names are compared without a trailing dot, whichever way the record stored them.
        w.clauses.push(`(rtrim(lower(qname), '.') = ? OR rtrim(lower(qname), '.') LIKE ? ESCAPE '\\')`);
        w.args.push(host, sub);
        break;
      case 'tls':
        w.clauses.push(`(lower(sni) = ? OR lower(sni) LIKE ? ESCAPE '\\' OR dst_ip = ?)`);
        w.args.push(host, sub, host);
        break;
      case 'flow':
        w.clauses.push(`(dst_ip = ? OR dst_ip IN (SELECT ip FROM hosts WHERE name = ? OR name LIKE ? ESCAPE '\\'))`);
        w.args.push(host, host, sub);
        break;
    }
  }
  return w;
}

/** Run evidence.query against the open case. */
export function queryEvidence(reader: CaseReader, q: EvidenceQuery): EvidencePage {
  const started = performance.now();
  const kind = q.kind;
  const table = TABLE[kind];
  const w = buildWhere(kind, q);
  const where = w.clauses.length > 0 ? `WHERE ${w.clauses.join(' AND ')}` : '';
  const total = reader.db.prepare(`SELECT count(*) FROM ${table} ${where}`).pluck().get(...w.args) as number;

  const sortBy = q.sort?.by ?? 'ts';
  const dir = q.sort?.dir === 'desc' ? 'DESC' : 'ASC';
  const timeCol = TIME_COLUMN[kind];
  const primary = SORT_SQL[kind][sortBy] ?? timeCol;
  // Ties (same time, same host) are broken by row id so paging never skips or repeats a row.
  const order = primary === null ? `id ${dir}` : `${primary} ${dir}, id ${dir}`;
  const limit = q.limit ?? API_DEFAULT_LIMIT;
  const offset = q.offset ?? 0;
  const raw = total === 0 || offset >= total
    ? []
    : (reader.db.prepare(`SELECT ${COLUMNS[kind]} FROM ${table} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...w.args, limit, offset) as SqlRow[]);
  const rows = mapRows(reader, kind, raw);
  return { kind, rows, total, tookMs: Math.round((performance.now() - started) * 10) / 10 };
}

/** Map raw rows of one kind to API rows. */
export function mapRows(reader: CaseReader, kind: EvidenceKind, raw: SqlRow[]): EvidenceRow[] {
  const d = reader.digitsOf;
  switch (kind) {
    case 'http':
      return raw.map((r) => httpRow(r, d));
    case 'dns':
      return raw.map((r) => dnsRow(r, d));
    case 'tls':
      return raw.map((r) => tlsRow(r, d));
    case 'flow': {
      const rows = raw.map((r) => flowRow(r, d));
      attachNames(reader, rows);
      return rows;
    }
    case 'anomaly':
      return raw.map(anomalyRow);
  }
}

/** Fill `names` of a page of flows with one query. */
export function attachNames(reader: CaseReader, rows: FlowRow[]): void {
  if (rows.length === 0) return;
  const byIp = namesByIp(reader, [...new Set(rows.map((r) => r.dstIp))]);
  for (const r of rows) {
    const n = byIp.get(r.dstIp);
    r.names = n?.names ?? [];
    r.nameCount = n?.count ?? 0;
  }
}

/** The first MAX_ROW_NAMES distinct names of each address (sorted) and how many it has. */
export function namesByIp(reader: CaseReader, ips: readonly string[]): Map<string, { names: string[]; count: number }> {
  const out = new Map<string, { names: string[]; count: number }>();
  const stmt = reader.db.prepare('SELECT DISTINCT name FROM hosts WHERE ip = ? ORDER BY name LIMIT ?').pluck();
  const count = reader.db.prepare('SELECT count(DISTINCT name) FROM hosts WHERE ip = ?').pluck();
  for (const ip of ips) {
    const names = stmt.all(ip, MAX_ROW_NAMES) as string[];
    out.set(ip, { names, count: names.length < MAX_ROW_NAMES ? names.length : (count.get(ip) as number) });
  }
  return out;
}
