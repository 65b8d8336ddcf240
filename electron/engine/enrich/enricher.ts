/**
 * One entry point for destination enrichment: what an IP address is (scope, countries,
 * ASN) and what a host name is (registrable domain, tracker classification), plus the
 * list of data files consulted so that a case can record them.
 *
 * Results are cached per distinct input, so callers may ask once per flow or record
 * without re-running lookups. Returned objects are frozen and shared between callers.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isIpLiteral, registrableDomain, normaliseHost } from './domains.ts';
import { GeoDb } from './geo.ts';
import type { DatabaseInfo, GeoDbOptions, GeoResult } from './geo.ts';
import { BUNDLED_TRACKERS_VERSION, bundledTrackers } from './trackers.ts';
import type { TrackerIndex, TrackerMatch } from './trackers.ts';
import { resourceUrl } from '../util/locate.ts';

export type { DatabaseInfo, GeoResult } from './geo.ts';
export type { TrackerMatch } from './trackers.ts';

export interface EnricherOptions extends GeoDbOptions {
  /** An already opened GeoDb to share; otherwise one is opened on first IP lookup. */
  geo?: GeoDb;
  /** Tracker list to classify hosts with; default: the bundled list. */
  trackers?: TrackerIndex;
  /** Distinct inputs remembered per kind before the cache is emptied. Default 200 000. */
  cacheSize?: number;
}

/** What Telltale knows about a host name. */
export interface HostDescription {
  /** Lower-case ASCII form (IP literals in canonical form). */
  name: string;
  isIp: boolean;
  /** eTLD+1 with PSL private suffixes honoured; null for IPs, bare suffixes, single labels. */
  registrableDomain: string | null;
  /** Longest matching tracker-list entry, or null. */
  tracker: TrackerMatch | null;
}

/** A data file behind enrichment results, as recorded in a case. */
export interface EnrichmentDatabase {
  name: string;
  source: string;
  licence: string;
  attribution: string | null;
  version: string | null;
  date: string | null;
  path: string;
  sha256?: string;
}

export interface Enricher {
  /** Scope, countries and ASN of an address; null when the text is not an IP address. */
  describeIp(ip: string): GeoResult | null;
  /** Normalised name, registrable domain and tracker classification; null when the text is not a host name. */
  describeHost(name: string): HostDescription | null;
  /** The tracker-list entry of a host name, as describeHost(name)?.tracker, without working out the rest. */
  trackerOf(name: string): TrackerMatch | null;
  /** Every data file consulted (country, registration-country and ASN databases, tracker list). */
  databases(): EnrichmentDatabase[];
  /**
   * Start opening the address databases in the background (their files are read off the
   * calling thread); resolves when they are open, or when opening failed, in which case
   * the first describeIp opens them again and throws the error. Optional: describeIp
   * opens them anyway.
   */
  prepare(): Promise<void>;
}

const TRACKER_LIST_URL = resourceUrl('trackers/trackers.json', '../../../resources/trackers/trackers.json', import.meta.url);

/** Creates an enricher; databases open lazily, on the first IP lookup or databases() call, or in the background after prepare(). */
export function createEnricher(opts: EnricherOptions = {}): Enricher {
  let geo: GeoDb | null = opts.geo ?? null;
  const trackers = opts.trackers ?? bundledTrackers();
  const limit = Math.max(1, opts.cacheSize ?? 200_000);
  const ipCache = new Map<string, GeoResult | null>();
  const hostCache = new Map<string, HostDescription | null>();
  const trackerCache = new Map<string, TrackerMatch | null>();

  let preparing: Promise<void> | null = null;

  const openGeo = (): GeoDb => {
    geo ??= GeoDb.open(opts);
    return geo;
  };

  return {
    describeIp(ip: string): GeoResult | null {
      const cached = ipCache.get(ip);
      if (cached !== undefined || ipCache.has(ip)) return cached ?? null;
      const result = openGeo().lookup(ip);
      if (result !== null) {
        Object.freeze(result.sources);
        if (result.embedded !== null) Object.freeze(result.embedded);
        Object.freeze(result);
      }
      if (ipCache.size >= limit) ipCache.clear();
      ipCache.set(ip, result);
      return result;
    },

    describeHost(name: string): HostDescription | null {
      const cached = hostCache.get(name);
      if (cached !== undefined || hostCache.has(name)) return cached ?? null;
      const host = normaliseHost(name);
      let result: HostDescription | null = null;
      if (host !== null) {
        const isIp = isIpLiteral(host);
        result = Object.freeze({
          name: host,
          isIp,
          registrableDomain: isIp ? null : registrableDomain(host),
          tracker: isIp ? null : trackers.classify(host),
        });
        if (result.tracker !== null) Object.freeze(result.tracker);
      }
      if (hostCache.size >= limit) hostCache.clear();
      hostCache.set(name, result);
      return result;
    },

    trackerOf(name: string): TrackerMatch | null {
      const described = hostCache.get(name);
      if (described !== undefined) return described?.tracker ?? null;
      const cached = trackerCache.get(name);
      if (cached !== undefined) return cached;
      const host = normaliseHost(name);
      const tracker = host === null || isIpLiteral(host) ? null : trackers.classify(host);
      if (tracker !== null) Object.freeze(tracker);
      if (trackerCache.size >= limit) trackerCache.clear();
      trackerCache.set(name, tracker);
      return tracker;
    },

    prepare(): Promise<void> {
      if (geo !== null) return Promise.resolve();
      preparing ??= GeoDb.openAsync(opts).then(
        (g) => {
          geo ??= g;
        },
        () => undefined,
      );
      return preparing;
    },

    databases(): EnrichmentDatabase[] {
      const out: EnrichmentDatabase[] = openGeo()
        .databases()
        .map((d: DatabaseInfo) => ({
          name: d.name,
          source: d.source,
          licence: d.licence,
          attribution: d.attribution,
          version: d.version,
          date: d.date,
          path: d.path,
          ...(d.sha256 !== undefined ? { sha256: d.sha256 } : {}),
        }));
      out.push(trackerListRecord(opts.trackers !== undefined));
      return out;
    },
  };
}

function trackerListRecord(custom: boolean): EnrichmentDatabase {
  if (custom) {
    return {
      name: 'Tracker list (supplied by the caller)',
      source: 'caller-supplied TrackerIndex',
      licence: 'unknown',
      attribution: null,
      version: null,
      date: null,
      path: '(in memory)',
    };
  }
  const record: EnrichmentDatabase = {
    name: 'Telltale curated tracker list',
    source: 'hand-curated; each entry cites its public source (DuckDuckGo Tracker Radar and app blocklist, HaGeZi native tracker lists, d3ward/toolz, Exodus Privacy, vendor documents)',
    licence: 'MIT (Telltale); facts compiled from the cited sources, no list copied',
    attribution: null,
    version: BUNDLED_TRACKERS_VERSION,
    date: /^\d{4}-\d{2}-\d{2}$/.test(BUNDLED_TRACKERS_VERSION) ? `${BUNDLED_TRACKERS_VERSION}T00:00:00.000Z` : null,
    path: 'resources/trackers/trackers.json (bundled)',
  };
  // When running from a checkout the file is on disk and its hash can be recorded; a
  // bundled build carries the list inside the code instead.
  try {
    const path = fileURLToPath(TRACKER_LIST_URL);
    if (existsSync(path)) {
      record.path = path;
      record.sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  } catch {
    // not a file: URL (bundled build)
  }
  return record;
}
