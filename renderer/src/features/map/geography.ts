/**
 * Shaping of destinations for the map: per-country and per-operator totals, the
 * classes of the choropleth and its legend, table sorting, and the origin of the arcs.
 * Private and reserved addresses are kept apart: they have no place on a world map
 * but an investigator must still see that they were talked to.
 */
import type { DestinationRow } from '../../../../shared/model.ts';
import { countryName, isCountryCode } from './country-codes.ts';

export type MapMetric = 'requests' | 'bytes' | 'leaks';

export const METRIC_LABELS: Readonly<Record<MapMetric, string>> = {
  requests: 'Requests',
  bytes: 'Bytes sent',
  leaks: 'Leaks',
};

export interface OperatorTotals {
  /** "AS45102" style key, or the org name when the ASN is unknown. */
  key: string;
  asn: number | null;
  org: string;
  countries: string[];
  hosts: number;
  requests: number;
  bytesUp: number;
  bytesDown: number;
  leaks: number;
}

export interface CountryTotals {
  /** ISO alpha-2, upper case. */
  code: string;
  name: string;
  hosts: number;
  requests: number;
  bytesUp: number;
  bytesDown: number;
  leaks: number;
  /** Operators seen in this country, most requests first. */
  operators: OperatorTotals[];
  /** Destinations located here, most requests first. */
  destinations: DestinationRow[];
}

export interface Geography {
  /** Most requests first. */
  countries: CountryTotals[];
  /** Most requests first. */
  operators: OperatorTotals[];
  /** Public addresses with a usable country. */
  located: DestinationRow[];
  /** Private, loopback, link-local, multicast, reserved: listed, never mapped. */
  reserved: DestinationRow[];
  /** Public addresses the geo database could not place. */
  unlocated: DestinationRow[];
}

/** The metric value of a country or operator. */
export function metricValue(row: { requests: number; bytesUp: number; leaks: number }, metric: MapMetric): number {
  return metric === 'requests' ? row.requests : metric === 'bytes' ? row.bytesUp : row.leaks;
}

function byRequests<T extends { requests: number; bytesUp: number }>(a: T, b: T): number {
  return b.requests - a.requests || b.bytesUp - a.bytesUp;
}

function operatorKey(row: DestinationRow): { key: string; asn: number | null; org: string } | null {
  if (row.asn === null && (row.org === null || row.org === '')) return null;
  const org = row.org !== null && row.org !== '' ? row.org : `AS${row.asn}`;
  return { key: row.asn !== null ? `AS${row.asn}` : `org:${org}`, asn: row.asn, org };
}

function addOperator(map: Map<string, OperatorTotals>, row: DestinationRow): void {
  const op = operatorKey(row);
  if (op === null) return;
  let totals = map.get(op.key);
  if (totals === undefined) {
    totals = { key: op.key, asn: op.asn, org: op.org, countries: [], hosts: 0, requests: 0, bytesUp: 0, bytesDown: 0, leaks: 0 };
    map.set(op.key, totals);
  }
  totals.hosts++;
  totals.requests += row.requests;
  totals.bytesUp += row.bytesUp;
  totals.bytesDown += row.bytesDown;
  totals.leaks += row.leaks;
  const country = row.country?.toUpperCase();
  if (country !== undefined && !totals.countries.includes(country)) totals.countries.push(country);
}

/** Splits destinations into located, reserved and unlocated, and totals them per country and per operator. */
export function aggregateDestinations(rows: readonly DestinationRow[]): Geography {
  const countries = new Map<string, CountryTotals>();
  const countryOperators = new Map<string, Map<string, OperatorTotals>>();
  const operators = new Map<string, OperatorTotals>();
  const located: DestinationRow[] = [];
  const reserved: DestinationRow[] = [];
  const unlocated: DestinationRow[] = [];
  for (const row of rows) {
    if (row.scope !== null && row.scope !== '' && row.scope !== 'public') {
      reserved.push(row);
      continue;
    }
    addOperator(operators, row);
    if (!isCountryCode(row.country)) {
      unlocated.push(row);
      continue;
    }
    located.push(row);
    const code = row.country.toUpperCase();
    let totals = countries.get(code);
    if (totals === undefined) {
      totals = {
        code,
        name: countryName(code, row.countryName),
        hosts: 0,
        requests: 0,
        bytesUp: 0,
        bytesDown: 0,
        leaks: 0,
        operators: [],
        destinations: [],
      };
      countries.set(code, totals);
      countryOperators.set(code, new Map());
    }
    totals.hosts++;
    totals.requests += row.requests;
    totals.bytesUp += row.bytesUp;
    totals.bytesDown += row.bytesDown;
    totals.leaks += row.leaks;
    totals.destinations.push(row);
    addOperator(countryOperators.get(code) as Map<string, OperatorTotals>, row);
  }
  for (const [code, totals] of countries) {
    totals.operators = [...(countryOperators.get(code) as Map<string, OperatorTotals>).values()].sort(byRequests);
    totals.destinations.sort(byRequests);
  }
  return {
    countries: [...countries.values()].sort(byRequests),
    operators: [...operators.values()].sort(byRequests),
    located: located.sort(byRequests),
    reserved: reserved.sort(byRequests),
    unlocated: unlocated.sort(byRequests),
  };
}

/** Choropleth classes: upper bounds of each class, ascending; a value v is in the first class with v ≤ bound. */
export interface ColorClasses {
  bounds: number[];
}

/** The next "nice" number at or above x: 1, 2, 5 × a power of ten. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * power >= x * (1 - 1e-12)) return m * power;
  return 10 * power;
}

/**
 * Up to `count` classes spaced evenly on a log scale from 1 to the largest value,
 * with nice bounds. Log spacing because request counts per country span orders of
 * magnitude: one analytics host takes thousands, a CDN in a neighbour country a few.
 */
export function colorClasses(values: readonly number[], count: number): ColorClasses {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  if (max <= 0 || count < 1) return { bounds: [] };
  const bounds: number[] = [];
  for (let i = 1; i <= count; i++) {
    const bound = i === count ? max : niceCeil(max ** (i / count));
    if (bound >= max) {
      bounds.push(max);
      break;
    }
    if (bounds.length === 0 || bound > bounds[bounds.length - 1]) bounds.push(bound);
  }
  return { bounds };
}

/** Class index of a value: 0 for none (no fill), 1..bounds.length otherwise. */
export function classOf(value: number, classes: ColorClasses): number {
  if (!(value > 0)) return 0;
  for (let i = 0; i < classes.bounds.length; i++) if (value <= classes.bounds[i]) return i + 1;
  return classes.bounds.length;
}

export interface LegendEntry {
  classIndex: number;
  from: number;
  to: number;
}

/** Legend rows: the range each class covers. Counts start at 1; byte ranges start just above the previous bound. */
export function legendEntries(classes: ColorClasses): LegendEntry[] {
  return classes.bounds.map((to, i) => ({ classIndex: i + 1, from: i === 0 ? 1 : classes.bounds[i - 1] + 1, to }));
}

export type SortDir = 'asc' | 'desc';

/** A stable sort by one key; text compares case-insensitively, missing values go last either way. */
export function sortBy<T>(rows: readonly T[], key: (row: T) => string | number | null, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: key(row) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.index - b.index;
        return a.value === null ? 1 : -1;
      }
      const c =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value), 'en', { sensitivity: 'base', numeric: true });
      return c !== 0 ? c * sign : a.index - b.index;
    })
    .map((x) => x.row);
}

/**
 * Where the capture was probably made, for the arcs' origin: the region of the first
 * browser language that names one ("en-GB" → "GB"). A guess the investigator can
 * override; null when no language names a region.
 */
export function inferOrigin(languages: readonly string[]): string | null {
  for (const lang of languages) {
    const parts = lang.split(/[-_]/);
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i];
      if (part.length === 2 && isCountryCode(part)) return part.toUpperCase();
    }
  }
  return null;
}
