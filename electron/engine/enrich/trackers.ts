/**
 * Classification of destination hosts as analytics, advertising, telemetry and similar
 * services, from the hand-curated list in resources/trackers/trackers.json. Every entry
 * names the public source it comes from; see docs/enrichment.md for the sources and
 * their licences.
 */

import bundled from '../../../resources/trackers/trackers.json' with { type: 'json' };
import { isIpLiteral, normaliseHost } from './domains.ts';

export const TRACKER_CATEGORIES = [
  'analytics',
  'advertising',
  'telemetry',
  'crash-reporting',
  'tag-manager',
  'social',
  'cdn',
  'vendor-telemetry',
] as const;

export type TrackerCategory = (typeof TRACKER_CATEGORIES)[number];

/** One curated list entry. */
export interface TrackerEntry {
  /** Registrable domain or deeper suffix, lower-case ASCII; matches itself and its subdomains. */
  domain: string;
  category: TrackerCategory;
  operator: string;
  /** ISO 3166-1 alpha-2 country of the operator's headquarters (not of its servers). */
  country: string;
  /** URL of the public document the classification comes from. */
  source: string;
  note?: string;
  /** True when the entry was read in the cited source while curating. */
  checked: boolean;
}

/** What classifyHost says about a host: the matching entry's facts. */
export interface TrackerMatch {
  category: TrackerCategory;
  operator: string;
  country: string;
  /** The list entry that matched (the longest suffix of the host). */
  domain: string;
  source: string;
  note: string | null;
  checked: boolean;
}

/** Suffix index over a tracker list. */
export class TrackerIndex {
  private readonly byDomain = new Map<string, TrackerEntry>();
  /** Entries that were refused, with the reason (kept for tests and diagnostics). */
  readonly rejected: Array<{ entry: unknown; reason: string }> = [];

  constructor(entries: readonly unknown[]) {
    for (const raw of entries) {
      const checked = validateEntry(raw);
      if (typeof checked === 'string') {
        this.rejected.push({ entry: raw, reason: checked });
        continue;
      }
      if (this.byDomain.has(checked.domain)) {
        this.rejected.push({ entry: raw, reason: `duplicate domain ${checked.domain}` });
        continue;
      }
      this.byDomain.set(checked.domain, checked);
    }
  }

  get size(): number {
    return this.byDomain.size;
  }

  /** All accepted entries. */
  entries(): TrackerEntry[] {
    return [...this.byDomain.values()];
  }

  /** Longest list entry equal to the host or one of its parent domains; null for IP literals and unknown hosts. */
  classify(name: string): TrackerMatch | null {
    const host = normaliseHost(name);
    if (host === null || isIpLiteral(host)) return null;
    let at = 0;
    // Walk from the full name towards the TLD: the first hit is the longest suffix.
    for (;;) {
      const entry = this.byDomain.get(at === 0 ? host : host.slice(at));
      if (entry !== undefined) {
        return {
          category: entry.category,
          operator: entry.operator,
          country: entry.country,
          domain: entry.domain,
          source: entry.source,
          note: entry.note ?? null,
          checked: entry.checked,
        };
      }
      const dot = host.indexOf('.', at);
      if (dot < 0) return null;
      at = dot + 1;
    }
  }
}

/** Checks one raw list entry; returns it typed, or the reason it is refused. */
export function validateEntry(raw: unknown): TrackerEntry | string {
  if (raw === null || typeof raw !== 'object') return 'not an object';
  const e = raw as Record<string, unknown>;
  if (typeof e.domain !== 'string' || e.domain === '') return 'missing domain';
  const host = normaliseHost(e.domain);
  if (host !== e.domain) return `domain ${e.domain} is not lower-case ASCII without a trailing dot`;
  if (isIpLiteral(host) || !host.includes('.')) return `domain ${e.domain} is not a dotted host name`;
  if (typeof e.category !== 'string' || !(TRACKER_CATEGORIES as readonly string[]).includes(e.category)) {
    return `unknown category ${String(e.category)}`;
  }
  if (typeof e.operator !== 'string' || e.operator.trim() === '') return 'missing operator';
  if (typeof e.country !== 'string' || !/^[A-Z]{2}$/.test(e.country)) return `country ${String(e.country)} is not ISO 3166 alpha-2`;
  if (typeof e.source !== 'string' || !/^https:\/\/\S+$/.test(e.source)) return 'source is not an https URL';
  if (e.note !== undefined && typeof e.note !== 'string') return 'note is not text';
  if (typeof e.checked !== 'boolean') return 'checked is not a boolean';
  return {
    domain: host,
    category: e.category as TrackerCategory,
    operator: e.operator,
    country: e.country,
    source: e.source,
    note: e.note as string | undefined,
    checked: e.checked,
  };
}

/** Version tag of the bundled list (its curation date). */
export const BUNDLED_TRACKERS_VERSION: string = (bundled as { version: string }).version;

let defaultIndex: TrackerIndex | null = null;

/** The index over the bundled list, built on first use. */
export function bundledTrackers(): TrackerIndex {
  defaultIndex ??= new TrackerIndex((bundled as { entries: unknown[] }).entries);
  return defaultIndex;
}

/** Classifies a host against the bundled list by longest suffix match. */
export function classifyHost(name: string): TrackerMatch | null {
  return bundledTrackers().classify(name);
}
