/**
 * Devices and accounts. A client endpoint is the sender of traffic: its MAC address
 * when the capture shows one, else its IP address; a HAR file is one endpoint of its
 * own (HAR has no client address). Endpoints become one device when they share a MAC,
 * when an IP-only endpoint's address belongs to exactly one MAC endpoint, or when they
 * sent the same strong device identifier (Android ID, IMEI, advertising ID …).
 * Accounts are account-scoped identifiers, grouped when they are sent together in one
 * request. A device and an account are linked by the requests that carry the
 * account's identifiers from the device; those requests are the evidence.
 */
import type Database from 'better-sqlite3';
import { STRONG_DEVICE_KINDS, kindRank } from './identifiers.ts';
import type { IdentifierAgg, RequestIdentifier } from './identifier-book.ts';
import { parseUserAgent, type UserAgentInfo } from './user-agent.ts';

/** Linking requests kept per device/account pair (the count covers all of them). */
export const MAX_LINK_EVIDENCE = 50;
const MAX_UAS = 20;
const MAX_NAMES = 50;
/** Requests carrying more account identifiers than this are lists (contacts …), not one user. */
const MAX_ACCOUNT_IDS_TO_GROUP = 4;

export interface NameSeen {
  name: string;
  source: string;
  ts: bigint;
  input: number;
  frame: number | null;
  vendorClass: string | null;
}

export interface EndpointAgg {
  key: string;
  macs: Set<string>;
  ips: Set<string>;
  names: Map<string, NameSeen>;
  uas: Map<string, number>;
  requests: number;
  flows: number;
  bytesOut: number;
  firstTs: bigint | null;
  lastTs: bigint | null;
  inputs: Set<number>;
  modes: Set<string>;
  /** Device-scoped identifiers sent from here (identifier id → requests). */
  deviceIds: Map<number, number>;
  /** File name when the endpoint is a HAR file. */
  harFile: string | null;
}

class UnionFind<K> {
  private readonly parent = new Map<K, K>();
  find(x: K): K {
    let p = this.parent.get(x);
    if (p === undefined) {
      this.parent.set(x, x);
      return x;
    }
    while (p !== x) {
      const gp = this.parent.get(p) as K;
      this.parent.set(x, gp);
      x = p;
      p = gp;
    }
    return x;
  }
  union(a: K, b: K): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

function isUnspecified(ip: string): boolean {
  return ip === '' || ip === '0.0.0.0' || ip === '::';
}

/** A MAC that names a network interface: not the all-zero placeholder some captures carry, not broadcast or multicast. */
export function usableMac(mac: string | null): string | null {
  if (mac === null) return null;
  const m = mac.toLowerCase();
  if (m === '00:00:00:00:00:00' || m === 'ff:ff:ff:ff:ff:ff') return null;
  const first = parseInt(m.slice(0, 2), 16);
  return Number.isNaN(first) || (first & 1) === 1 ? null : m;
}

/** Key of the endpoint that sent a dissected request: its MAC when known (and usable), else its IP. */
export function endpointKey(mac: string | null, ip: string): string {
  const m = usableMac(mac);
  return m !== null ? `mac:${m}` : `ip:${ip}`;
}

function touch(e: EndpointAgg, ts: bigint, input: number, mode: string | null): void {
  if (e.firstTs === null || ts < e.firstTs) e.firstTs = ts;
  if (e.lastTs === null || ts > e.lastTs) e.lastTs = ts;
  e.inputs.add(input);
  if (mode !== null) e.modes.add(mode);
}

export interface EntityCounts {
  devices: number;
  accounts: number;
  links: number;
}

export class EntityBook {
  readonly endpoints = new Map<string, EndpointAgg>();
  private readonly accountUnion = new UnionFind<number>();
  private readonly accountMembers = new Set<number>();

  /** The endpoint with `key`, created on first use. */
  endpoint(key: string): EndpointAgg {
    let e = this.endpoints.get(key);
    if (!e) {
      e = {
        key, macs: new Set(), ips: new Set(), names: new Map(), uas: new Map(), requests: 0, flows: 0, bytesOut: 0,
        firstTs: null, lastTs: null, inputs: new Set(), modes: new Set(), deviceIds: new Map(), harFile: null,
      };
      if (key.startsWith('mac:')) e.macs.add(key.slice(4));
      this.endpoints.set(key, e);
    }
    return e;
  }

  /** Record one request from `key`: its time, mode, User-Agent and identifiers. */
  request(key: string, srcIp: string, ts: bigint, input: number, mode: string, ua: string | null, ids: readonly RequestIdentifier[]): void {
    const e = this.endpoint(key);
    e.requests++;
    touch(e, ts, input, mode);
    if (!isUnspecified(srcIp)) e.ips.add(srcIp);
    if (ua !== null && ua.length > 0) {
      const n = e.uas.get(ua);
      if (n !== undefined) e.uas.set(ua, n + 1);
      else if (e.uas.size < MAX_UAS) e.uas.set(ua, 1);
    }
    let accounts: number[] | null = null;
    for (const r of ids) {
      const a = r.agg;
      if (a.scope === 'device') e.deviceIds.set(a.id, (e.deviceIds.get(a.id) ?? 0) + 1);
      else if (a.scope === 'account') {
        this.accountMembers.add(a.id);
        this.accountUnion.find(a.id);
        if (r.basis === 'key') (accounts ??= []).push(a.id);
      }
    }
    if (accounts !== null && accounts.length > 1 && accounts.length <= MAX_ACCOUNT_IDS_TO_GROUP) {
      for (let i = 1; i < accounts.length; i++) this.accountUnion.union(accounts[0], accounts[i]);
    }
  }

  /** Record client flows of one (input, source address, MAC, mode). */
  flows(mac: string | null, ip: string, input: number, mode: string, count: number, bytesOut: number, first: bigint, last: bigint): void {
    const e = this.endpoint(endpointKey(mac, ip));
    e.flows += count;
    e.bytesOut += bytesOut;
    if (!isUnspecified(ip)) e.ips.add(ip);
    touch(e, first, input, mode);
    touch(e, last, input, mode);
  }

  /** Record a local name (DHCP, mDNS, NBNS, NRB) for the endpoint of its MAC or address. */
  name(n: NameSeen & { ip: string | null; mac: string | null }): void {
    let key: string | null = null;
    if (usableMac(n.mac) !== null) key = endpointKey(n.mac, '');
    else if (n.ip !== null && !isUnspecified(n.ip)) key = this.keyForIp(n.ip);
    if (key === null) return;
    const e = this.endpoint(key);
    if (n.ip !== null && !isUnspecified(n.ip)) e.ips.add(n.ip);
    const k = `${n.name.toLowerCase()}\u0000${n.source}`;
    if (!e.names.has(k) && e.names.size < MAX_NAMES) {
      e.names.set(k, { name: n.name, source: n.source, ts: n.ts, input: n.input, frame: n.frame, vendorClass: n.vendorClass });
    }
    touch(e, n.ts, n.input, null);
  }

  private ipOwners: Map<string, string[]> | null = null;

  /** The MAC endpoint that used `ip` when exactly one did, else the IP endpoint. */
  private keyForIp(ip: string): string {
    if (this.ipOwners === null) {
      this.ipOwners = new Map();
      for (const e of this.endpoints.values()) {
        if (!e.key.startsWith('mac:')) continue;
        for (const a of e.ips) {
          const l = this.ipOwners.get(a);
          if (l) l.push(e.key);
          else this.ipOwners.set(a, [e.key]);
        }
      }
    }
    const owners = this.ipOwners.get(ip);
    return owners !== undefined && owners.length === 1 ? owners[0] : `ip:${ip}`;
  }

  /**
   * Group endpoints into devices and identifiers into accounts, and write devices,
   * accounts, their identifiers and the device↔account links (from the observations
   * table). `idents` holds the kept identifiers by id. Returns the counts written.
   */
  write(db: Database.Database, idents: ReadonlyMap<number, IdentifierAgg>, inputName: (id: number) => string): EntityCounts {
    this.ipOwners = null;
    const uf = new UnionFind<string>();
    for (const e of this.endpoints.values()) uf.find(e.key);
    // An IP-only endpoint whose address belongs to exactly one MAC endpoint is that device.
    for (const e of this.endpoints.values()) {
      if (!e.key.startsWith('ip:')) continue;
      const owner = this.keyForIp(e.key.slice(3));
      if (owner !== e.key) uf.union(owner, e.key);
    }
    const byIdent = new Map<number, string>();
    for (const e of this.endpoints.values()) {
      for (const id of e.deviceIds.keys()) {
        const a = idents.get(id);
        if (!a || a.scope !== 'device' || !STRONG_DEVICE_KINDS.has(a.kind)) continue;
        const other = byIdent.get(id);
        if (other === undefined) byIdent.set(id, e.key);
        else uf.union(other, e.key);
      }
    }
    const groups = new Map<string, EndpointAgg[]>();
    for (const e of this.endpoints.values()) {
      const root = uf.find(e.key);
      const g = groups.get(root);
      if (g) g.push(e);
      else groups.set(root, [e]);
    }

    db.exec(`CREATE TEMP TABLE IF NOT EXISTS findings_ep_device (endpoint TEXT PRIMARY KEY, device_id INTEGER NOT NULL);
      CREATE TEMP TABLE IF NOT EXISTS findings_ident_account (identifier_id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL);
      DELETE FROM temp.findings_ep_device; DELETE FROM temp.findings_ident_account;`);
    const insDevice = db.prepare(`INSERT INTO devices (id, key, label, macs, ips, names, user_agents, model, os, os_version, browser, form,
      endpoints, first_ts_ns, last_ts_ns, requests, flows, bytes_out, inputs, modes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insEp = db.prepare('INSERT INTO temp.findings_ep_device (endpoint, device_id) VALUES (?, ?)');
    let deviceId = 0;
    const ordered = [...groups.values()].sort((a, b) => minTs(a) < minTs(b) ? -1 : minTs(a) > minTs(b) ? 1 : a[0].key.localeCompare(b[0].key));
    for (const g of ordered) {
      deviceId++;
      const d = summarise(g, inputName);
      insDevice.run(deviceId, d.key, d.label, JSON.stringify(d.macs), JSON.stringify(d.ips), JSON.stringify(d.names),
        JSON.stringify(d.uas), d.ua.model, d.ua.os, d.ua.osVersion, d.ua.browser, d.ua.form, JSON.stringify(g.map((e) => e.key).sort()),
        d.firstTs, d.lastTs, d.requests, d.flows, d.bytesOut, JSON.stringify(d.inputs), JSON.stringify(d.modes));
      for (const e of g) insEp.run(e.key, deviceId);
    }

    db.exec(`INSERT INTO device_identifiers (device_id, identifier_id, observations)
      SELECT d.device_id, o.identifier_id, sum(o.occurrences) FROM identifier_observations o
      JOIN temp.findings_ep_device d ON d.endpoint = o.endpoint GROUP BY d.device_id, o.identifier_id`);

    // Accounts: the groups of kept account-scoped identifiers.
    const accGroups = new Map<number, IdentifierAgg[]>();
    for (const id of this.accountMembers) {
      const a = idents.get(id);
      if (!a || a.scope !== 'account') continue;
      const root = this.accountUnion.find(id);
      const g = accGroups.get(root);
      if (g) g.push(a);
      else accGroups.set(root, [a]);
    }
    const insAccount = db.prepare('INSERT INTO accounts (id, label, first_ts_ns, last_ts_ns, requests) VALUES (?, ?, ?, ?, 0)');
    const insAccId = db.prepare('INSERT INTO account_identifiers (account_id, identifier_id) VALUES (?, ?)');
    const insMap = db.prepare('INSERT INTO temp.findings_ident_account (identifier_id, account_id) VALUES (?, ?)');
    let accountId = 0;
    const accOrdered = [...accGroups.values()].sort((a, b) => {
      const fa = a.reduce((m, x) => (x.firstTs < m ? x.firstTs : m), a[0].firstTs);
      const fb = b.reduce((m, x) => (x.firstTs < m ? x.firstTs : m), b[0].firstTs);
      return fa < fb ? -1 : fa > fb ? 1 : a[0].value.localeCompare(b[0].value);
    });
    for (const g of accOrdered) {
      accountId++;
      g.sort((x, y) => kindRank(x.kind) - kindRank(y.kind) || x.value.localeCompare(y.value));
      const first = g.reduce((m, x) => (x.firstTs < m ? x.firstTs : m), g[0].firstTs);
      const last = g.reduce((m, x) => (x.lastTs > m ? x.lastTs : m), g[0].lastTs);
      insAccount.run(accountId, g[0].value, first, last);
      for (const a of g) {
        insAccId.run(accountId, a.id);
        insMap.run(a.id, accountId);
      }
    }
    db.exec(`UPDATE accounts SET requests = (SELECT count(DISTINCT o.http_id) FROM identifier_observations o
      JOIN temp.findings_ident_account m ON m.identifier_id = o.identifier_id WHERE m.account_id = accounts.id)`);

    const links = db.prepare(`INSERT INTO device_accounts (device_id, account_id, requests, first_ts_ns, last_ts_ns)
      SELECT d.device_id, m.account_id, count(DISTINCT o.http_id), min(o.ts_ns), max(o.ts_ns) FROM identifier_observations o
      JOIN temp.findings_ep_device d ON d.endpoint = o.endpoint
      JOIN temp.findings_ident_account m ON m.identifier_id = o.identifier_id
      GROUP BY d.device_id, m.account_id`).run().changes;
    db.prepare(`INSERT INTO device_account_evidence (device_id, account_id, http_id, input_id, frame, entry, ts_ns)
      SELECT device_id, account_id, http_id, input_id, frame, entry, ts_ns FROM (
        SELECT device_id, account_id, http_id, input_id, frame, entry, ts_ns,
          row_number() OVER (PARTITION BY device_id, account_id ORDER BY ts_ns, http_id) AS n
        FROM (SELECT DISTINCT d.device_id, m.account_id, o.http_id, o.input_id, o.frame, o.entry, o.ts_ns
          FROM identifier_observations o
          JOIN temp.findings_ep_device d ON d.endpoint = o.endpoint
          JOIN temp.findings_ident_account m ON m.identifier_id = o.identifier_id))
      WHERE n <= ?`).run(MAX_LINK_EVIDENCE);
    db.exec('DROP TABLE temp.findings_ep_device; DROP TABLE temp.findings_ident_account;');
    return { devices: deviceId, accounts: accountId, links: Number(links) };
  }
}

function minTs(g: EndpointAgg[]): bigint {
  let m: bigint | null = null;
  for (const e of g) if (e.firstTs !== null && (m === null || e.firstTs < m)) m = e.firstTs;
  return m ?? 0n;
}

interface DeviceSummary {
  key: string;
  label: string;
  macs: string[];
  ips: string[];
  names: Array<{ name: string; source: string; vendorClass: string | null; firstTs: string; input: string; frame: number | null }>;
  uas: Array<{ userAgent: string; requests: number }>;
  ua: UserAgentInfo;
  firstTs: bigint | null;
  lastTs: bigint | null;
  requests: number;
  flows: number;
  bytesOut: number;
  inputs: string[];
  modes: string[];
}

function summarise(g: EndpointAgg[], inputName: (id: number) => string): DeviceSummary {
  const macs = new Set<string>();
  const ips = new Set<string>();
  const names = new Map<string, NameSeen>();
  const uas = new Map<string, number>();
  const inputs = new Set<number>();
  const modes = new Set<string>();
  let requests = 0;
  let flows = 0;
  let bytesOut = 0;
  let firstTs: bigint | null = null;
  let lastTs: bigint | null = null;
  for (const e of g) {
    for (const m of e.macs) macs.add(m);
    for (const i of e.ips) ips.add(i);
    for (const [k, n] of e.names) if (!names.has(k) || n.ts < (names.get(k) as NameSeen).ts) names.set(k, n);
    for (const [u, c] of e.uas) uas.set(u, (uas.get(u) ?? 0) + c);
    for (const i of e.inputs) inputs.add(i);
    for (const m of e.modes) modes.add(m);
    requests += e.requests;
    flows += e.flows;
    bytesOut += e.bytesOut;
    if (e.firstTs !== null && (firstTs === null || e.firstTs < firstTs)) firstTs = e.firstTs;
    if (e.lastTs !== null && (lastTs === null || e.lastTs > lastTs)) lastTs = e.lastTs;
  }
  const uaList = [...uas.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  // The device is described by its most used UA that names a model, else by its most used UA.
  let ua: UserAgentInfo = parseUserAgent('');
  for (const [u] of uaList) {
    const p = parseUserAgent(u);
    if (p.model !== null) {
      ua = p;
      break;
    }
    if (ua.os === null && p.os !== null) ua = p;
  }
  // A DHCP message may carry a vendor class and no host name: such empty names never label a device.
  const nameList = [...names.values()].filter((n) => n.name !== '').sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const dhcp = nameList.find((n) => n.source === 'dhcp');
  const macList = [...macs].sort();
  const ipList = [...ips].sort();
  const key = macList.length > 0 ? `mac:${macList[0]}` : g.map((e) => e.key).sort()[0];
  const har = g.find((e) => e.harFile !== null);
  const label = ua.model ?? dhcp?.name ?? nameList[0]?.name ?? macList[0] ?? ipList[0] ?? (har ? `HAR client (${har.harFile})` : key);
  return {
    key,
    label,
    macs: macList,
    ips: ipList,
    names: nameList.map((n) => ({
      name: n.name, source: n.source, vendorClass: n.vendorClass, firstTs: n.ts.toString(), input: inputName(n.input), frame: n.frame,
    })),
    uas: uaList.map(([userAgent, r]) => ({ userAgent, requests: r })),
    ua,
    firstTs,
    lastTs,
    requests,
    flows,
    bytesOut,
    inputs: [...inputs].sort((a, b) => a - b).map(inputName),
    modes: [...modes].sort(),
  };
}
