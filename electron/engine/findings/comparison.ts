/**
 * Incognito versus normal: per mode, how many visited pages were leaked, who received
 * data (destinations, their countries and operators), which identifiers were sent and
 * how many bytes left the device; and what both modes share — the same identifiers and
 * the same receivers mean that incognito mode did not unlink the user. Computed at the
 * end of an analysis run from the rebuilt tables and stored with the run.
 */
import type Database from 'better-sqlite3';
import type { DestinationFlows } from './destinations.ts';
import { MODES, UNLABELLED, type ModeResolver } from './modes.ts';

export interface ReceiverSummary {
  /** Host name the data was sent to (the address when the request named none). */
  host: string;
  ips: string[];
  country: string | null;
  whoisCountry: string | null;
  org: string | null;
  operator: string | null;
  category: string | null;
  leaks: number;
}

export interface ModeComparison {
  pagesVisited: number;
  pagesLeaked: number;
  /** pagesLeaked / pagesVisited, 0 when nothing was visited. */
  leakRatio: number;
  requests: number;
  leaks: number;
  leaksByKind: Record<string, number>;
  /** Destinations that received at least one leak in this mode. */
  destinations: ReceiverSummary[];
  /** Location countries of those destinations (ISO alpha-2, sorted). */
  countries: string[];
  /** Registration countries of those destinations. */
  whoisCountries: string[];
  /** Tracker-list operators of those destinations, else the AS holder. */
  operators: string[];
  /** Device- and account-scoped identifiers sent in this mode (to anyone). */
  identifiers: Array<{ value: string; kind: string; scope: string }>;
  /** Bytes sent: client flows' payload and HAR request bodies. */
  bytesSent: number;
  /** Of those, bytes sent to the destinations that received leaks. */
  bytesToReceivers: number;
}

export interface ModeComparisonSet {
  /** True when the case has mode labels. */
  labelled: boolean;
  modes: Record<string, ModeComparison>;
  shared: {
    /** Identifiers sent in every labelled mode that has traffic. */
    identifiers: Array<{ value: string; kind: string; scope: string; modes: string[] }>;
    /** Destinations that received leaks in every labelled mode that has traffic. */
    destinations: Array<{ host: string; country: string | null; operator: string | null; modes: string[] }>;
  };
}

function empty(): ModeComparison {
  return {
    pagesVisited: 0, pagesLeaked: 0, leakRatio: 0, requests: 0, leaks: 0, leaksByKind: {}, destinations: [], countries: [],
    whoisCountries: [], operators: [], identifiers: [], bytesSent: 0, bytesToReceivers: 0,
  };
}

type Row = Record<string, unknown>;

/**
 * Compute the comparison. `harBytes` and `receivers` come from the request pass (keys
 * as in the destinations table), `flows` from flowsByModeAndDestination.
 */
export function comparisonOf(
  db: Database.Database,
  modes: ModeResolver,
  harBytes: ReadonlyMap<string, { har: number; byDest: ReadonlyMap<string, number> }>,
  receivers: ReadonlyMap<string, ReadonlySet<string>>,
  flows: readonly DestinationFlows[],
): ModeComparisonSet {
  const out = new Map<string, ModeComparison>();
  const get = (m: string): ModeComparison => {
    let c = out.get(m);
    if (!c) out.set(m, (c = empty()));
    return c;
  };
  if (modes.labelled) for (const m of MODES) get(m);

  const httpMode = modes.sql('input_id', 'ts_ns');
  for (const r of db.prepare(`SELECT ${httpMode.expr} AS mode, count(*) AS n FROM http GROUP BY mode`).iterate(...httpMode.params) as Iterable<Row>) {
    get(r.mode as string).requests = r.n as number;
  }
  for (const r of db.prepare('SELECT mode, count(*) AS n, sum(leaks > 0) AS leaked FROM pages WHERE covered = 0 GROUP BY mode').iterate() as Iterable<Row>) {
    const c = get(r.mode as string);
    c.pagesVisited = r.n as number;
    c.pagesLeaked = (r.leaked as number) ?? 0;
    c.leakRatio = c.pagesVisited > 0 ? c.pagesLeaked / c.pagesVisited : 0;
  }
  for (const r of db.prepare('SELECT mode, kind, count(*) AS n FROM leaks GROUP BY mode, kind').iterate() as Iterable<Row>) {
    const c = get(r.mode as string);
    c.leaksByKind[r.kind as string] = r.n as number;
    c.leaks += r.n as number;
  }
  const recv = new Map<string, Map<string, ReceiverSummary>>();
  for (const r of db.prepare(`SELECT mode, coalesce(dest_host, dest_ip, '?') AS host, dest_ip, country, whois_country, org, operator, category,
    count(*) AS n FROM leaks GROUP BY mode, host, dest_ip ORDER BY mode, host, dest_ip`).iterate() as Iterable<Row>) {
    const mode = r.mode as string;
    let m = recv.get(mode);
    if (!m) recv.set(mode, (m = new Map()));
    const host = r.host as string;
    let s = m.get(host);
    if (!s) {
      s = {
        host, ips: [], country: r.country as string | null, whoisCountry: r.whois_country as string | null, org: r.org as string | null,
        operator: r.operator as string | null, category: r.category as string | null, leaks: 0,
      };
      m.set(host, s);
    }
    if (r.dest_ip !== null && !s.ips.includes(r.dest_ip as string)) s.ips.push(r.dest_ip as string);
    s.leaks += r.n as number;
  }
  for (const [mode, m] of recv) {
    const c = get(mode);
    c.destinations = [...m.values()].sort((a, b) => b.leaks - a.leaks || a.host.localeCompare(b.host));
    c.countries = uniq(c.destinations.map((d) => d.country));
    c.whoisCountries = uniq(c.destinations.map((d) => d.whoisCountry));
    c.operators = uniq(c.destinations.map((d) => d.operator ?? d.org));
  }
  for (const r of db.prepare(`SELECT DISTINCT o.mode, i.value, i.kind, i.scope FROM identifier_observations o
    JOIN identifiers i ON i.id = o.identifier_id WHERE i.scope IN ('device', 'account') ORDER BY o.mode, i.kind, i.value`).iterate() as Iterable<Row>) {
    get(r.mode as string).identifiers.push({ value: r.value as string, kind: r.kind as string, scope: r.scope as string });
  }
  for (const f of flows) {
    const c = get(f.mode);
    c.bytesSent += f.bytesUp;
    if (receivers.get(f.mode)?.has(f.ip)) c.bytesToReceivers += f.bytesUp;
  }
  for (const [mode, b] of harBytes) {
    const c = get(mode);
    c.bytesSent += b.har;
    const rc = receivers.get(mode);
    if (rc) for (const [k, n] of b.byDest) if (rc.has(k)) c.bytesToReceivers += n;
  }

  // What the labelled modes share: only modes that saw traffic can share anything.
  const active = MODES.filter((m) => {
    const c = out.get(m);
    return c !== undefined && (c.requests > 0 || c.bytesSent > 0 || c.pagesVisited > 0);
  });
  const sharedIds: ModeComparisonSet['shared']['identifiers'] = [];
  const sharedDests: ModeComparisonSet['shared']['destinations'] = [];
  if (active.length >= 2) {
    const idModes = new Map<string, { value: string; kind: string; scope: string; modes: string[] }>();
    for (const m of active) {
      for (const i of (out.get(m) as ModeComparison).identifiers) {
        const e = idModes.get(i.value) ?? { ...i, modes: [] };
        e.modes.push(m);
        idModes.set(i.value, e);
      }
    }
    for (const e of idModes.values()) if (e.modes.length === active.length) sharedIds.push(e);
    const dModes = new Map<string, { host: string; country: string | null; operator: string | null; modes: string[] }>();
    for (const m of active) {
      for (const d of (out.get(m) as ModeComparison).destinations) {
        const e = dModes.get(d.host) ?? { host: d.host, country: d.country, operator: d.operator ?? d.org, modes: [] };
        e.modes.push(m);
        dModes.set(d.host, e);
      }
    }
    for (const e of dModes.values()) if (e.modes.length === active.length) sharedDests.push(e);
  }
  const modesOut: Record<string, ModeComparison> = {};
  for (const m of [...MODES, UNLABELLED]) {
    const c = out.get(m);
    if (c === undefined) continue;
    if (m === UNLABELLED && modes.labelled && c.requests === 0 && c.bytesSent === 0 && c.pagesVisited === 0) continue;
    modesOut[m] = c;
  }
  return { labelled: modes.labelled, modes: modesOut, shared: { identifiers: sharedIds, destinations: sharedDests } };
}

function uniq(values: ReadonlyArray<string | null>): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))].sort();
}
