/**
 * The findings part of the JSON export (docs/export-format.md, "Findings"): destinations,
 * identifiers, devices, accounts, visited pages, leaks, mode labels, the incognito/normal
 * comparison, the enrichment databases and the analysis run they come from. Written by
 * json-export.ts through its streaming section writer.
 */
import type Database from 'better-sqlite3';
import { hasFindingsSchema, iterAccounts, iterDestinations, iterDevices, iterIdentifiers, iterLeaks, iterPages, latestRun } from '../findings/queries.ts';
import { labelInputs, listModeLabels } from '../findings/modes.ts';
import type { InputRow } from '../store/case-store.ts';
import { isoFromNs } from '../util/time.ts';

/** Observations listed per identifier in the export (the count covers all). */
export const EXPORT_OBSERVATIONS_PER_IDENTIFIER = 20;

export interface FindingsCounts {
  destinations: number;
  identifiers: number;
  devices: number;
  accounts: number;
  pages: number;
  leaks: number;
}

type Section = <T>(name: string, rows: Iterable<T>, toJson: (r: T) => unknown) => Promise<number>;
type Value = (name: string, value: unknown) => Promise<void>;

function pointer(frame: number | null, entry: number | null): { frame: number | null } | { entry: number } {
  return frame === null && entry !== null ? { entry } : { frame };
}

/** Write the findings sections; returns their counts. Cases without findings get empty sections. */
export async function findingsSections(db: Database.Database, inputs: readonly InputRow[], section: Section, value: Value): Promise<FindingsCounts> {
  const files = new Map<number, { file: string; digits: number }>();
  let caseDigits = 3;
  for (const i of inputs) {
    const d = i.tsDigits ?? 9;
    files.set(i.id, { file: i.fileName, digits: d });
    if (d > caseDigits) caseDigits = d;
  }
  const file = (id: number | null): string | null => (id === null ? null : (files.get(id)?.file ?? `input-${id}`));
  const at = (ns: bigint | null, input: number | null = null): string | null => {
    if (ns === null) return null;
    return isoFromNs(ns, input !== null ? (files.get(input)?.digits ?? caseDigits) : caseDigits);
  };
  const counts: FindingsCounts = { destinations: 0, identifiers: 0, devices: 0, accounts: 0, pages: 0, leaks: 0 };
  const schema = hasFindingsSchema(db);
  const none: never[] = [];

  counts.destinations = await section('destinations', schema ? iterDestinations(db) : none, (d) => ({
    ip: d.ip,
    names: d.names,
    host: d.host,
    country: d.country,
    whoisCountry: d.whoisCountry,
    asn: d.asn,
    org: d.org,
    scope: d.scope,
    domain: d.domain,
    category: d.category,
    operator: d.operator,
    operatorCountry: d.operatorCountry,
    flows: d.flows,
    requests: d.requests,
    bytesOut: d.bytesOut,
    bytesIn: d.bytesIn,
    leaks: d.leaks,
    identifiers: d.identifiers,
    firstTs: at(d.firstTs),
    lastTs: at(d.lastTs),
  }));

  counts.identifiers = await section('identifiers', schema ? iterIdentifiers(db, EXPORT_OBSERVATIONS_PER_IDENTIFIER) : none, (i) => ({
    value: i.value,
    kind: i.kind,
    kinds: i.kinds,
    scope: i.scope,
    basis: i.basis,
    keys: i.keys,
    count: i.observationCount,
    requests: i.requests,
    firstTs: at(i.firstTs),
    lastTs: at(i.lastTs),
    sessions: i.sessions,
    inputs: i.inputs.map(file),
    modes: i.modes,
    destinations: i.destinations,
    persistent: i.persistent,
    persistence: i.persistence,
    observationsShown: i.observations.length,
    observations: i.observations.map((o) => ({
      ts: at(o.ts, o.input),
      input: file(o.input),
      ...pointer(o.frame, o.entry),
      key: o.key,
      chain: o.chain,
      where: o.where,
      destination: { host: o.destHost, ip: o.destIp },
      mode: o.mode,
    })),
  }));

  counts.devices = await section('devices', schema ? iterDevices(db) : none, (d) => ({
    id: d.id,
    label: d.label,
    macs: d.macs,
    ips: d.ips,
    names: d.names.map((n) => ({ name: n.name, source: n.source, vendorClass: n.vendorClass, firstTs: at(BigInt(n.firstTs)), input: n.input, frame: n.frame })),
    model: d.model,
    os: d.os,
    osVersion: d.osVersion,
    browser: d.browser,
    form: d.form,
    userAgents: d.userAgents,
    firstTs: at(d.firstTs),
    lastTs: at(d.lastTs),
    requests: d.requests,
    flows: d.flows,
    bytesOut: d.bytesOut,
    inputs: d.inputs,
    modes: d.modes,
    identifiers: d.identifiers.map((x) => ({ value: x.value, kind: x.kind, scope: x.scope, observations: x.observations })),
    accounts: d.accounts,
  }));

  counts.accounts = await section('accounts', schema ? iterAccounts(db) : none, (a) => ({
    id: a.id,
    label: a.label,
    identifiers: a.identifiers.map((x) => ({ value: x.value, kind: x.kind })),
    requests: a.requests,
    firstTs: at(a.firstTs),
    lastTs: at(a.lastTs),
    devices: a.devices.map((l) => ({
      device: l.deviceId,
      requests: l.requests,
      firstTs: at(l.firstTs),
      lastTs: at(l.lastTs),
      linkingRequestsShown: l.evidence.length,
      linkingRequests: l.evidence.map((e) => ({ ts: at(e.ts, e.input), input: file(e.input), ...pointer(e.frame, e.entry) })),
    })),
  }));

  counts.pages = await section('pages', schema ? iterPages(db) : none, (p) => ({
    kind: p.kind,
    value: p.value,
    host: p.host,
    domain: p.domain,
    mode: p.mode,
    source: p.source,
    firstTs: at(p.firstTs, p.input),
    input: file(p.input),
    ...pointer(p.frame, p.entry),
    counted: !p.covered,
    leaks: p.leaks,
  }));

  counts.leaks = await section('leaks', schema ? iterLeaks(db) : none, (l) => ({
    ts: at(l.ts, l.input),
    kind: l.kind,
    value: l.value,
    chain: l.chain,
    otherChains: l.otherChains,
    excerpt: l.excerpt,
    where: l.where,
    ...(l.header !== null ? { header: l.header } : {}),
    match: l.match,
    destination: l.destination,
    mode: l.mode,
    page: l.page,
    input: file(l.input),
    ...pointer(l.frame, l.entry),
  }));

  const run = schema ? latestRun(db) : null;
  const named = inputs.map((i) => ({ id: i.id, path: i.path, fileName: i.fileName }));
  await value('modes', schema ? listModeLabels(db).map((m) => ({
    mode: m.mode,
    input: m.inputId !== null ? file(m.inputId) : m.inputRef,
    inputs: m.startNs !== null ? [] : labelInputs(m, named).map(file),
    from: m.startNs !== null ? at(m.startNs) : null,
    to: m.endNs !== null ? at(m.endNs) : null,
  })) : []);
  await value('comparison', run?.comparison ?? null);
  await value('databases', run?.databases ?? []);
  await value('analysis', run === null ? null : {
    run: run.id,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    tool: run.tool,
    durationMs: run.durationMs,
    counts: run.counts,
    unmatchedLabels: (run.options.unmatchedLabels as string[] | undefined) ?? [],
    watchValues: (run.options.watchValues as number | undefined) ?? 0,
  });
  return counts;
}
