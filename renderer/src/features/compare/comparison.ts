/**
 * Shaping of the incognito-versus-normal comparison for the Compare view: metric rows
 * for the side-by-side table and the bar charts, what is common to both modes (the
 * finding: a private window that still carries the same identifiers to the same
 * places did not make the user anonymous), and the leaked pages of each mode.
 */
import type { BrowsingMode, Comparison, LeakRow, ModeComparison, ModeLabel } from '../../../../shared/model.ts';

export type MetricFormat = 'count' | 'ratio' | 'bytes';

export interface MetricRow {
  key: string;
  label: string;
  format: MetricFormat;
  incognito: number | null;
  normal: number | null;
}

export interface ModePair {
  incognito: ModeComparison | null;
  normal: ModeComparison | null;
}

/** The two modes of a comparison, either possibly missing (nothing labelled that way yet). */
export function pickModes(c: Comparison): ModePair {
  return {
    incognito: c.modes.find((m) => m.mode === 'incognito') ?? null,
    normal: c.modes.find((m) => m.mode === 'normal') ?? null,
  };
}

const METRICS: ReadonlyArray<{ key: string; label: string; format: MetricFormat; read: (m: ModeComparison) => number }> = [
  { key: 'pagesVisited', label: 'Pages visited', format: 'count', read: (m) => m.pagesVisited },
  { key: 'pagesLeaked', label: 'Pages leaked', format: 'count', read: (m) => m.pagesLeaked },
  { key: 'leakRatio', label: 'Share of pages leaked', format: 'ratio', read: (m) => leakRatio(m) },
  { key: 'destinations', label: 'Destinations', format: 'count', read: (m) => m.destinations },
  { key: 'countries', label: 'Countries', format: 'count', read: (m) => m.countries.length },
  { key: 'operators', label: 'Operators', format: 'count', read: (m) => m.operators.length },
  { key: 'identifiers', label: 'Identifiers sent', format: 'count', read: (m) => m.identifiers },
  { key: 'bytesUp', label: 'Bytes sent', format: 'bytes', read: (m) => m.bytesUp },
];

/**
 * The leak ratio as a fraction in [0, 1]. Recomputed from the counts when they are
 * consistent, so a ratio sent as a percentage or rounded cannot mislead the chart.
 */
export function leakRatio(m: ModeComparison): number {
  if (m.pagesVisited > 0) return Math.min(1, m.pagesLeaked / m.pagesVisited);
  return Number.isFinite(m.leakRatio) ? Math.min(1, Math.max(0, m.leakRatio > 1 ? m.leakRatio / 100 : m.leakRatio)) : 0;
}

/**
 * The comparison without the modes nothing is labelled as. The engine answers both
 * modes once anything is labelled; a mode with no label would show zeros that read
 * as "nothing leaked" when they mean "not known".
 */
export function onlyLabelledModes(c: Comparison, labels: readonly ModeLabel[]): Comparison {
  const labelled = new Set(labels.map((l) => l.mode));
  return { ...c, modes: c.modes.filter((m) => labelled.has(m.mode)) };
}

/** One row per metric with both modes' values (null where a mode has no data). */
export function metricRows(c: Comparison): MetricRow[] {
  const { incognito, normal } = pickModes(c);
  return METRICS.map((m) => ({
    key: m.key,
    label: m.label,
    format: m.format,
    incognito: incognito === null ? null : m.read(incognito),
    normal: normal === null ? null : m.read(normal),
  }));
}

/** Chart data for one format: recharts wants one object per category with a field per series. */
export function chartData(rows: readonly MetricRow[], format: MetricFormat): Array<{ label: string; incognito: number; normal: number }> {
  return rows
    .filter((r) => r.format === format)
    .map((r) => ({
      label: r.label,
      incognito: format === 'ratio' ? Math.round((r.incognito ?? 0) * 1000) / 10 : (r.incognito ?? 0),
      normal: format === 'ratio' ? Math.round((r.normal ?? 0) * 1000) / 10 : (r.normal ?? 0),
    }));
}

export interface SetSplit {
  both: string[];
  onlyIncognito: string[];
  onlyNormal: string[];
}

/** Which items are in both lists, and which in one only; each list sorted. */
export function splitSets(incognito: readonly string[], normal: readonly string[]): SetSplit {
  const a = new Set(incognito);
  const b = new Set(normal);
  const cmp = (x: string, y: string): number => x.localeCompare(y, 'en');
  return {
    both: [...a].filter((x) => b.has(x)).sort(cmp),
    onlyIncognito: [...a].filter((x) => !b.has(x)).sort(cmp),
    onlyNormal: [...b].filter((x) => !a.has(x)).sort(cmp),
  };
}

export interface LeakedPage {
  /** The URL or search words. */
  value: string;
  kind: string;
  /** How many times it was sent. */
  times: number;
  firstMs: number;
  firstTs: string;
  /** Hosts it was sent to, sorted. */
  destinations: string[];
  /** The HTTP exchange of the first sending, to open as evidence. */
  httpId: number | null;
  leakId: number;
}

/** Kinds of leak that stand for a visited page (a URL, or the words searched for). */
const PAGE_KINDS = new Set(['url', 'search']);

/** Leaked pages of one mode, one entry per distinct value, in the order they were first sent. */
export function leakedPages(leaks: readonly LeakRow[], mode: BrowsingMode): LeakedPage[] {
  const byValue = new Map<string, LeakedPage>();
  for (const leak of leaks) {
    if (leak.mode !== mode || !PAGE_KINDS.has(leak.kind)) continue;
    const key = `${leak.kind}\u0000${leak.value}`;
    const seen = byValue.get(key);
    if (seen === undefined) {
      byValue.set(key, {
        value: leak.value,
        kind: leak.kind,
        times: 1,
        firstMs: leak.tsMs,
        firstTs: leak.ts,
        destinations: [leak.destination.host],
        httpId: leak.httpId,
        leakId: leak.id,
      });
      continue;
    }
    seen.times++;
    if (!seen.destinations.includes(leak.destination.host)) seen.destinations.push(leak.destination.host);
    if (leak.tsMs < seen.firstMs) {
      seen.firstMs = leak.tsMs;
      seen.firstTs = leak.ts;
      seen.httpId = leak.httpId;
      seen.leakId = leak.id;
    }
  }
  const pages = [...byValue.values()];
  for (const p of pages) p.destinations.sort();
  return pages.sort((a, b) => a.firstMs - b.firstMs || a.value.localeCompare(b.value));
}

/**
 * The headline, in plain words, or null when there is no incognito data. Figures come
 * only from the comparison; nothing is claimed that it does not contain.
 */
export function keyFinding(c: Comparison): string | null {
  const { incognito, normal } = pickModes(c);
  if (incognito === null) return null;
  const parts: string[] = [];
  const pct = Math.round(leakRatio(incognito) * 100);
  if (incognito.pagesLeaked > 0) {
    parts.push(
      `In incognito mode, ${incognito.pagesLeaked} of ${incognito.pagesVisited} visited ${incognito.pagesVisited === 1 ? 'page was' : 'pages were'} found in data sent out of the device (${pct}%)`,
    );
  } else {
    parts.push(`In incognito mode, no visited page was found in outgoing traffic (${incognito.pagesVisited} visited)`);
  }
  if (normal !== null) {
    const npct = Math.round(leakRatio(normal) * 100);
    parts.push(`in normal mode, ${normal.pagesLeaked} of ${normal.pagesVisited} (${npct}%)`);
  }
  let sentence = `${parts.join('; ')}.`;
  if (c.sharedIdentifiers.length > 0) {
    const n = c.sharedIdentifiers.length;
    sentence += ` ${n} ${n === 1 ? 'identifier was' : 'identifiers were'} sent in both modes, so the private window did not separate the user from their normal browsing.`;
  }
  return sentence;
}

export interface LeakDestination {
  host: string;
  country: string | null;
  org: string | null;
  category: string | null;
  /** Leaks sent there in this mode. */
  leaks: number;
}

/** Where one mode's leaks went, most leaks first. */
export function leakDestinations(leaks: readonly LeakRow[], mode: BrowsingMode): LeakDestination[] {
  const byHost = new Map<string, LeakDestination>();
  for (const leak of leaks) {
    if (leak.mode !== mode) continue;
    const d = leak.destination;
    const seen = byHost.get(d.host);
    if (seen !== undefined) seen.leaks++;
    else byHost.set(d.host, { host: d.host, country: d.country, org: d.org, category: d.category, leaks: 1 });
  }
  return [...byHost.values()].sort((a, b) => b.leaks - a.leaks || a.host.localeCompare(b.host));
}
