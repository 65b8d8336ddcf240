/**
 * What the report reads from a case: the inputs and traffic counts the JSON export
 * reads, and the findings the analysis stored (destinations, identifiers, devices,
 * accounts, pages, leaks, mode labels and the databases of the last analysis run).
 * Nothing is derived here that the analysis already decided; this module only reads,
 * counts and groups, in SQL where the data is large.
 */
import type Database from 'better-sqlite3';
import type { CaseStore, InputRow } from '../store/case-store.ts';

export type LeakMode = 'incognito' | 'normal' | 'unlabelled';

export interface SourceLeak {
  tsNs: bigint;
  kind: string;
  value: string;
  chain: string;
  excerpt: string | null;
  location: string;
  input: number;
  frame: number | null;
  entry: number | null;
  mode: LeakMode;
  page: string | null;
  pageDomain: string | null;
  destHost: string | null;
  destIp: string | null;
  destDomain: string | null;
  country: string | null;
  asn: number | null;
  org: string | null;
  category: string | null;
  operator: string | null;
  /** Identifier kind ('android_id', 'email', …) for identifier leaks. */
  identifierKind: string | null;
  /** Client address of the request ('' for HAR entries, which have none). */
  srcIp: string;
}

export interface SourceDestination {
  key: string;
  host: string | null;
  ip: string | null;
  names: string[];
  scope: string | null;
  country: string | null;
  asn: number | null;
  org: string | null;
  domain: string | null;
  category: string | null;
  operator: string | null;
  requests: number;
  bytesOut: number;
  leaks: number;
}

export interface SourceIdentifier {
  id: number;
  value: string;
  kind: string;
  scope: string;
  observations: number;
  destinations: string[];
  modes: string[];
  /** Client addresses of the requests it was seen in ('' for HAR). */
  srcIps: string[];
}

export interface SourceDevice {
  label: string;
  macs: string[];
  ips: string[];
  names: string[];
  userAgents: string[];
}

export interface SourceAccount {
  label: string;
  identifiers: Array<{ type: string; value: string }>;
}

export interface SourceModeLabel {
  mode: 'incognito' | 'normal';
  input: number | null;
  inputRef: string | null;
  startNs: bigint | null;
  endNs: bigint | null;
}

export interface SourceDatabase {
  name: string;
  version: string | null;
  date: string | null;
  source: string | null;
  licence: string | null;
  sha256: string | null;
}

export interface TrafficStats {
  http: number;
  httpTruncated: number;
  tlsTcp: number;
  tlsServerNames: number;
  quic: number;
  dnsQueries: number;
  harInputs: number;
  captureInputs: number;
  packets: number;
  harEntries: number;
}

export interface ReportSource {
  title: string;
  inputs: InputRow[];
  /** Input id → its label, when a label names the whole input. */
  inputModes: Map<number, 'incognito' | 'normal'>;
  labels: SourceModeLabel[];
  hasFindings: boolean;
  leaks: SourceLeak[];
  destinations: SourceDestination[];
  identifiers: SourceIdentifier[];
  devices: SourceDevice[];
  accounts: SourceAccount[];
  /** Visited pages per mode: how many, and how many of them leaked. */
  pages: Map<string, { visited: number; leaked: number }>;
  databases: SourceDatabase[];
  traffic: TrafficStats;
  anomalies: { total: number; byLayer: Array<{ layer: string; count: number }>; first: Array<{ input: number; frame: number | null; layer: string; error: string }> };
  /** Request counts (HTTP, TLS hellos, DNS queries) per bucket over [fromNs, fromNs + n·bucketNs). */
  buckets(fromNs: bigint, bucketNs: bigint, n: number): number[];
  /** Addresses and names the given client addresses talked to (for redaction). */
  contacted(clientIps: readonly string[]): { ips: Set<string>; hosts: Set<string> };
}

type Row = Record<string, unknown>;

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function strings(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  try {
    const a = JSON.parse(v) as unknown;
    return Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function int(v: unknown): number | null {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
}

function ns(v: unknown): bigint | null {
  return typeof v === 'string' ? BigInt(v) : null;
}

function databasesOf(raw: unknown): SourceDatabase[] {
  if (typeof raw !== 'string') return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const out: SourceDatabase[] = [];
  for (const d of list as Row[]) {
    if (d === null || typeof d !== 'object' || typeof d.name !== 'string') continue;
    out.push({
      name: d.name,
      version: str(d.version),
      date: str(d.date),
      source: str(d.source),
      licence: str(d.licence) ?? str(d.license),
      sha256: str(d.sha256),
    });
  }
  return out;
}

const COUNT = (db: Database.Database, sql: string, ...args: unknown[]): number => {
  const r = db.prepare(sql).get(...args) as { n: number | null } | undefined;
  return r?.n ?? 0;
};

/** Read everything the report needs from an open case. */
export function readReportSource(store: CaseStore): ReportSource {
  const db = store.db;
  const inputs = store.inputs();
  const findings = tableExists(db, 'leaks');
  const runDone = findings && tableExists(db, 'analysis_runs') && COUNT(db, "SELECT COUNT(*) AS n FROM analysis_runs WHERE status = 'done'") > 0;

  const labels: SourceModeLabel[] = [];
  const inputModes = new Map<number, 'incognito' | 'normal'>();
  if (findings && tableExists(db, 'mode_labels')) {
    const rows = db.prepare('SELECT mode, input_id, input_ref, CAST(start_ns AS TEXT) AS s, CAST(end_ns AS TEXT) AS e FROM mode_labels ORDER BY id').all() as Row[];
    for (const r of rows) {
      const mode = r.mode === 'incognito' ? 'incognito' : 'normal';
      const input = int(r.input_id);
      labels.push({ mode, input, inputRef: str(r.input_ref), startNs: ns(r.s), endNs: ns(r.e) });
      if (input !== null && !inputModes.has(input)) inputModes.set(input, mode);
    }
  }

  const leaks: SourceLeak[] = [];
  const destinations: SourceDestination[] = [];
  const identifiers: SourceIdentifier[] = [];
  const devices: SourceDevice[] = [];
  const accounts: SourceAccount[] = [];
  const pages = new Map<string, { visited: number; leaked: number }>();
  let databases: SourceDatabase[] = [];
  if (findings) {
    const leakRows = db
      .prepare(
        `SELECT CAST(l.ts_ns AS TEXT) AS ts, l.kind, l.value, l.chain, l.excerpt, l.location, l.input_id, l.frame, l.entry, l.mode,
                l.page, l.page_domain, l.dest_host, l.dest_ip, l.dest_domain, l.country, l.asn, l.org, l.category, l.operator,
                i.kind AS identifier_kind, h.src_ip
           FROM leaks l
           LEFT JOIN identifiers i ON i.id = l.identifier_id
           LEFT JOIN http h ON h.id = l.http_id`,
      )
      .all() as Row[];
    for (const r of leakRows) {
      leaks.push({
        tsNs: BigInt(r.ts as string),
        kind: r.kind as string,
        value: r.value as string,
        chain: r.chain as string,
        excerpt: str(r.excerpt),
        location: r.location as string,
        input: r.input_id as number,
        frame: int(r.frame),
        entry: int(r.entry),
        mode: r.mode === 'incognito' || r.mode === 'normal' ? r.mode : 'unlabelled',
        page: str(r.page),
        pageDomain: str(r.page_domain),
        destHost: str(r.dest_host),
        destIp: str(r.dest_ip),
        destDomain: str(r.dest_domain),
        country: str(r.country),
        asn: int(r.asn),
        org: str(r.org),
        category: str(r.category),
        operator: str(r.operator),
        identifierKind: str(r.identifier_kind),
        srcIp: str(r.src_ip) ?? '',
      });
    }
    for (const r of db.prepare('SELECT * FROM destinations').all() as Row[]) {
      destinations.push({
        key: r.key as string,
        host: str(r.host),
        ip: str(r.ip),
        names: strings(r.names),
        scope: str(r.scope),
        country: str(r.country),
        asn: int(r.asn),
        org: str(r.org),
        domain: str(r.domain),
        category: str(r.category),
        operator: str(r.operator),
        requests: int(r.requests) ?? 0,
        bytesOut: int(r.bytes_out) ?? 0,
        leaks: int(r.leaks) ?? 0,
      });
    }
    const idSrc = new Map<number, string[]>();
    for (const r of db.prepare('SELECT DISTINCT o.identifier_id AS id, h.src_ip FROM identifier_observations o JOIN http h ON h.id = o.http_id').all() as Row[]) {
      const id = r.id as number;
      const list = idSrc.get(id) ?? [];
      list.push(str(r.src_ip) ?? '');
      idSrc.set(id, list);
    }
    for (const r of db.prepare('SELECT id, value, kind, scope, observations, destinations, modes FROM identifiers').all() as Row[]) {
      const id = r.id as number;
      identifiers.push({
        id,
        value: r.value as string,
        kind: r.kind as string,
        scope: r.scope as string,
        observations: int(r.observations) ?? 0,
        destinations: strings(r.destinations),
        modes: strings(r.modes),
        srcIps: (idSrc.get(id) ?? []).sort(),
      });
    }
    for (const r of db.prepare('SELECT label, macs, ips, names, user_agents FROM devices').all() as Row[]) {
      devices.push({ label: r.label as string, macs: strings(r.macs), ips: strings(r.ips), names: strings(r.names), userAgents: strings(r.user_agents) });
    }
    const accIds = db.prepare('SELECT i.kind, i.value FROM account_identifiers a JOIN identifiers i ON i.id = a.identifier_id WHERE a.account_id = ?');
    for (const r of db.prepare('SELECT id, label FROM accounts').all() as Row[]) {
      const ids = (accIds.all(r.id) as Row[]).map((x) => ({ type: x.kind as string, value: x.value as string }));
      accounts.push({ label: r.label as string, identifiers: ids });
    }
    for (const r of db.prepare("SELECT mode, COUNT(*) AS visited, SUM(leaks > 0) AS leaked FROM pages WHERE kind = 'url' GROUP BY mode").all() as Row[]) {
      pages.set(r.mode as string, { visited: int(r.visited) ?? 0, leaked: int(r.leaked) ?? 0 });
    }
    if (tableExists(db, 'analysis_runs')) {
      const run = db.prepare("SELECT databases FROM analysis_runs WHERE status = 'done' ORDER BY id DESC LIMIT 1").get() as Row | undefined;
      databases = databasesOf(run?.databases);
    }
  }

  const traffic: TrafficStats = {
    http: COUNT(db, 'SELECT COUNT(*) AS n FROM http'),
    httpTruncated: COUNT(db, 'SELECT COUNT(*) AS n FROM http WHERE truncated = 1'),
    tlsTcp: COUNT(db, "SELECT COUNT(*) AS n FROM tls WHERE transport = 'tcp'"),
    tlsServerNames: COUNT(db, "SELECT COUNT(DISTINCT sni) AS n FROM tls WHERE transport = 'tcp'"),
    quic: COUNT(db, "SELECT COUNT(*) AS n FROM tls WHERE transport = 'quic'"),
    dnsQueries: COUNT(db, 'SELECT COUNT(*) AS n FROM dns WHERE response = 0'),
    harInputs: inputs.filter((i) => i.format === 'har').length,
    captureInputs: inputs.filter((i) => i.format === 'pcap' || i.format === 'pcapng').length,
    packets: inputs.reduce((s, i) => s + i.packets, 0),
    harEntries: inputs.reduce((s, i) => s + i.entries, 0),
  };

  const byLayer = (db.prepare('SELECT layer, COUNT(*) AS n FROM anomalies GROUP BY layer ORDER BY n DESC, layer').all() as Row[]).map((r) => ({
    layer: r.layer as string,
    count: r.n as number,
  }));
  const first = (db.prepare('SELECT input_id, frame, layer, error FROM anomalies ORDER BY input_id, frame IS NULL, frame, id LIMIT 200').all() as Row[]).map((r) => ({
    input: r.input_id as number,
    frame: int(r.frame),
    layer: r.layer as string,
    error: r.error as string,
  }));

  return {
    title: store.meta().title,
    inputs,
    inputModes,
    labels,
    hasFindings: runDone,
    leaks,
    destinations,
    identifiers,
    devices,
    accounts,
    pages,
    databases,
    traffic,
    anomalies: { total: byLayer.reduce((s, l) => s + l.count, 0), byLayer, first },
    buckets(fromNs: bigint, bucketNs: bigint, n: number): number[] {
      const out = new Array<number>(n).fill(0);
      const toNs = fromNs + bucketNs * BigInt(n);
      const sql = `SELECT CAST((ts_ns - ?) / ? AS INTEGER) AS b, COUNT(*) AS c FROM (
          SELECT ts_ns FROM http WHERE ts_ns >= ? AND ts_ns < ?
          UNION ALL SELECT ts_ns FROM tls WHERE ts_ns >= ? AND ts_ns < ?
          UNION ALL SELECT ts_ns FROM dns WHERE response = 0 AND ts_ns >= ? AND ts_ns < ?)
        GROUP BY b`;
      for (const r of db.prepare(sql).all(fromNs, bucketNs, fromNs, toNs, fromNs, toNs, fromNs, toNs) as Row[]) {
        const b = int(r.b);
        if (b !== null && b >= 0 && b < n) out[b] += r.c as number;
      }
      return out;
    },
    contacted(clientIps: readonly string[]): { ips: Set<string>; hosts: Set<string> } {
      const ips = new Set<string>();
      const hosts = new Set<string>();
      if (clientIps.length === 0) return { ips, hosts };
      const marks = clientIps.map(() => '?').join(', ');
      for (const r of db.prepare(`SELECT DISTINCT dst_ip FROM flows WHERE src_ip IN (${marks})`).all(...clientIps) as Row[]) ips.add(r.dst_ip as string);
      for (const r of db.prepare(`SELECT DISTINCT dst_ip, host FROM http WHERE src_ip IN (${marks}) OR src_ip = ''`).all(...clientIps) as Row[]) {
        if (typeof r.dst_ip === 'string' && r.dst_ip !== '') ips.add(r.dst_ip);
        if (typeof r.host === 'string') hosts.add(r.host.toLowerCase());
      }
      for (const r of db.prepare(`SELECT DISTINCT dst_ip, sni FROM tls WHERE src_ip IN (${marks})`).all(...clientIps) as Row[]) {
        ips.add(r.dst_ip as string);
        if (typeof r.sni === 'string') hosts.add(r.sni.toLowerCase());
      }
      for (const r of db.prepare(`SELECT DISTINCT qname FROM dns WHERE src_ip IN (${marks})`).all(...clientIps) as Row[]) {
        hosts.add((r.qname as string).toLowerCase().replace(/\.$/, ''));
      }
      return { ips, hosts };
    },
  };
}
