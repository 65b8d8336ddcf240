/**
 * Destinations: every remote address the case talked to (client flows, HTTP requests,
 * TLS hellos; DNS answers count once they were used), with the names it was known by,
 * what the offline databases say about it (location and registration country, ASN and
 * its holder, scope) and what the tracker list says about its names. A HAR entry
 * without a server address is a destination keyed by its host name.
 */
import type Database from 'better-sqlite3';
import type { Enricher } from '../enrich/enricher.ts';
import type { ModeResolver } from './modes.ts';

export interface DestAgg {
  key: string;
  ip: string | null;
  /** Names from Host headers / HAR URLs and from the hosts table, with counts. */
  names: Map<string, number>;
  flows: number;
  requests: number;
  bytesOut: number;
  bytesIn: number;
  leaks: number;
  identifiers: Set<number>;
  firstTs: bigint | null;
  lastTs: bigint | null;
}

/** Client flows to one address in one mode (a flow's mode is that of its first packet). */
export interface DestinationFlows {
  mode: string;
  ip: string;
  flows: number;
  bytesUp: number;
  bytesDown: number;
  first: bigint;
  last: bigint;
}

/**
 * Flows per mode and destination address: one pass over the flows table for both the
 * destinations (summed over modes) and the mode comparison (bytes sent per mode).
 */
export function flowsByModeAndDestination(db: Database.Database, modes: ModeResolver): DestinationFlows[] {
  const m = modes.sql('input_id', 'first_ts_ns');
  const out: DestinationFlows[] = [];
  for (const r of db.prepare(`SELECT ${m.expr} AS mode, dst_ip, count(*) AS n, sum(bytes_up) AS up, sum(bytes_down) AS down,
    CAST(min(first_ts_ns) AS TEXT) AS first, CAST(max(last_ts_ns) AS TEXT) AS last FROM flows GROUP BY dst_ip, mode`).iterate(...m.params) as Iterable<Record<string, unknown>>) {
    out.push({
      mode: r.mode as string, ip: r.dst_ip as string, flows: r.n as number, bytesUp: r.up as number, bytesDown: r.down as number,
      first: BigInt(r.first as string), last: BigInt(r.last as string),
    });
  }
  return out;
}

/** Key of a destination: its address, else 'host:<name>'. */
export function destKey(ip: string | null, host: string | null): string {
  if (ip !== null && ip.length > 0) return ip;
  return host !== null ? `host:${host}` : 'unknown';
}

export class DestinationBook {
  readonly byKey = new Map<string, DestAgg>();

  get(key: string, ip: string | null): DestAgg {
    let d = this.byKey.get(key);
    if (!d) {
      d = { key, ip, names: new Map(), flows: 0, requests: 0, bytesOut: 0, bytesIn: 0, leaks: 0, identifiers: new Set(), firstTs: null, lastTs: null };
      this.byKey.set(key, d);
    }
    return d;
  }

  /** Record one HTTP request (HAR request bodies count as bytes out: HAR has no flows). */
  request(key: string, ip: string | null, host: string | null, ts: bigint, harBytesOut: number): DestAgg {
    const d = this.get(key, ip);
    d.requests++;
    d.bytesOut += harBytesOut;
    if (host !== null) d.names.set(host, (d.names.get(host) ?? 0) + 1);
    seen(d, ts);
    return d;
  }

  /** Add flows (flowsByModeAndDestination), TLS hellos and the hosts table from the case, enrich, and write the destinations table. */
  write(db: Database.Database, enricher: Enricher, flows: readonly DestinationFlows[]): number {
    type Row = Record<string, unknown>;
    for (const f of flows) {
      const d = this.get(destKey(f.ip, null), f.ip);
      d.flows += f.flows;
      d.bytesOut += f.bytesUp;
      d.bytesIn += f.bytesDown;
      seen(d, f.first);
      seen(d, f.last);
    }
    for (const r of db.prepare(`SELECT dst_ip, CAST(min(ts_ns) AS TEXT) AS first, CAST(max(ts_ns) AS TEXT) AS last
      FROM tls WHERE dst_ip <> '' GROUP BY dst_ip`).iterate() as Iterable<Row>) {
      const ip = r.dst_ip as string;
      const d = this.get(destKey(ip, null), ip);
      seen(d, BigInt(r.first as string));
      seen(d, BigInt(r.last as string));
    }
    // Local names (DHCP, mDNS, NBNS) name devices, not destinations. Row order does not
    // matter (describe() orders names itself), so the table is read as stored.
    for (const r of db.prepare(`SELECT ip, name, count FROM hosts NOT INDEXED WHERE source IN ('dns', 'sni', 'http', 'har')`).iterate() as Iterable<Row>) {
      const d = this.byKey.get(r.ip as string);
      if (d) d.names.set(r.name as string, (d.names.get(r.name as string) ?? 0) + (r.count as number));
    }
    const ins = db.prepare(`INSERT INTO destinations (key, ip, host, names, scope, country, whois_country, asn, org, domain, category,
      operator, operator_country, flows, requests, bytes_out, bytes_in, leaks, identifiers, first_ts_ns, last_ts_ns)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const keys = [...this.byKey.keys()].sort();
    for (const k of keys) {
      const d = this.byKey.get(k) as DestAgg;
      const info = describe(d, enricher);
      ins.run(d.key, d.ip, info.host, JSON.stringify(info.names), info.scope, info.country, info.whoisCountry, info.asn, info.org,
        info.domain, info.category, info.operator, info.operatorCountry, d.flows, d.requests, d.bytesOut, d.bytesIn, d.leaks,
        d.identifiers.size, d.firstTs, d.lastTs);
    }
    return keys.length;
  }
}

function seen(d: DestAgg, ts: bigint): void {
  if (d.firstTs === null || ts < d.firstTs) d.firstTs = ts;
  if (d.lastTs === null || ts > d.lastTs) d.lastTs = ts;
}

export interface DestinationInfo {
  host: string | null;
  names: string[];
  scope: string | null;
  country: string | null;
  whoisCountry: string | null;
  asn: number | null;
  org: string | null;
  domain: string | null;
  category: string | null;
  operator: string | null;
  operatorCountry: string | null;
}

/**
 * What the databases say about a destination. The host shown is the most used name
 * that the tracker list knows, else the most used name; private and reserved addresses
 * keep their scope and get no country (enrich/geo.ts guarantees it).
 */
export function describe(d: DestAgg, enricher: Enricher): DestinationInfo {
  const names = [...d.names.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([n]) => n);
  let host: string | null = null;
  let tracker: { category: string; operator: string; country: string } | null = null;
  for (const n of names) {
    const t = enricher.trackerOf(n);
    if (t) {
      host = n;
      tracker = t;
      break;
    }
  }
  host ??= names[0] ?? null;
  const geo = d.ip !== null ? enricher.describeIp(d.ip) : null;
  const hd = host !== null ? enricher.describeHost(host) : null;
  return {
    host,
    names: names.slice().sort(),
    scope: geo?.scope ?? null,
    country: geo?.country ?? null,
    whoisCountry: geo?.whoisCountry ?? null,
    asn: geo?.asn ?? null,
    org: geo?.org ?? null,
    domain: hd?.registrableDomain ?? null,
    category: tracker?.category ?? null,
    operator: tracker?.operator ?? null,
    operatorCountry: tracker?.country ?? null,
  };
}
