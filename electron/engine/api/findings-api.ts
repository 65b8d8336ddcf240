/**
 * The findings part of the Engine API, read from the tables the findings analysis
 * writes (migration 002, electron/engine/findings): destinations with country and
 * operator, identifiers, devices, accounts and the requests that link them, leaks,
 * mode labels and the incognito/normal comparison. Paging and filtering happen in SQL.
 */
import { ApiFailure } from '../../../shared/api.ts';
import { API_DEFAULT_LIMIT } from '../../../shared/model.ts';
import type {
  AccountRow,
  BrowsingMode,
  Comparison,
  CountrySummary,
  DestinationQuery,
  DestinationRow,
  DeviceRow,
  EntityLinkQuery,
  EntityLinkRow,
  FindingSentence,
  Highlight,
  IdentifierRow,
  LeakQuery,
  LeakRow,
  ModeLabel,
  ModeLabelInput,
  ModeWindow,
  OperatorSummary,
  Page,
  RowQuery,
} from '../../../shared/model.ts';
import { addModeLabel, listModeLabels, ModeLabelError, removeModeLabel } from '../findings/modes.ts';
import type { StoredModeLabel } from '../findings/modes.ts';
import { hasFindingsSchema, latestRun } from '../findings/queries.ts';
import type { CaseReader } from './case-reader.ts';
import { msFromNs, nsFromInstant, spanOf, spanOfText, stamp } from './instants.ts';
import { likeEscape, parseJson } from './rows.ts';
import type { SqlRow } from './rows.ts';

const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** English name of an ISO 3166 alpha-2 code, or null. */
export function countryName(code: string | null): string | null {
  if (code === null || !/^[A-Z]{2}$/.test(code)) return null;
  try {
    const name = REGION_NAMES.of(code);
    return name === undefined || name === code ? null : name;
  } catch {
    return null;
  }
}

/** True when an analysis run has filled the findings tables. */
export function findingsReady(reader: CaseReader): boolean {
  return latestRun(reader.db) !== null;
}

function requireTables(reader: CaseReader, method: string): void {
  if (!hasFindingsSchema(reader.db)) throw new ApiFailure('not-implemented', `${method}: this case has no findings tables`);
}

function requireFindings(reader: CaseReader, method: string): void {
  if (!findingsReady(reader)) {
    throw new ApiFailure('not-implemented', `${method}: the findings have not been computed for this case yet (they are after each import)`);
  }
}

function browsingMode(m: unknown): BrowsingMode | null {
  return m === 'incognito' || m === 'normal' ? m : null;
}

function page<T>(reader: CaseReader, from: string, where: string[], args: unknown[], order: string, columns: string,
  q: { offset?: number; limit?: number }, map: (r: SqlRow) => T): Page<T> {
  const w = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const total = reader.db.prepare(`SELECT count(*) FROM ${from} ${w}`).pluck().get(...args) as number;
  const rows = reader.db.prepare(`SELECT ${columns} FROM ${from} ${w} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .all(...args, q.limit ?? API_DEFAULT_LIMIT, q.offset ?? 0) as SqlRow[];
  return { rows: rows.map(map), total };
}

function searchClause(search: string | undefined, columns: string[], where: string[], args: unknown[]): void {
  if (search === undefined || search.trim() === '') return;
  const pattern = `%${likeEscape(search.trim())}%`;
  where.push(`(${columns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
  for (let i = 0; i < columns.length; i++) args.push(pattern);
}

// ---- destinations -----------------------------------------------------------------

const DEST_SORT: Readonly<Record<NonNullable<DestinationQuery['sort']>, string>> = {
  requests: 'requests DESC, flows DESC, id',
  bytes: 'bytes_out + bytes_in DESC, id',
  leaks: 'leaks DESC, requests DESC, id',
  host: "coalesce(host, json_extract(names, '$[0]'), ip), id",
};

/** One page of destinations (one per server address, or per host for HAR entries without one). */
export function listDestinations(reader: CaseReader, q: DestinationQuery): Page<DestinationRow> {
  requireFindings(reader, 'destinations.list');
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.country !== undefined) {
    where.push('country = ?');
    args.push(q.country.toUpperCase());
  }
  searchClause(q.search, ['host', 'ip', 'names', 'org', 'operator', 'domain'], where, args);
  const digits = reader.caseDigits();
  return page(reader, 'destinations', where, args, DEST_SORT[q.sort ?? 'requests'],
    `id, ip, host, names, scope, country, asn, org, domain, category, operator, requests, bytes_out, bytes_in, leaks,
     CAST(first_ts_ns AS TEXT) AS first, CAST(last_ts_ns AS TEXT) AS last`, q, (r) => {
      const names = parseJson<string[]>(r.names, []);
      const country = r.country as string | null;
      return {
        host: (r.host as string | null) ?? names[0] ?? (r.ip as string | null) ?? '',
        registrableDomain: r.domain as string | null,
        ips: r.ip === null ? [] : [r.ip as string],
        country,
        countryName: countryName(country),
        asn: r.asn as number | null,
        org: (r.operator as string | null) ?? (r.org as string | null),
        category: r.category as string | null,
        scope: r.scope as string | null,
        requests: r.requests as number,
        bytesUp: r.bytes_out as number,
        bytesDown: r.bytes_in as number,
        leaks: r.leaks as number,
        span: spanOfText(r.first, r.last, digits),
      };
    });
}

/** Destinations grouped by location country (null: private, reserved or unknown). */
export function countrySummary(reader: CaseReader): CountrySummary[] {
  const rows = reader.db.prepare(`SELECT country, count(*) AS hosts, sum(requests) AS requests, sum(bytes_out) AS bytes_up, sum(leaks) AS leaks
    FROM destinations GROUP BY country ORDER BY leaks DESC, requests DESC, hosts DESC`).all() as SqlRow[];
  return rows.map((r) => ({
    country: r.country as string | null,
    countryName: countryName(r.country as string | null),
    hosts: r.hosts as number,
    requests: r.requests as number,
    bytesUp: r.bytes_up as number,
    leaks: r.leaks as number,
  }));
}

/** Destinations grouped by operator (the tracker list's operator, else the AS holder). */
export function operatorSummary(reader: CaseReader, limit: number): OperatorSummary[] {
  const rows = reader.db.prepare(`SELECT min(asn) AS asn, coalesce(operator, org) AS org, count(*) AS hosts, sum(requests) AS requests,
      sum(bytes_out) AS bytes_up, sum(leaks) AS leaks
    FROM destinations WHERE coalesce(operator, org) IS NOT NULL GROUP BY coalesce(operator, org)
    ORDER BY leaks DESC, requests DESC, hosts DESC LIMIT ?`).all(limit) as SqlRow[];
  return rows.map((r) => ({
    asn: r.asn as number | null,
    org: r.org as string | null,
    hosts: r.hosts as number,
    requests: r.requests as number,
    bytesUp: r.bytes_up as number,
    leaks: r.leaks as number,
  }));
}

// ---- identifiers, devices, accounts, links ---------------------------------------

/** One page of identifiers, most observed first. */
export function listIdentifiers(reader: CaseReader, q: RowQuery): Page<IdentifierRow> {
  requireFindings(reader, 'identifiers.list');
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.input !== undefined) {
    where.push('EXISTS (SELECT 1 FROM json_each(identifiers.inputs) WHERE value = ?)');
    args.push(q.input);
  }
  searchClause(q.search, ['value', 'kind', 'keys'], where, args);
  const digits = reader.caseDigits();
  return page(reader, 'identifiers', where, args, 'observations DESC, id',
    `id, value, kind, scope, observations, requests, destinations, modes, CAST(first_ts_ns AS TEXT) AS first, CAST(last_ts_ns AS TEXT) AS last`, q,
    (r) => ({
      id: r.id as number,
      type: r.kind as string,
      value: r.value as string,
      scope: r.scope === 'device' || r.scope === 'account' ? r.scope : null,
      observations: r.observations as number,
      requests: r.requests as number,
      destinations: parseJson<string[]>(r.destinations, []),
      modes: parseJson<string[]>(r.modes, []).map(browsingMode).filter((m): m is BrowsingMode => m !== null),
      span: spanOfText(r.first, r.last, digits),
    }));
}

/** One page of devices, busiest first. */
export function listDevices(reader: CaseReader, q: RowQuery): Page<DeviceRow> {
  requireFindings(reader, 'devices.list');
  const where: string[] = [];
  const args: unknown[] = [];
  searchClause(q.search, ['label', 'ips', 'macs', 'names', 'user_agents', 'model'], where, args);
  return page(reader, 'devices', where, args, 'requests DESC, flows DESC, id',
    `id, label, ips, macs, names, user_agents, requests,
     (SELECT count(*) FROM device_identifiers di WHERE di.device_id = devices.id) AS identifiers`, q, (r) => ({
      id: r.id as number,
      label: r.label as string,
      ips: parseJson<string[]>(r.ips, []),
      macs: parseJson<string[]>(r.macs, []),
      hostnames: [...new Set(parseJson<Array<{ name: string }>>(r.names, []).map((n) => n.name))],
      userAgents: parseJson<Array<{ userAgent: string }>>(r.user_agents, []).map((u) => u.userAgent),
      identifiers: r.identifiers as number,
      requests: r.requests as number,
    }));
}

/** One page of accounts with their identifiers and linked devices. */
export function listAccounts(reader: CaseReader, q: RowQuery): Page<AccountRow> {
  requireFindings(reader, 'accounts.list');
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.search !== undefined && q.search.trim() !== '') {
    const pattern = `%${likeEscape(q.search.trim())}%`;
    where.push(`(label LIKE ? ESCAPE '\\' OR id IN (SELECT ai.account_id FROM account_identifiers ai JOIN identifiers i ON i.id = ai.identifier_id
      WHERE i.value LIKE ? ESCAPE '\\'))`);
    args.push(pattern, pattern);
  }
  const ids = reader.db.prepare(`SELECT i.kind, i.value FROM account_identifiers ai JOIN identifiers i ON i.id = ai.identifier_id
    WHERE ai.account_id = ? ORDER BY i.kind, i.value`);
  const devices = reader.db.prepare('SELECT device_id FROM device_accounts WHERE account_id = ? ORDER BY device_id').pluck();
  return page(reader, 'accounts', where, args, 'requests DESC, id', 'id, label, requests', q, (r) => ({
    id: r.id as number,
    label: r.label as string,
    identifiers: (ids.all(r.id) as Array<{ kind: string; value: string }>).map((i) => ({ type: i.kind, value: i.value })),
    devices: devices.all(r.id) as number[],
    requests: r.requests as number,
  }));
}

/**
 * The requests that tie an entity to the traffic: for an identifier, where it was
 * observed; for a device, where its identifiers were sent from it; for an account,
 * the requests that link it to a device, with the account identifier seen in each.
 */
export function entityLinks(reader: CaseReader, q: EntityLinkQuery): Page<EntityLinkRow> {
  requireFindings(reader, 'entities.links');
  const head = `h.method, h.host, h.uri, CAST(o.ts_ns AS TEXT) AS ts_text, o.input_id, o.frame, o.entry, o.http_id`;
  const obsCols = `${head}, o.identifier_id, i.kind AS id_kind, i.value AS id_value, o.location, o.key, o.chain, o.mode`;
  let from: string;
  let where: string[];
  let args: unknown[];
  let columns: string;
  if (q.entity === 'identifier') {
    from = 'identifier_observations o JOIN http h ON h.id = o.http_id JOIN identifiers i ON i.id = o.identifier_id';
    where = ['o.identifier_id = ?'];
    args = [q.id];
    columns = obsCols;
  } else if (q.entity === 'device') {
    from = `identifier_observations o JOIN http h ON h.id = o.http_id JOIN identifiers i ON i.id = o.identifier_id
      JOIN device_identifiers di ON di.identifier_id = o.identifier_id`;
    where = ['di.device_id = ?', `o.endpoint IN (SELECT value FROM json_each((SELECT endpoints FROM devices WHERE id = ?)))`];
    args = [q.id, q.id];
    columns = obsCols;
  } else {
    from = `device_account_evidence o JOIN http h ON h.id = o.http_id
      LEFT JOIN identifier_observations io ON io.id = (SELECT x.id FROM identifier_observations x
        JOIN account_identifiers ai ON ai.identifier_id = x.identifier_id AND ai.account_id = o.account_id
        WHERE x.http_id = o.http_id ORDER BY x.id LIMIT 1)
      LEFT JOIN identifiers i ON i.id = io.identifier_id`;
    where = ['o.account_id = ?'];
    args = [q.id];
    columns = `${head}, io.identifier_id, i.kind AS id_kind, i.value AS id_value, io.location, io.key, io.chain, io.mode`;
  }
  return page(reader, from, where, args, 'o.ts_ns, o.id', columns, q, (r) => {
    const input = r.input_id as number;
    return {
      input,
      frame: r.frame as number | null,
      entry: r.entry as number | null,
      ...stamp(r.ts_text as string, reader.digitsOf(input)),
      httpId: r.http_id as number,
      method: r.method as string,
      host: r.host as string | null,
      uri: r.uri as string,
      identifier: r.identifier_id === null || r.identifier_id === undefined
        ? null
        : { id: r.identifier_id as number, type: r.id_kind as string, value: r.id_value as string },
      location: (r.location as string | null) ?? null,
      key: (r.key as string | null) ?? null,
      chain: (r.chain as string | null) ?? null,
      mode: browsingMode(r.mode),
    };
  });
}

// ---- leaks ------------------------------------------------------------------------

/** One page of leaks in time order. */
export function listLeaks(reader: CaseReader, q: LeakQuery): Page<LeakRow> {
  requireFindings(reader, 'leaks.list');
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.mode !== undefined) {
    where.push('mode = ?');
    args.push(q.mode);
  }
  if (q.input !== undefined) {
    where.push('input_id = ?');
    args.push(q.input);
  }
  if (q.host !== undefined) {
    const host = q.host.trim().toLowerCase();
    where.push(`(dest_host = ? OR dest_host LIKE ? ESCAPE '\\' OR dest_ip = ?)`);
    args.push(host, `%.${likeEscape(host)}`, host);
  }
  searchClause(q.search, ['value', 'dest_host', 'chain', 'page'], where, args);
  return page(reader, 'leaks', where, args, 'ts_ns, id',
    `id, CAST(ts_ns AS TEXT) AS ts_text, kind, value, chain, excerpt, http_id, input_id, frame, entry, mode, dest_host, dest_ip,
     country, org, operator, category`, q, (r) => {
      const input = r.input_id as number;
      return {
        id: r.id as number,
        input,
        frame: r.frame as number | null,
        entry: r.entry as number | null,
        ...stamp(r.ts_text as string, reader.digitsOf(input)),
        kind: r.kind as string,
        value: r.value as string,
        chain: r.chain as string,
        excerpt: r.excerpt as string | null,
        destination: {
          host: (r.dest_host as string | null) ?? (r.dest_ip as string | null) ?? '',
          ip: r.dest_ip as string | null,
          country: r.country as string | null,
          org: (r.operator as string | null) ?? (r.org as string | null),
          category: r.category as string | null,
        },
        mode: browsingMode(r.mode),
        httpId: r.http_id as number,
      };
    });
}

/** Leaked values found in one HTTP exchange, to highlight in its decode tree. */
export function leakHighlights(reader: CaseReader, httpId: number): Highlight[] {
  if (!findingsReady(reader)) return [];
  const rows = reader.db.prepare(`SELECT chain, value, kind, dest_host FROM leaks WHERE http_id = ? ORDER BY id`).all(httpId) as SqlRow[];
  return rows.map((r) => ({ chain: r.chain as string, value: r.value as string, label: `${leakKindLabel(r.kind as string, 1)} sent to ${(r.dest_host as string | null) ?? 'this server'}` }));
}

const LEAK_KIND_WORDS: Readonly<Record<string, [one: string, many: string]>> = {
  url: ['visited page', 'visited pages'],
  search: ['search word', 'search words'],
  identifier: ['identifier', 'identifiers'],
  watch: ['watched value', 'watched values'],
  'visited-host': ['visited site', 'visited sites'],
  'third-party-url': ['URL', 'URLs'],
};

function leakKindLabel(kind: string, n: number): string {
  const words = LEAK_KIND_WORDS[kind] ?? [kind, `${kind} values`];
  return n === 1 ? words[0] : words[1];
}

/**
 * Findings as sentences: what leaked to whom, where that is and who runs it, and how
 * much of it happened in incognito mode; and identifiers that survived incognito.
 */
export function findingSentences(reader: CaseReader, limit: number): FindingSentence[] {
  const rows = reader.db.prepare(`SELECT kind, coalesce(dest_host, dest_ip) AS host, min(country) AS country, min(coalesce(operator, org)) AS org,
      count(DISTINCT value) AS n, count(DISTINCT CASE WHEN mode = 'incognito' THEN value END) AS incognito
    FROM leaks GROUP BY kind, coalesce(dest_host, dest_ip) ORDER BY n DESC, host LIMIT ?`).all(limit) as SqlRow[];
  const out: FindingSentence[] = [];
  for (const r of rows) {
    const n = r.n as number;
    const where = [countryName(r.country as string | null) ?? (r.country as string | null), r.org as string | null].filter((x) => x !== null);
    const inc = r.incognito as number;
    const verb = n === 1 ? 'was' : 'were';
    let text = `${n} ${leakKindLabel(r.kind as string, n)} ${verb} sent to ${r.host as string}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
    if (inc > 0) text += ` — ${inc === n && n > 1 ? 'all' : inc} of them in incognito mode`;
    out.push({ text, severity: inc > 0 ? 'warning' : 'notice', evidence: { kind: 'http', host: r.host as string } });
  }
  const run = latestRun(reader.db);
  const shared = run?.comparison?.shared.identifiers ?? [];
  if (shared.length > 0) {
    const kinds = [...new Set(shared.map((i) => i.kind))].slice(0, 4).join(', ');
    out.push({
      text: `${shared.length} ${shared.length === 1 ? 'identifier was' : 'identifiers were'} sent in both incognito and normal mode (${kinds}): incognito did not unlink the user`,
      severity: 'warning',
      evidence: null,
    });
  }
  return out;
}

// ---- modes, comparison ------------------------------------------------------------

function modeLabel(reader: CaseReader, l: StoredModeLabel): ModeLabel {
  const digits = reader.caseDigits();
  return { id: l.id, mode: l.mode, input: l.inputId, span: l.startNs !== null && l.endNs !== null ? spanOf(l.startNs, l.endNs, digits) : null };
}

/** The mode labels of the case, in the order they apply. */
export function listModes(reader: CaseReader): ModeLabel[] {
  requireTables(reader, 'modes.list');
  return listModeLabels(reader.db).map((l) => modeLabel(reader, l));
}

/** Add a label; the caller re-runs the analysis. */
export function setMode(reader: CaseReader, input: ModeLabelInput): ModeLabel[] {
  requireTables(reader, 'modes.set');
  try {
    const labels = 'input' in input
      ? addModeLabel(reader.db, { mode: input.mode, input: input.input })
      : addModeLabel(reader.db, { mode: input.mode, from: nsFromInstant(input.from), to: nsFromInstant(input.to) });
    reader.noteWrite();
    return labels.map((l) => modeLabel(reader, l));
  } catch (e) {
    if (e instanceof ModeLabelError) throw new ApiFailure('invalid-params', `modes.set: ${e.message}`);
    throw e;
  }
}

/** Remove a label; the caller re-runs the analysis. */
export function removeMode(reader: CaseReader, id: number): ModeLabel[] {
  requireTables(reader, 'modes.remove');
  if (!listModeLabels(reader.db).some((l) => l.id === id)) throw new ApiFailure('not-found', `modes.remove: no label ${id}`);
  const labels = removeModeLabel(reader.db, id);
  reader.noteWrite();
  return labels.map((l) => modeLabel(reader, l));
}

/** Mode of each input labelled as a whole. */
export function inputModes(reader: CaseReader): Map<number, BrowsingMode> {
  const out = new Map<number, BrowsingMode>();
  if (!hasFindingsSchema(reader.db)) return out;
  for (const l of listModeLabels(reader.db)) if (l.inputId !== null && !out.has(l.inputId)) out.set(l.inputId, l.mode);
  return out;
}

/** Windows to shade on the timeline: labelled time windows and the spans of labelled inputs. */
export function modeWindows(reader: CaseReader): ModeWindow[] | null {
  if (!hasFindingsSchema(reader.db)) return null;
  const spans = new Map<number, { first: string | null; last: string | null }>();
  for (const r of reader.db.prepare('SELECT id, CAST(first_ts_ns AS TEXT) AS first, CAST(last_ts_ns AS TEXT) AS last FROM inputs').all() as SqlRow[]) {
    spans.set(r.id as number, { first: r.first as string | null, last: r.last as string | null });
  }
  const out: ModeWindow[] = [];
  for (const l of listModeLabels(reader.db)) {
    if (l.startNs !== null && l.endNs !== null) {
      out.push({ mode: l.mode, fromMs: msFromNs(l.startNs), toMs: msFromNs(l.endNs), input: null });
    } else if (l.inputId !== null) {
      const s = spans.get(l.inputId);
      if (s?.first && s.last) out.push({ mode: l.mode, fromMs: msFromNs(BigInt(s.first)), toMs: msFromNs(BigInt(s.last)), input: l.inputId });
    }
  }
  return out;
}

/** The incognito/normal comparison of the latest analysis run. */
export function comparison(reader: CaseReader): Comparison {
  requireFindings(reader, 'compare.get');
  const set = latestRun(reader.db)?.comparison ?? null;
  if (set === null) return { modes: [], sharedIdentifiers: [], sharedDestinations: [] };
  // A mode nobody labelled has no column, rather than a column of zeros that reads as a result.
  const labelled = new Set(listModeLabels(reader.db).map((l) => l.mode));
  const modes: Comparison['modes'] = [];
  for (const mode of ['incognito', 'normal'] as const) {
    const m = set.modes[mode];
    if (m === undefined || !labelled.has(mode)) continue;
    modes.push({
      mode,
      pagesVisited: m.pagesVisited,
      pagesLeaked: m.pagesLeaked,
      leakRatio: m.leakRatio,
      destinations: m.destinations.length,
      countries: m.countries,
      operators: m.operators,
      identifiers: m.identifiers.length,
      bytesUp: m.bytesSent,
    });
  }
  return {
    modes,
    sharedIdentifiers: set.shared.identifiers.map((i) => ({ type: i.kind, value: i.value })),
    sharedDestinations: set.shared.destinations.map((d) => d.host),
  };
}
