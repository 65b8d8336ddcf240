/**
 * Reading the findings tables: the latest analysis run, and iterators over
 * destinations, identifiers (with a capped list of observations), devices, accounts
 * (with their linking requests), pages and leaks. Iterators page with keyset queries
 * and hold no cursor between pages, so a caller may await between rows.
 */
import type Database from 'better-sqlite3';
import type { ModeComparisonSet } from './comparison.ts';
import type { DestinationInfo } from './destinations.ts';
import type { EnrichmentDatabase } from '../enrich/enricher.ts';

type Row = Record<string, unknown>;

function ns(v: unknown): bigint | null {
  return v === null || v === undefined ? null : BigInt(v as string);
}

function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** True when the case has the findings tables (migration 2 applied). */
export function hasFindingsSchema(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'analysis_runs'").get() !== undefined;
}

export interface AnalysisRun {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  tool: string;
  durationMs: number | null;
  databases: EnrichmentDatabase[];
  options: Record<string, unknown>;
  counts: Record<string, number>;
  comparison: ModeComparisonSet | null;
  error: string | null;
}

function runOf(r: Row): AnalysisRun {
  const comparison = json<ModeComparisonSet | Record<string, never>>(r.comparison, {});
  return {
    id: r.id as number,
    startedAt: r.started_at as string,
    finishedAt: r.finished_at as string | null,
    status: r.status as AnalysisRun['status'],
    tool: r.tool as string,
    durationMs: r.duration_ms as number | null,
    databases: json(r.databases, []),
    options: json(r.options, {}),
    counts: json(r.counts, {}),
    comparison: 'modes' in comparison ? (comparison as ModeComparisonSet) : null,
    error: r.error as string | null,
  };
}

/** The most recent successful analysis run (whose findings are in the tables), or null. */
export function latestRun(db: Database.Database): AnalysisRun | null {
  if (!hasFindingsSchema(db)) return null;
  const r = db.prepare("SELECT * FROM analysis_runs WHERE status = 'done' ORDER BY id DESC LIMIT 1").get() as Row | undefined;
  return r ? runOf(r) : null;
}

/** Every analysis run, oldest first (failed and cancelled ones included). */
export function analysisRuns(db: Database.Database): AnalysisRun[] {
  if (!hasFindingsSchema(db)) return [];
  return (db.prepare('SELECT * FROM analysis_runs ORDER BY id').all() as Row[]).map(runOf);
}

/** Page through `sql` (which must select `id` and take `id > ?` and `LIMIT ?` as its last parameters). */
function* byId<T>(db: Database.Database, sql: string, map: (r: Row) => T, pageSize = 1000): Generator<T> {
  const stmt = db.prepare(sql);
  let last = -1;
  for (;;) {
    const rows = stmt.all(last, pageSize) as Row[];
    for (const r of rows) yield map(r);
    if (rows.length < pageSize) return;
    last = rows[rows.length - 1].id as number;
  }
}

/** A destinations row: what describe() found out about it, plus the counts. */
export interface DestinationFinding extends DestinationInfo {
  id: number;
  ip: string | null;
  flows: number;
  requests: number;
  bytesOut: number;
  bytesIn: number;
  leaks: number;
  identifiers: number;
  firstTs: bigint | null;
  lastTs: bigint | null;
}

/** Destinations by key (addresses in text order, then host-only destinations). */
export function iterDestinations(db: Database.Database): Generator<DestinationFinding> {
  return byId(db, `SELECT id, ip, host, names, scope, country, whois_country, asn, org, domain, category, operator, operator_country, flows,
    requests, bytes_out, bytes_in, leaks, identifiers, CAST(first_ts_ns AS TEXT) AS first, CAST(last_ts_ns AS TEXT) AS last
    FROM destinations WHERE id > ? ORDER BY id LIMIT ?`, (r) => ({
    id: r.id as number,
    ip: r.ip as string | null,
    host: r.host as string | null,
    names: json<string[]>(r.names, []),
    scope: r.scope as string | null,
    country: r.country as string | null,
    whoisCountry: r.whois_country as string | null,
    asn: r.asn as number | null,
    org: r.org as string | null,
    domain: r.domain as string | null,
    category: r.category as string | null,
    operator: r.operator as string | null,
    operatorCountry: r.operator_country as string | null,
    flows: r.flows as number,
    requests: r.requests as number,
    bytesOut: r.bytes_out as number,
    bytesIn: r.bytes_in as number,
    leaks: r.leaks as number,
    identifiers: r.identifiers as number,
    firstTs: ns(r.first),
    lastTs: ns(r.last),
  }));
}

export interface ObservationFinding {
  httpId: number;
  input: number;
  frame: number | null;
  entry: number | null;
  ts: bigint;
  key: string | null;
  chain: string;
  where: string;
  destHost: string | null;
  destIp: string | null;
  mode: string;
}

export interface IdentifierFinding {
  id: number;
  value: string;
  kind: string;
  kinds: string[];
  scope: string;
  basis: string;
  keys: string[];
  observationCount: number;
  requests: number;
  firstTs: bigint;
  lastTs: bigint;
  inputs: number[];
  modes: string[];
  sessions: number;
  destinations: string[];
  persistent: boolean;
  persistence: string[];
  /** The first `maxObservations` observations in time order. */
  observations: ObservationFinding[];
}

/** Identifiers by first sighting, each with up to `maxObservations` observations. */
export function* iterIdentifiers(db: Database.Database, maxObservations = 20): Generator<IdentifierFinding> {
  const obs = db.prepare(`SELECT http_id, input_id, frame, entry, CAST(ts_ns AS TEXT) AS ts, key, chain, location, dest_host, dest_ip, mode
    FROM identifier_observations WHERE identifier_id = ? ORDER BY ts_ns, id LIMIT ?`);
  const rows = byId(db, `SELECT id, value, kind, kinds, scope, basis, keys, observations, requests, CAST(first_ts_ns AS TEXT) AS first,
    CAST(last_ts_ns AS TEXT) AS last, inputs, modes, sessions, destinations, persistent, persistence FROM identifiers WHERE id > ? ORDER BY id LIMIT ?`, (r) => r);
  for (const r of rows) {
    yield {
      id: r.id as number,
      value: r.value as string,
      kind: r.kind as string,
      kinds: json(r.kinds, []),
      scope: r.scope as string,
      basis: r.basis as string,
      keys: json(r.keys, []),
      observationCount: r.observations as number,
      requests: r.requests as number,
      firstTs: BigInt(r.first as string),
      lastTs: BigInt(r.last as string),
      inputs: json(r.inputs, []),
      modes: json(r.modes, []),
      sessions: r.sessions as number,
      destinations: json(r.destinations, []),
      persistent: r.persistent === 1,
      persistence: json(r.persistence, []),
      observations: (obs.all(r.id, maxObservations) as Row[]).map((o) => ({
        httpId: o.http_id as number,
        input: o.input_id as number,
        frame: o.frame as number | null,
        entry: o.entry as number | null,
        ts: BigInt(o.ts as string),
        key: o.key as string | null,
        chain: o.chain as string,
        where: o.location as string,
        destHost: o.dest_host as string | null,
        destIp: o.dest_ip as string | null,
        mode: o.mode as string,
      })),
    };
  }
}

export interface DeviceFinding {
  id: number;
  key: string;
  label: string;
  macs: string[];
  ips: string[];
  names: Array<{ name: string; source: string; vendorClass: string | null; firstTs: string; input: string; frame: number | null }>;
  userAgents: Array<{ userAgent: string; requests: number }>;
  model: string | null;
  os: string | null;
  osVersion: string | null;
  browser: string | null;
  form: string | null;
  endpoints: string[];
  firstTs: bigint | null;
  lastTs: bigint | null;
  requests: number;
  flows: number;
  bytesOut: number;
  inputs: string[];
  modes: string[];
  identifiers: Array<{ id: number; value: string; kind: string; scope: string; observations: number }>;
  accounts: number[];
}

/** Devices by first sighting, with their identifiers and linked account ids. */
export function* iterDevices(db: Database.Database): Generator<DeviceFinding> {
  const ids = db.prepare(`SELECT i.id, i.value, i.kind, i.scope, di.observations FROM device_identifiers di
    JOIN identifiers i ON i.id = di.identifier_id WHERE di.device_id = ? ORDER BY i.scope, i.kind, i.value`);
  const accs = db.prepare('SELECT account_id FROM device_accounts WHERE device_id = ? ORDER BY account_id').pluck();
  for (const r of byId(db, `SELECT *, CAST(first_ts_ns AS TEXT) AS first, CAST(last_ts_ns AS TEXT) AS last FROM devices
    WHERE id > ? ORDER BY id LIMIT ?`, (x) => x)) {
    yield {
      id: r.id as number,
      key: r.key as string,
      label: r.label as string,
      macs: json(r.macs, []),
      ips: json(r.ips, []),
      names: json(r.names, []),
      userAgents: json(r.user_agents, []),
      model: r.model as string | null,
      os: r.os as string | null,
      osVersion: r.os_version as string | null,
      browser: r.browser as string | null,
      form: r.form as string | null,
      endpoints: json(r.endpoints, []),
      firstTs: ns(r.first),
      lastTs: ns(r.last),
      requests: r.requests as number,
      flows: r.flows as number,
      bytesOut: r.bytes_out as number,
      inputs: json(r.inputs, []),
      modes: json(r.modes, []),
      identifiers: ids.all(r.id) as DeviceFinding['identifiers'],
      accounts: accs.all(r.id) as number[],
    };
  }
}

export interface LinkEvidence {
  httpId: number;
  input: number;
  frame: number | null;
  entry: number | null;
  ts: bigint;
}

export interface AccountFinding {
  id: number;
  label: string;
  firstTs: bigint | null;
  lastTs: bigint | null;
  requests: number;
  identifiers: Array<{ id: number; value: string; kind: string }>;
  devices: Array<{ deviceId: number; requests: number; firstTs: bigint; lastTs: bigint; evidence: LinkEvidence[] }>;
}

/** Accounts with their identifiers and the devices they are linked to, with the linking requests. */
export function* iterAccounts(db: Database.Database): Generator<AccountFinding> {
  const ids = db.prepare(`SELECT i.id, i.value, i.kind FROM account_identifiers ai JOIN identifiers i ON i.id = ai.identifier_id
    WHERE ai.account_id = ? ORDER BY i.kind, i.value`);
  const links = db.prepare(`SELECT device_id, requests, CAST(first_ts_ns AS TEXT) AS first, CAST(last_ts_ns AS TEXT) AS last
    FROM device_accounts WHERE account_id = ? ORDER BY device_id`);
  const ev = db.prepare(`SELECT http_id, input_id, frame, entry, CAST(ts_ns AS TEXT) AS ts FROM device_account_evidence
    WHERE device_id = ? AND account_id = ? ORDER BY ts_ns, http_id`);
  for (const r of byId(db, `SELECT id, label, CAST(first_ts_ns AS TEXT) AS first, CAST(last_ts_ns AS TEXT) AS last, requests FROM accounts
    WHERE id > ? ORDER BY id LIMIT ?`, (x) => x)) {
    yield {
      id: r.id as number,
      label: r.label as string,
      firstTs: ns(r.first),
      lastTs: ns(r.last),
      requests: r.requests as number,
      identifiers: ids.all(r.id) as AccountFinding['identifiers'],
      devices: (links.all(r.id) as Row[]).map((l) => ({
        deviceId: l.device_id as number,
        requests: l.requests as number,
        firstTs: BigInt(l.first as string),
        lastTs: BigInt(l.last as string),
        evidence: (ev.all(l.device_id, r.id) as Row[]).map((e) => ({
          httpId: e.http_id as number, input: e.input_id as number, frame: e.frame as number | null, entry: e.entry as number | null,
          ts: BigInt(e.ts as string),
        })),
      })),
    };
  }
}

export interface PageFinding {
  id: number;
  kind: 'url' | 'site';
  value: string;
  host: string | null;
  domain: string | null;
  mode: string;
  source: string;
  firstTs: bigint;
  input: number | null;
  frame: number | null;
  entry: number | null;
  httpId: number | null;
  covered: boolean;
  leaks: number;
}

/** Visited pages (URLs) and sites (registrable domains seen in DNS/SNI), by first visit. */
export function iterPages(db: Database.Database): Generator<PageFinding> {
  return byId(db, `SELECT id, kind, value, host, domain, mode, source, CAST(first_ts_ns AS TEXT) AS first, input_id, frame, entry, http_id,
    covered, leaks FROM pages WHERE id > ? ORDER BY id LIMIT ?`, (r) => ({
    id: r.id as number,
    kind: r.kind as PageFinding['kind'],
    value: r.value as string,
    host: r.host as string | null,
    domain: r.domain as string | null,
    mode: r.mode as string,
    source: r.source as string,
    firstTs: BigInt(r.first as string),
    input: r.input_id as number | null,
    frame: r.frame as number | null,
    entry: r.entry as number | null,
    httpId: r.http_id as number | null,
    covered: r.covered === 1,
    leaks: r.leaks as number,
  }));
}

export interface LeakFinding {
  id: number;
  ts: bigint;
  kind: string;
  value: string;
  chain: string;
  otherChains: string[];
  excerpt: string | null;
  where: string;
  header: string | null;
  match: 'exact' | 'contained';
  httpId: number;
  input: number;
  frame: number | null;
  entry: number | null;
  mode: string;
  page: string | null;
  pageDomain: string | null;
  destination: {
    host: string | null;
    ip: string | null;
    domain: string | null;
    country: string | null;
    whoisCountry: string | null;
    asn: number | null;
    org: string | null;
    category: string | null;
    operator: string | null;
  };
  identifierId: number | null;
}

/** Leaks in time order. */
export function* iterLeaks(db: Database.Database, pageSize = 1000): Generator<LeakFinding> {
  const stmt = db.prepare(`SELECT *, CAST(ts_ns AS TEXT) AS ts FROM leaks WHERE (ts_ns, id) > (?, ?) ORDER BY ts_ns, id LIMIT ?`);
  let lastTs = -(2n ** 63n);
  let lastId = -1;
  for (;;) {
    const rows = stmt.all(lastTs, lastId, pageSize) as Row[];
    for (const r of rows) {
      yield {
        id: r.id as number,
        ts: BigInt(r.ts as string),
        kind: r.kind as string,
        value: r.value as string,
        chain: r.chain as string,
        otherChains: json(r.other_chains, []),
        excerpt: r.excerpt as string | null,
        where: r.location as string,
        header: r.header as string | null,
        match: r.match as LeakFinding['match'],
        httpId: r.http_id as number,
        input: r.input_id as number,
        frame: r.frame as number | null,
        entry: r.entry as number | null,
        mode: r.mode as string,
        page: r.page as string | null,
        pageDomain: r.page_domain as string | null,
        destination: {
          host: r.dest_host as string | null,
          ip: r.dest_ip as string | null,
          domain: r.dest_domain as string | null,
          country: r.country as string | null,
          whoisCountry: r.whois_country as string | null,
          asn: r.asn as number | null,
          org: r.org as string | null,
          category: r.category as string | null,
          operator: r.operator as string | null,
        },
        identifierId: r.identifier_id as number | null,
      };
    }
    if (rows.length < pageSize) return;
    const t = rows[rows.length - 1];
    lastTs = BigInt(t.ts as string);
    lastId = t.id as number;
  }
}
