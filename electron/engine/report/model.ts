/**
 * The report model: everything the evidence report shows, built from what the case
 * stores (source.ts) without deciding anything the analysis did not. It orders and
 * words the findings (most serious first), describes the method and its blind spots,
 * and prepares the numbers the charts draw. The same source and options give the same
 * model; only `generatedAt` depends on the clock.
 */
import { basename } from 'node:path';
import type { BrowsingMode } from '../../../shared/model.ts';
import {
  REPORT_MAX_ANOMALIES,
  REPORT_MODEL_FORMAT,
  REPORT_MODEL_VERSION,
  type BlindSpot,
  type FindingSeverity,
  type ReportComparison,
  type ReportCountry,
  type ReportDestination,
  type ReportDestinationRef,
  type ReportDevice,
  type ReportFinding,
  type ReportIdentifier,
  type ReportInput,
  type ReportManifestRef,
  type ReportModel,
  type ReportModeLabel,
  type ReportRedaction,
  type ReportTimeline,
  type SummaryItem,
} from '../../../shared/report.ts';
import { TOOL_NAME, TOOL_VERSION } from '../store/tool-info.ts';
import { isoFromNs } from '../util/time.ts';
import type { ReportSource, SourceDestination, SourceLeak } from './source.ts';

export type * from '../../../shared/report.ts';

export interface ReportOptions {
  title?: string | null;
  investigator?: string | null;
  organisation?: string | null;
  /**
   * ISO alpha-2 country of the investigation (e.g. 'DE'): destinations elsewhere are
   * "abroad". Without it the report names each country and does not judge.
   */
  homeCountry?: string | null;
  /** Mask the data of devices other than these (MAC or IP addresses, as the investigator names them). */
  redactDevices?: readonly string[] | null;
  /** Clock for `generatedAt` (tests pin it; the rest of the model never reads it). */
  now?: Date;
}

const MASK = '[masked: not a device under investigation]';

/** Words for each leak kind: singular, plural. */
const KIND_WORDS: Record<string, [string, string]> = {
  search: ['search term', 'search terms'],
  url: ['visited page (URL)', 'visited pages (URLs)'],
  watch: ['watched value', 'watched values'],
  identifier: ['identifier', 'identifiers'],
  'visited-host': ['visited site (host name)', 'visited sites (host names)'],
  'third-party-url': ['web address (URL) of another site', 'web addresses (URLs) of other sites'],
};

const KIND_RANK: Record<string, number> = { search: 0, url: 1, 'third-party-url': 2, watch: 3, identifier: 4, 'visited-host': 5 };
const SEVERITY_RANK: Record<FindingSeverity, number> = { high: 0, medium: 1, low: 2 };

/**
 * Browsing content: what the user read or typed. A URL of another site found in a
 * payload is browsing too: it is how pages visited over HTTPS show up in analytics.
 */
const BROWSING = new Set(['url', 'search', 'watch', 'third-party-url']);

function kindWord(kind: string, n: number): string {
  const w = KIND_WORDS[kind] ?? [kind, kind];
  return n === 1 ? w[0] : w[1];
}

function kindLabel(kind: string): string {
  const w = kindWord(kind, 1);
  return w.charAt(0).toUpperCase() + w.slice(1);
}

function kindRank(kind: string): number {
  return KIND_RANK[kind] ?? 9;
}

/** Compare strings by code unit: the same order on every machine, whatever its locale. */
function cmp(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

let regionNames: Intl.DisplayNames | null | undefined;

/** English country name of an alpha-2 code ("SG" → "Singapore"), or the code. */
export function countryName(code: string): string {
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    } catch {
      regionNames = null;
    }
  }
  const upper = code.toUpperCase();
  if (upper === 'XK') return 'Kosovo';
  try {
    return regionNames?.of(upper) ?? upper;
  } catch {
    return upper;
  }
}

function validCountry(c: string | null): string | null {
  return c !== null && /^[A-Za-z]{2}$/.test(c) && c.toUpperCase() !== 'ZZ' ? c.toUpperCase() : null;
}

function msFromNs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Where `value` sits in `excerpt`: exact first, then ignoring case, then percent-decoded. */
export function locate(excerpt: string | null, value: string): { start: number; end: number } | null {
  if (excerpt === null || value === '') return null;
  let i = excerpt.indexOf(value);
  if (i !== -1) return { start: i, end: i + value.length };
  i = excerpt.toLowerCase().indexOf(value.toLowerCase());
  if (i !== -1) return { start: i, end: i + value.length };
  for (const form of [encodeURIComponent(value), value.replace(/ /g, '+'), encodeURIComponent(value).replace(/%20/g, '+')]) {
    i = excerpt.indexOf(form);
    if (i !== -1) return { start: i, end: i + form.length };
  }
  return null;
}

/** Steps of a chain as the decoders wrote it ("form:data_list → base64 → gzip"). */
function chainSteps(chain: string): string[] {
  return chain === '' ? [] : chain.split(' → ').map((s) => s.trim()).filter((s) => s.length > 0);
}

interface Redactor {
  devices: string[];
  leak(l: SourceLeak): boolean;
  destination(d: SourceDestination): boolean;
  identifier(srcIps: readonly string[]): boolean;
  device(d: { macs: string[]; ips: string[] }): boolean;
}

/** Who is under investigation: the named devices, widened to every address the analysis tied to them. */
function redactor(src: ReportSource, named: readonly string[]): Redactor {
  const want = new Set(named.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0));
  const ips = new Set<string>();
  const macs = new Set<string>();
  for (const d of src.devices) {
    const mine = d.macs.some((m) => want.has(m.toLowerCase())) || d.ips.some((i) => want.has(i.toLowerCase()));
    if (!mine) continue;
    for (const m of d.macs) macs.add(m.toLowerCase());
    for (const i of d.ips) ips.add(i.toLowerCase());
  }
  // A named address the analysis did not make a device of still counts as investigated.
  for (const n of want) {
    if (/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/.test(n)) macs.add(n.replace(/-/g, ':'));
    else ips.add(n);
  }
  const contacted = src.contacted([...ips], [...macs]);
  // HAR entries have no client address: they are the browser that was exported, so theirs are kept.
  const investigatedIp = (ip: string): boolean => ip === '' || ips.has(ip.toLowerCase());
  return {
    devices: [...want].sort(),
    leak: (l) => !investigatedIp(l.srcIp),
    destination: (d) => {
      if (d.ip !== null && contacted.ips.has(d.ip)) return false;
      if (d.host !== null && contacted.hosts.has(d.host.toLowerCase())) return false;
      return !d.names.some((n) => contacted.hosts.has(n.toLowerCase()));
    },
    identifier: (srcIps) => srcIps.length > 0 && !srcIps.some(investigatedIp),
    device: (d) => !d.macs.some((m) => macs.has(m.toLowerCase())) && !d.ips.some((i) => ips.has(i.toLowerCase())),
  };
}

function destinationRef(l: SourceLeak): ReportDestinationRef {
  const country = validCountry(l.country);
  return {
    host: l.destHost ?? l.destIp ?? 'unknown',
    ip: l.destIp,
    country,
    countryName: country === null ? null : countryName(country),
    org: l.org,
    asn: l.asn,
    operator: l.operator,
    category: l.category,
  };
}

function severityOf(kind: string, thirdParty: boolean, abroad: boolean | null): FindingSeverity {
  if (BROWSING.has(kind)) return thirdParty && abroad !== false ? 'high' : thirdParty ? 'medium' : 'low';
  if (kind === 'identifier') return thirdParty && abroad === true ? 'high' : thirdParty ? 'medium' : 'low';
  return thirdParty && abroad === true ? 'medium' : 'low';
}

interface Draft {
  leak: SourceLeak;
  finding: Omit<ReportFinding, 'id'>;
}

function inputName(src: ReportSource): (id: number) => string {
  const names = new Map(src.inputs.map((i) => [i.id, i.fileName]));
  return (id) => names.get(id) ?? `input-${id}`;
}

function digitsOf(src: ReportSource): (id: number) => number {
  const d = new Map(src.inputs.map((i) => [i.id, i.tsDigits ?? 9]));
  return (id) => d.get(id) ?? 9;
}

function modeOf(m: string): BrowsingMode | null {
  return m === 'incognito' || m === 'normal' ? m : null;
}

function buildFindings(src: ReportSource, opts: ReportOptions, red: Redactor | null): ReportFinding[] {
  const home = validCountry(opts.homeCountry ?? null);
  const name = inputName(src);
  const digits = digitsOf(src);
  const drafts: Draft[] = src.leaks.map((l) => {
    const destination = destinationRef(l);
    // The analysis records the visited page's party; a different destination party, or a listed tracker, is a third party.
    const thirdParty = l.category !== null || l.pageDomain === null || l.destDomain === null || l.pageDomain !== l.destDomain;
    const abroad = home === null || destination.country === null ? null : destination.country !== home;
    const masked = red !== null && red.leak(l);
    const excerpt = masked ? null : (l.context?.text ?? l.excerpt);
    const match = masked ? null : l.context !== null ? { start: l.context.start, end: l.context.end } : locate(l.excerpt, l.value);
    return {
      leak: l,
      finding: {
        ts: isoFromNs(l.tsNs, digits(l.input)),
        tsMs: msFromNs(l.tsNs),
        kind: l.kind,
        kindLabel: kindLabel(l.kind),
        identifierType: l.identifierKind,
        value: masked ? MASK : l.value,
        destination: masked ? { host: MASK, ip: null, country: null, countryName: null, org: null, asn: null, operator: null, category: null } : destination,
        chain: l.chain,
        chainSteps: chainSteps(l.chain),
        excerpt,
        match,
        mode: modeOf(l.mode),
        pointer: { input: name(l.input), frame: l.frame, entry: l.frame === null ? l.entry : null },
        severity: severityOf(l.kind, thirdParty, abroad),
        thirdParty,
        abroad,
        redacted: masked,
      },
    };
  });
  // Findings of one summary sentence (same severity, kind, mode and destination) sit
  // together, so every sentence cites a contiguous range of finding ids.
  const groups = new Map<string, Draft[]>();
  for (const d of drafts) {
    const key = groupKey(d.finding);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [d]);
    else g.push(d);
  }
  const inGroup = (a: Draft, b: Draft): number =>
    cmpBig(a.leak.tsNs, b.leak.tsNs) ||
    cmp(a.finding.pointer.input, b.finding.pointer.input) ||
    (a.leak.frame ?? a.leak.entry ?? 0) - (b.leak.frame ?? b.leak.entry ?? 0) ||
    cmp(a.leak.value, b.leak.value) ||
    cmp(a.leak.chain, b.leak.chain) ||
    cmp(a.leak.destIp, b.leak.destIp);
  const ordered = [...groups.values()].map((g) => g.sort(inGroup));
  ordered.sort((ga, gb) => {
    const a = ga[0].finding;
    const b = gb[0].finding;
    return (
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      kindRank(a.kind) - kindRank(b.kind) ||
      Number(b.abroad === true) - Number(a.abroad === true) ||
      gb.length - ga.length ||
      cmp(a.destination.host, b.destination.host) ||
      cmp(a.mode, b.mode) ||
      cmpBig(ga[0].leak.tsNs, gb[0].leak.tsNs)
    );
  });
  const flat = ordered.flat();
  const width = Math.max(3, String(flat.length).length);
  return flat.map((d, i) => ({ id: `F-${String(i + 1).padStart(width, '0')}`, ...d.finding }));
}

/** The summary sentence a finding belongs to. */
function groupKey(f: Omit<ReportFinding, 'id'>): string {
  return [f.severity, f.kind, f.mode ?? '', f.destination.host, f.destination.country ?? '', f.redacted ? '1' : '0'].join('\u0000');
}

/** "tracking.example.com (Example Inc., analytics) at 203.0.113.5 (network: Example Hosting) in Singapore (SG)". */
function destinationWords(d: ReportDestinationRef): string {
  const who = [d.operator, d.category].filter((x): x is string => x !== null);
  const at = d.ip !== null && d.ip !== d.host ? ` at ${d.ip}` : '';
  const org = d.operator === null && d.org !== null ? ` (network: ${d.org})` : '';
  const where = d.country !== null ? ` in ${d.countryName ?? d.country} (${d.country})` : '';
  return `${d.host}${who.length > 0 ? ` (${who.join(', ')})` : ''}${at}${org}${where}`;
}

/** The subject of a summary sentence: what was sent, counted by distinct value. */
function subjectWords(kind: string, distinct: string[], types: string[], redacted: boolean): string {
  const n = distinct.length;
  switch (kind) {
    case 'url':
      return n === 1 ? 'The address (URL) of one visited page' : `The addresses (URLs) of ${n} visited pages`;
    case 'search':
      return n === 1 ? (redacted ? 'One search term' : `The search term "${distinct[0]}"`) : `${n} search terms`;
    case 'identifier':
      if (n === 1) return redacted ? `One identifier (${types[0]})` : `The identifier ${types[0]} ${distinct[0]}`;
      return `${n} identifiers (${types.join(', ')})`;
    case 'visited-host':
      return n === 1 ? 'The host name of one visited site' : `The host names of ${n} visited sites`;
    case 'third-party-url':
      return n === 1 ? 'The web address (URL) of a page of another site' : `The web addresses (URLs) of ${n} pages of other sites`;
    default:
      return n === 1 ? `One ${kindWord(kind, 1)}` : `${n} ${kindWord(kind, 2)}`;
  }
}

function buildSummaryItems(findings: ReportFinding[], labelled: boolean): SummaryItem[] {
  // Findings arrive grouped (see buildFindings): one sentence per run of equal group keys.
  const groups: ReportFinding[][] = [];
  let key: string | null = null;
  for (const f of findings) {
    const k = groupKey(f);
    if (k !== key) groups.push([]);
    groups[groups.length - 1].push(f);
    key = k;
  }
  return groups.map((g): SummaryItem => {
    const f = g[0];
    const distinct = [...new Set(g.map((x) => x.value))].sort(cmp);
    const types = [...new Set(g.map((x) => x.identifierType ?? 'identifier'))].sort(cmp);
    const count = g.length;
    const subject = subjectWords(f.kind, distinct, types, f.redacted);
    const from = labelled ? (f.mode === null ? ' from unlabelled traffic' : ` from ${f.mode} browsing`) : '';
    const verb = distinct.length === 1 ? 'was sent' : 'were sent';
    const times = count > distinct.length ? `, ${count} times in all,` : '';
    const to = f.thirdParty ? ' to a third party, ' : ' to ';
    const dest = f.redacted ? 'a masked destination' : destinationWords(f.destination);
    const abroad = f.abroad === true ? ', abroad' : '';
    const text = f.redacted
      ? `${plural(count, `${kindWord(f.kind, 1)} was`, `${kindWord(f.kind, 2)} were`)} sent${from} by devices not under investigation; values and destinations are masked.`
      : `${subject}${from} ${verb}${times}${to}${dest}${abroad}.`;
    return {
      severity: f.severity,
      text,
      kind: f.kind,
      mode: f.mode,
      destination: f.destination.host,
      country: f.destination.country,
      count,
      findings: g.map((x) => x.id),
    };
  });
}

function inputsTable(src: ReportSource): ReportInput[] {
  return src.inputs.map((i) => {
    const d = i.tsDigits ?? 9;
    return {
      file: i.fileName,
      size: i.size,
      format: i.format === null ? null : `${i.format}${i.gzip ? ' (gzip)' : ''}`,
      sha256: i.sha256,
      from: i.firstTs === null ? null : isoFromNs(i.firstTs, d),
      to: i.lastTs === null ? null : isoFromNs(i.lastTs, d),
      items: i.format === 'har' ? plural(i.entries, 'HAR entry', 'HAR entries') : plural(i.packets, 'packet', 'packets'),
      producer: i.producer,
      mode: src.inputModes.get(i.id) ?? null,
      status: i.status,
      error: i.error,
    };
  });
}

const BUCKET_STEPS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];
const TARGET_BUCKETS = 80;
const MAX_SEGMENTS = 4;

/**
 * Stretches of activity: the inputs' and labelled windows' spans, merged when the gap
 * between them is small next to the stretches themselves. Two captures taken half an
 * hour apart become two stretches, each drawn at a scale where its events can be told
 * apart, instead of two specks at the ends of one axis.
 */
function activitySpans(src: ReportSource): Array<[bigint, bigint]> {
  const spans: Array<[bigint, bigint]> = [];
  for (const i of src.inputs) if (i.firstTs !== null && i.lastTs !== null) spans.push([i.firstTs, i.lastTs]);
  if (spans.length === 0) return [];
  spans.sort((a, b) => cmpBig(a[0], b[0]) || cmpBig(a[1], b[1]));
  const merged: Array<[bigint, bigint]> = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s[0] <= last[1]) last[1] = s[1] > last[1] ? s[1] : last[1];
    else merged.push([s[0], s[1]]);
  }
  // Join across gaps shorter than the longer neighbour (or a minute), then keep at most MAX_SEGMENTS by joining the smallest gaps.
  const joined: Array<[bigint, bigint]> = [];
  for (const s of merged) {
    const last = joined[joined.length - 1];
    if (last !== undefined) {
      const gap = s[0] - last[1];
      const longer = (last[1] - last[0] > s[1] - s[0] ? last[1] - last[0] : s[1] - s[0]);
      if (gap <= longer || gap <= 60_000_000_000n) {
        last[1] = s[1] > last[1] ? s[1] : last[1];
        continue;
      }
    }
    joined.push([s[0], s[1]]);
  }
  while (joined.length > MAX_SEGMENTS) {
    let best = 1;
    for (let i = 2; i < joined.length; i++) if (joined[i][0] - joined[i - 1][1] < joined[best][0] - joined[best - 1][1]) best = i;
    joined[best - 1][1] = joined[best][1];
    joined.splice(best, 1);
  }
  return joined;
}

function buildTimeline(src: ReportSource, findings: ReportFinding[]): ReportTimeline | null {
  const spans = activitySpans(src);
  if (spans.length === 0) return null;
  const perSegment = Math.max(20, Math.floor(TARGET_BUCKETS / spans.length));
  const segments = spans.map(([first, last]) => {
    const spanMs = Math.max(msFromNs(last) - msFromNs(first), 1);
    const bucketMs = BUCKET_STEPS_MS.find((s) => spanMs / s <= perSegment) ?? 86_400_000 * Math.ceil(spanMs / perSegment / 86_400_000);
    const bucketNs = BigInt(bucketMs) * 1_000_000n;
    const fromNs = (first / bucketNs) * bucketNs;
    const n = Number((last - fromNs) / bucketNs) + 1;
    const toNs = fromNs + bucketNs * BigInt(n);
    return { fromMs: msFromNs(fromNs), toMs: msFromNs(toNs), from: isoFromNs(fromNs, 3), to: isoFromNs(toNs, 3), bucketMs, buckets: src.buckets(fromNs, bucketNs, n) };
  });
  const segmentOf = (ms: number): number => {
    for (let i = 0; i < segments.length; i++) if (ms < segments[i].toMs) return i;
    return segments.length - 1;
  };

  const laneName = (f: ReportFinding): string => (f.redacted ? 'masked destinations' : f.destination.host);
  const perLane = new Map<string, number>();
  for (const f of findings) perLane.set(laneName(f), (perLane.get(laneName(f)) ?? 0) + 1);
  const MAX_LANES = 12;
  const ordered = [...perLane.entries()].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([h]) => h);
  const lanes = ordered.length > MAX_LANES ? [...ordered.slice(0, MAX_LANES - 1), 'other destinations'] : ordered;
  const laneOf = (host: string): number => {
    const i = lanes.indexOf(host);
    return i === -1 ? lanes.length - 1 : i;
  };
  const events = findings.map((f) => ({ tsMs: f.tsMs, segment: segmentOf(f.tsMs), lane: laneOf(laneName(f)), kind: f.kind, mode: f.mode, finding: f.id }));
  events.sort((a, b) => a.tsMs - b.tsMs || a.lane - b.lane || cmp(a.finding, b.finding));

  const modes: ReportTimeline['modes'] = [];
  for (const l of src.labels) {
    if (l.input !== null) {
      const i = src.inputs.find((x) => x.id === l.input);
      if (i?.firstTs != null && i.lastTs != null) modes.push({ mode: l.mode, fromMs: msFromNs(i.firstTs), toMs: msFromNs(i.lastTs) });
    } else if (l.startNs !== null && l.endNs !== null) {
      modes.push({ mode: l.mode, fromMs: msFromNs(l.startNs), toMs: msFromNs(l.endNs) });
    }
  }
  modes.sort((a, b) => a.fromMs - b.fromMs || cmp(a.mode, b.mode));
  const kinds = [...new Set(findings.map((f) => f.kind))].sort((a, b) => kindRank(a) - kindRank(b) || cmp(a, b)).map((k) => ({ kind: k, label: kindWord(k, 2) }));
  return { segments, lanes, kinds, events, modes };
}

function destinationsAppendix(src: ReportSource, red: Redactor | null): ReportDestination[] {
  const rows = src.destinations.map((d): ReportDestination => {
    const masked = red !== null && red.destination(d);
    const country = validCountry(d.country);
    return {
      host: masked ? MASK : (d.host ?? d.ip ?? d.key),
      ip: masked ? null : d.ip,
      country: masked ? null : country,
      countryName: masked || country === null ? null : countryName(country),
      org: masked ? null : d.org,
      asn: masked ? null : d.asn,
      operator: masked ? null : d.operator,
      category: masked ? null : d.category,
      registrableDomain: masked ? null : d.domain,
      ips: masked ? [] : d.ip !== null ? [d.ip] : [],
      requests: d.requests,
      bytesUp: d.bytesOut,
      findings: d.leaks,
      scope: masked ? null : d.scope,
      redacted: masked,
    };
  });
  // Most findings first, then most requests; masked rows last so the order reveals nothing.
  rows.sort(
    (a, b) =>
      Number(a.redacted) - Number(b.redacted) ||
      b.findings - a.findings ||
      b.requests - a.requests ||
      cmp(a.host, b.host) ||
      cmp(a.ip, b.ip),
  );
  return rows;
}

function identifiersAppendix(src: ReportSource, red: Redactor | null): ReportIdentifier[] {
  const rows = src.identifiers.map((i): ReportIdentifier => {
    const masked = red !== null && red.identifier(i.srcIps);
    return {
      type: i.kind,
      value: masked ? MASK : i.value,
      scope: i.scope,
      observations: i.observations,
      destinations: masked ? [] : [...i.destinations].sort(cmp),
      modes: i.modes.filter((m): m is BrowsingMode => m === 'incognito' || m === 'normal').sort(cmp),
      redacted: masked,
    };
  });
  rows.sort((a, b) => Number(a.redacted) - Number(b.redacted) || b.observations - a.observations || cmp(a.type, b.type) || cmp(a.value, b.value));
  return rows;
}

function buildMap(destinations: ReportDestination[]): { countries: ReportCountry[]; unlocated: number } {
  const by = new Map<string, ReportCountry>();
  let unlocated = 0;
  for (const d of destinations) {
    if (d.redacted) continue;
    if (d.country === null) {
      unlocated++;
      continue;
    }
    const c = by.get(d.country) ?? { code: d.country, name: d.countryName ?? d.country, destinations: 0, requests: 0, findings: 0 };
    c.destinations++;
    c.requests += d.requests;
    c.findings += d.findings;
    by.set(d.country, c);
  }
  const countries = [...by.values()].sort((a, b) => b.findings - a.findings || b.destinations - a.destinations || b.requests - a.requests || cmp(a.code, b.code));
  return { countries, unlocated };
}

function buildComparison(src: ReportSource, findings: ReportFinding[]): ReportComparison | null {
  const run = src.comparison;
  const present = new Set<string>();
  for (const l of src.labels) present.add(l.mode);
  for (const f of findings) if (f.mode !== null) present.add(f.mode);
  if (!(present.has('incognito') && present.has('normal'))) return null;
  const kindsPresent = new Set(['url', 'search', 'identifier', ...findings.map((f) => f.kind)]);
  const kinds = [...kindsPresent].sort((a, b) => kindRank(a) - kindRank(b) || cmp(a, b)).map((k) => ({ kind: k, label: kindWord(k, 2) }));
  const modes = (['normal', 'incognito'] as const).map((mode) => {
    // Counts of what the report shows (after redaction); pages from the analysis run's own comparison.
    const mine = findings.filter((f) => f.mode === mode);
    const byKind: Record<string, number> = {};
    for (const k of kinds) byKind[k.kind] = 0;
    for (const f of mine) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const idValues = new Set(mine.filter((f) => f.kind === 'identifier').map((f) => `${f.identifierType ?? ''}\u0000${f.value}`));
    const c = run?.modes[mode];
    return {
      mode,
      byKind,
      findings: mine.length,
      destinations: new Set(mine.map((f) => f.destination.host)).size,
      countries: [...new Set(mine.map((f) => f.destination.country).filter((x): x is string => x !== null))].sort(cmp),
      identifiers: idValues.size,
      pagesVisited: c?.pagesVisited ?? null,
      pagesLeaked: c?.pagesLeaked ?? null,
    };
  });
  const masked = findings.some((f) => f.redacted);
  const shownIds = new Set(findings.filter((f) => f.kind === 'identifier' && !f.redacted).map((f) => f.value));
  const shownHosts = new Set(findings.filter((f) => !f.redacted).map((f) => f.destination.host));
  const sharedIdentifiers = (run?.shared.identifiers ?? [])
    .filter((i) => !masked || shownIds.has(i.value))
    .map((i) => ({ type: i.kind, value: i.value }))
    .sort((a, b) => cmp(a.type, b.type) || cmp(a.value, b.value));
  const sharedDestinations = (run?.shared.destinations ?? [])
    .map((d) => d.host)
    .filter((h) => !masked || shownHosts.has(h))
    .sort(cmp);
  return { modes, kinds, sharedIdentifiers, sharedDestinations };
}

function comparisonSentences(c: ReportComparison | null): string[] {
  if (c === null) return [];
  const out: string[] = [];
  const inc = c.modes.find((m) => m.mode === 'incognito');
  const nor = c.modes.find((m) => m.mode === 'normal');
  if (inc === undefined || nor === undefined) return out;
  const sentence = (label: string, m: typeof inc): string => {
    const pages = m.pagesVisited !== null && m.pagesVisited > 0 ? `${m.pagesLeaked ?? 0} of ${m.pagesVisited} visited pages or sites leaked; ` : '';
    const where = m.countries.length > 0 ? ` in ${m.countries.join(', ')}` : '';
    return `${label}: ${pages}${plural(m.findings, 'finding', 'findings')}, sent to ${plural(m.destinations, 'destination', 'destinations')}${where}.`;
  };
  out.push(`${sentence('Incognito browsing', inc)} ${sentence('Normal browsing', nor)}`);
  if (c.sharedIdentifiers.length > 0) {
    out.push(`${plural(c.sharedIdentifiers.length, 'identifier was', 'identifiers were')} sent in both modes (${c.sharedIdentifiers.map((s) => s.type).join(', ')}): incognito mode did not separate the browsing from the device or the account.`);
  }
  return out;
}

function blindSpots(src: ReportSource): BlindSpot[] {
  const t = src.traffic;
  const spots: BlindSpot[] = [
    {
      title: 'Encrypted connections were not decrypted',
      text: 'The content of TLS (HTTPS) connections in a network capture cannot be read without the session keys; Telltale sees the server name the client announced (SNI), the addresses, the times and the volumes. Data sent inside them is found only when the same traffic is also given as a HAR export, or captured by a TLS-intercepting proxy.',
      extent: t.captureInputs > 0 ? `${plural(t.tlsTcp, 'TLS connection', 'TLS connections')} to ${plural(t.tlsServerNames, 'server name', 'server names')}` : null,
    },
    {
      title: 'QUIC (HTTP/3) beyond the first packet',
      text: "Only a QUIC connection's Initial packets can be decrypted (their keys derive from values sent in clear): they give the server name. Everything after the handshake is opaque.",
      extent: t.captureInputs > 0 ? plural(t.quic, 'QUIC connection', 'QUIC connections') : null,
    },
    {
      title: 'Traffic that never left the device',
      text: 'A capture holds only what crossed the captured network interface: data kept on the device, sent later, or sent over another network (mobile data while Wi-Fi was captured, a VPN) is not in it. A HAR export holds only what that browser itself recorded, not other apps.',
      extent: null,
    },
    {
      title: 'Parts that could not be parsed',
      text: 'Malformed or truncated packets, HAR entries and payloads are reported as anomalies (appendix A.3) and skipped; bodies cut by the capture or by the size cap are decoded as far as they go.',
      extent: `${plural(src.anomalies.total, 'anomaly', 'anomalies')}, ${plural(t.httpTruncated, 'truncated HTTP body', 'truncated HTTP bodies')}`,
    },
    {
      title: 'Reference databases are snapshots',
      text: "Country, network operator and tracker category come from the databases in section 2.2 as of their dates, not necessarily as they were at the time of the capture. A country is where the geolocation database places the address (for anycast and CDN addresses, only its best guess); an operator's headquarters may be elsewhere.",
      extent: null,
    },
  ];
  return spots;
}

function methodParagraphs(src: ReportSource): string[] {
  const t = src.traffic;
  const formats = [...new Set(src.inputs.map((i) => i.format ?? 'unrecognised'))].sort(cmp).join(', ');
  const read = [t.packets > 0 || t.harEntries === 0 ? plural(t.packets, 'captured packet', 'captured packets') : '', t.harEntries > 0 ? plural(t.harEntries, 'HAR entry', 'HAR entries') : '']
    .filter((x) => x !== '')
    .join(' and ');
  const out = [
    `Telltale ${TOOL_VERSION} read ${plural(src.inputs.length, 'input file', 'input files')} (${formats}) without modifying them and recorded the SHA-256 of each (section 3). From ${read} it reassembled TCP streams and read DNS, DHCP and other local name announcements, TLS and QUIC ClientHellos, and HTTP/1.x requests and responses: ${plural(t.http, 'HTTP exchange', 'HTTP exchanges')}, ${plural(t.tlsTcp + t.quic, 'TLS/QUIC handshake', 'TLS/QUIC handshakes')} and ${plural(t.dnsQueries, 'DNS query', 'DNS queries')}.`,
  ];
  if (src.hasFindings) {
    out.push(
      'Every outgoing request was decoded step by step (query string, form and JSON bodies, cookies and data-carrying headers; URL encoding, base64, gzip and deflate, JSON, protobuf), and each decoded value was compared with the pages the user visited, the search terms typed, the identifiers of the devices and accounts, and the watch list. A finding is such a value seen in a request to a destination; its decode chain lists the steps from the raw payload to the value, so the decoding can be repeated by hand.',
      'Destinations were described offline, without any network lookup: country from the geolocation database, network operator (AS holder) from the ASN database, and the operator and purpose of tracking and analytics hosts from Telltale\'s curated list, each entry of which cites a public source (section 2.2). A destination is a third party when its registrable domain differs from the page the value belongs to, or when it is a listed tracker.',
    );
    if (src.labels.length > 0) out.push('The investigator labelled inputs or time windows as incognito or normal browsing; each finding carries the label of the request it was found in, and section 4.3 compares the two.');
  } else {
    out.push('This case has not been analysed for findings (no analysis run is recorded): the report describes the traffic and its destinations only.');
  }
  out.push('Findings are ranked: visited pages, search terms and watched values sent to a third party are the most serious (high), identifiers of the device or account sent to a third party come next (medium, high when abroad), and the rest is low.');
  return out;
}

function labelsOf(src: ReportSource): ReportModeLabel[] {
  const name = inputName(src);
  const out = src.labels.map((l) => ({
    mode: l.mode,
    input: l.input !== null ? name(l.input) : l.inputRef !== null ? basename(l.inputRef) : null,
    from: l.startNs === null ? null : isoFromNs(l.startNs, 3),
    to: l.endNs === null ? null : isoFromNs(l.endNs, 3),
  }));
  out.sort((a, b) => cmp(a.input, b.input) || cmp(a.from, b.from) || cmp(a.mode, b.mode));
  return out;
}

function devicesOf(src: ReportSource, red: Redactor | null): ReportDevice[] {
  const rows = src.devices.map((d): ReportDevice => {
    const masked = red !== null && red.device(d);
    return masked
      ? { label: 'Device not under investigation', ips: [], macs: [], hostnames: [], userAgents: [], investigated: false }
      : {
          label: d.label,
          ips: [...d.ips].sort(cmp),
          macs: [...d.macs].sort(cmp),
          hostnames: [...d.names].sort(cmp),
          userAgents: [...d.userAgents].sort(cmp),
          investigated: red === null ? null : true,
        };
  });
  rows.sort((a, b) => Number(a.investigated === false) - Number(b.investigated === false) || cmp(a.label, b.label) || cmp(a.macs.join(), b.macs.join()) || cmp(a.ips.join(), b.ips.join()));
  return rows;
}

/** Accounts whose identifiers are all masked are left out: naming them would undo the masking. */
function accountsOf(src: ReportSource, identifiers: ReportIdentifier[]): Array<{ label: string; identifiers: Array<{ type: string; value: string }> }> {
  const shown = new Set(identifiers.filter((i) => !i.redacted).map((i) => `${i.type}\u0000${i.value}`));
  const masked = identifiers.some((i) => i.redacted);
  return src.accounts
    .map((a) => ({
      label: a.label,
      identifiers: a.identifiers.filter((i) => !masked || shown.has(`${i.type}\u0000${i.value}`)).sort((x, y) => cmp(x.type, y.type) || cmp(x.value, y.value)),
    }))
    .filter((a) => a.identifiers.length > 0 || !masked)
    .sort((a, b) => cmp(a.label, b.label) || cmp(JSON.stringify(a.identifiers), JSON.stringify(b.identifiers)));
}

/** The manifest reference is filled in once the manifest exists (it is built from this model). */
const PENDING_MANIFEST: ReportManifestRef = { fileName: '', sha256: '', bytes: 0 };

/** Build the report model of a case's source data. */
export function buildReportModel(src: ReportSource, opts: ReportOptions = {}): ReportModel {
  const redactNames = opts.redactDevices ?? null;
  const red = redactNames !== null && redactNames.length > 0 ? redactor(src, redactNames) : null;
  const findings = buildFindings(src, opts, red);
  const destinations = destinationsAppendix(src, red);
  const identifiers = identifiersAppendix(src, red);
  const map = buildMap(destinations);
  const comparison = buildComparison(src, findings);
  const items = buildSummaryItems(findings, src.labels.length > 0);
  const countries = new Set(destinations.filter((d) => !d.redacted && d.country !== null).map((d) => d.country));
  const highs = findings.filter((f) => f.severity === 'high').length;
  const lead = src.hasFindings
    ? `${plural(src.inputs.length, 'input file was', 'input files were')} analysed. Telltale found ${plural(findings.length, 'finding', 'findings')}${findings.length > 0 ? ` (${highs} rated high)` : ''}: personal data (visited pages, search terms, identifiers) that left the device for ${plural(new Set(findings.map((f) => f.destination.host)).size, 'destination', 'destinations')}. The case contacted ${plural(destinations.length, 'destination', 'destinations')} in ${plural(countries.size, 'country', 'countries')} overall.`
    : `${plural(src.inputs.length, 'input file was', 'input files were')} read. The case has not been analysed for findings, so this report lists traffic and destinations only.`;
  const title = opts.title?.trim() || src.title;
  const redaction: ReportRedaction | null =
    red === null
      ? null
      : {
          devices: red.devices,
          maskedFindings: findings.filter((f) => f.redacted).length,
          maskedDestinations: destinations.filter((d) => d.redacted).length,
          maskedIdentifiers: identifiers.filter((i) => i.redacted).length,
          note: 'The investigator named the devices under investigation; values, destinations and identifiers seen only in the traffic of other devices (bystanders) are masked in this report and in its manifest. Counts still include them. HAR entries carry no client address and are treated as the investigated browser.',
        };
  return {
    format: REPORT_MODEL_FORMAT,
    version: REPORT_MODEL_VERSION,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    cover: {
      title,
      investigator: opts.investigator?.trim() || null,
      organisation: opts.organisation?.trim() || null,
      subject: src.hasFindings
        ? `Personal data sent over the network: ${plural(findings.length, 'finding', 'findings')} in ${plural(src.inputs.length, 'input', 'inputs')}`
        : `Network traffic of ${plural(src.inputs.length, 'input', 'inputs')}`,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
    },
    manifest: PENDING_MANIFEST,
    summary: {
      lead,
      items,
      comparison: comparisonSentences(comparison),
      counts: {
        findings: findings.length,
        destinations: destinations.length,
        countries: countries.size,
        identifiers: identifiers.length,
        inputs: src.inputs.length,
      },
    },
    methodology: {
      method: methodParagraphs(src),
      devices: devicesOf(src, red),
      modes: labelsOf(src),
      databases: [...src.databases].sort((a, b) => cmp(a.name, b.name)),
      blindSpots: blindSpots(src),
    },
    inputs: inputsTable(src),
    timeline: buildTimeline(src, findings),
    map,
    comparison,
    findings,
    appendix: {
      destinations,
      identifiers,
      accounts: accountsOf(src, identifiers),
      anomalies: {
        total: src.anomalies.total,
        byLayer: src.anomalies.byLayer,
        rows: src.anomalies.first.slice(0, REPORT_MAX_ANOMALIES).map((a) => ({ input: inputName(src)(a.input), frame: a.frame, layer: a.layer, error: a.error })),
      },
    },
    redaction,
    hasFindings: src.hasFindings,
  };
}
