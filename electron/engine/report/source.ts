/**
 * What the report reads from a case: the inputs and traffic counts the JSON export
 * reads, and the findings the analysis stored (destinations, identifiers, devices,
 * accounts, leaks, mode labels, and the comparison and databases of the last
 * analysis run), through the findings queries (electron/engine/findings/queries.ts).
 * Nothing is derived here that the analysis already decided; this module only reads,
 * counts and groups, in SQL where the data is large.
 */
import type Database from 'better-sqlite3';
import type { EnrichmentDatabase } from '../enrich/enricher.ts';
import type { ModeComparisonSet } from '../findings/comparison.ts';
import { labelInputs, listModeLabels } from '../findings/modes.ts';
import { hasFindingsSchema, iterAccounts, iterDestinations, iterDevices, iterIdentifiers, iterLeaks, latestRun } from '../findings/queries.ts';
import type { CaseStore, InputRow } from '../store/case-store.ts';
import { leakContext, type LeakContext } from './context.ts';

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
  /** The decoded text the value sat in (JSON event, form body, query), when the chain can be followed. */
  context: LeakContext | null;
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
  /** The analysis run's comparison of modes (pages visited and leaked, shared identifiers), when there is a run. */
  comparison: ModeComparisonSet | null;
  databases: SourceDatabase[];
  traffic: TrafficStats;
  anomalies: { total: number; byLayer: Array<{ layer: string; count: number }>; first: Array<{ input: number; frame: number | null; layer: string; error: string }> };
  /** Request counts (HTTP, TLS hellos, DNS queries) per bucket over [fromNs, fromNs + n·bucketNs). */
  buckets(fromNs: bigint, bucketNs: bigint, n: number): number[];
  /** Addresses and names the given client addresses (IP, or MAC for flows) talked to (for redaction). */
  contacted(clientIps: readonly string[], clientMacs: readonly string[]): { ips: Set<string>; hosts: Set<string> };
}

type Row = Record<string, unknown>;

function int(v: unknown): number | null {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
}

const COUNT = (db: Database.Database, sql: string, ...args: unknown[]): number => {
  const r = db.prepare(sql).get(...args) as { n: number | null } | undefined;
  return r?.n ?? 0;
};

/** A JSON array of names, or of objects carrying the name under `field`. */
function namesOf(list: readonly unknown[], field: string): string[] {
  const out: string[] = [];
  for (const x of list) {
    if (typeof x === 'string') out.push(x);
    else if (x !== null && typeof x === 'object' && typeof (x as Row)[field] === 'string') out.push((x as Row)[field] as string);
  }
  return [...new Set(out)];
}

function databaseOf(d: EnrichmentDatabase): SourceDatabase {
  const raw = d as unknown as Row;
  const s = (k: string): string | null => (typeof raw[k] === 'string' ? (raw[k] as string) : null);
  return { name: d.name, version: s('version'), date: s('date'), source: s('source'), licence: s('licence') ?? s('license'), sha256: s('sha256') };
}

interface RequestParts {
  uri: string;
  contentType: string | null;
  body: Buffer | null;
}

/** Requests by id, read once each (several leaks usually come from one request). */
function requestReader(store: CaseStore): (id: number) => RequestParts | null {
  const stmt = store.db.prepare('SELECT uri, request_headers FROM http WHERE id = ?');
  const cache = new Map<number, RequestParts | null>();
  return (id) => {
    let r = cache.get(id);
    if (r !== undefined) return r;
    const row = stmt.get(id) as Row | undefined;
    if (row === undefined) {
      r = null;
    } else {
      let contentType: string | null = null;
      try {
        for (const [n, v] of JSON.parse(row.request_headers as string) as Array<[string, string]>) if (n.toLowerCase() === 'content-type') contentType = v;
      } catch {
        contentType = null;
      }
      r = { uri: row.uri as string, contentType, body: store.httpBodies(id).request };
    }
    cache.set(id, r);
    return r;
  };
}

function contextOf(req: RequestParts | null, where: string, chain: string, value: string): LeakContext | null {
  if (req === null) return null;
  try {
    return leakContext(where, chain, value, req.uri, req.body, req.contentType);
  } catch {
    // A payload the decoder trips on still has its stored excerpt.
    return null;
  }
}

/** Read everything the report needs from an open case. */
export function readReportSource(store: CaseStore): ReportSource {
  const db = store.db;
  const inputs = store.inputs();
  const schema = hasFindingsSchema(db);
  const run = latestRun(db);

  const labels: SourceModeLabel[] = [];
  const inputModes = new Map<number, 'incognito' | 'normal'>();
  if (schema) {
    for (const l of listModeLabels(db)) {
      const ids = labelInputs(l, inputs);
      labels.push({ mode: l.mode, input: ids.length === 1 ? ids[0] : l.inputId, inputRef: l.inputRef, startNs: l.startNs, endNs: l.endNs });
      for (const id of ids) if (!inputModes.has(id)) inputModes.set(id, l.mode);
    }
  }

  const leaks: SourceLeak[] = [];
  const destinations: SourceDestination[] = [];
  const identifiers: SourceIdentifier[] = [];
  const devices: SourceDevice[] = [];
  const accounts: SourceAccount[] = [];
  if (run !== null) {
    const idKinds = new Map<number, string>();
    const idSrc = new Map<number, string[]>();
    for (const r of db.prepare('SELECT DISTINCT o.identifier_id AS id, h.src_ip FROM identifier_observations o JOIN http h ON h.id = o.http_id').all() as Row[]) {
      const list = idSrc.get(r.id as number) ?? [];
      list.push(typeof r.src_ip === 'string' ? r.src_ip : '');
      idSrc.set(r.id as number, list);
    }
    for (const i of iterIdentifiers(db, 0)) {
      idKinds.set(i.id, i.kind);
      identifiers.push({
        id: i.id,
        value: i.value,
        kind: i.kind,
        scope: i.scope,
        observations: i.observationCount,
        destinations: i.destinations,
        modes: i.modes,
        srcIps: (idSrc.get(i.id) ?? []).sort(),
      });
    }
    const srcOf = new Map<number, string>();
    for (const r of db.prepare('SELECT DISTINCT l.http_id, h.src_ip FROM leaks l JOIN http h ON h.id = l.http_id').all() as Row[]) {
      srcOf.set(r.http_id as number, typeof r.src_ip === 'string' ? r.src_ip : '');
    }
    const requestOf = requestReader(store);
    for (const l of iterLeaks(db)) {
      const d = l.destination;
      leaks.push({
        tsNs: l.ts,
        kind: l.kind,
        value: l.value,
        chain: l.chain,
        excerpt: l.excerpt,
        location: l.where,
        input: l.input,
        frame: l.frame,
        entry: l.entry,
        mode: l.mode === 'incognito' || l.mode === 'normal' ? l.mode : 'unlabelled',
        page: l.page,
        pageDomain: l.pageDomain,
        destHost: d.host,
        destIp: d.ip,
        destDomain: d.domain,
        country: d.country,
        asn: d.asn,
        org: d.org,
        category: d.category,
        operator: d.operator,
        identifierKind: l.identifierId === null ? null : (idKinds.get(l.identifierId) ?? null),
        srcIp: srcOf.get(l.httpId) ?? '',
        context: l.where === 'body' || l.where === 'query' ? contextOf(requestOf(l.httpId), l.where, l.chain, l.value) : null,
      });
    }
    for (const d of iterDestinations(db)) {
      destinations.push({
        key: `${d.host ?? ''}|${d.ip ?? ''}`,
        host: d.host,
        ip: d.ip,
        names: d.names,
        scope: d.scope,
        country: d.country,
        asn: d.asn,
        org: d.org,
        domain: d.domain,
        category: d.category,
        operator: d.operator,
        requests: d.requests,
        bytesOut: d.bytesOut,
        leaks: d.leaks,
      });
    }
    for (const d of iterDevices(db)) {
      devices.push({ label: d.label, macs: d.macs, ips: d.ips, names: namesOf(d.names, 'name'), userAgents: namesOf(d.userAgents, 'userAgent') });
    }
    for (const a of iterAccounts(db)) accounts.push({ label: a.label, identifiers: a.identifiers.map((i) => ({ type: i.kind, value: i.value })) });
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
    hasFindings: run !== null,
    leaks,
    destinations,
    identifiers,
    devices,
    accounts,
    comparison: run?.comparison ?? null,
    databases: (run?.databases ?? []).map(databaseOf),
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
    contacted(clientIps: readonly string[], clientMacs: readonly string[]): { ips: Set<string>; hosts: Set<string> } {
      const ips = new Set<string>();
      const hosts = new Set<string>();
      // A device's own traffic before it had an address (DHCP from 0.0.0.0) is known by its MAC.
      if (clientMacs.length > 0) {
        const macMarks = clientMacs.map(() => '?').join(', ');
        for (const r of db.prepare(`SELECT DISTINCT dst_ip FROM flows WHERE lower(src_mac) IN (${macMarks})`).all(...clientMacs) as Row[]) ips.add(r.dst_ip as string);
      }
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
