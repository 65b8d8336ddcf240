/**
 * Time at the API edge: the store keeps nanoseconds as bigint, the API sends ISO
 * strings at the input's precision plus epoch milliseconds as a float, and accepts
 * either epoch ms or ISO strings in queries.
 */
import { ApiFailure } from '../../../shared/api.ts';
import type { IsoTime, TimeSpan } from '../../../shared/model.ts';
import { isoFromNs, nsFromIso } from '../util/time.ts';

const NS_PER_US = 1000n;

/** Epoch milliseconds of a nanosecond timestamp, keeping microseconds (a double holds them at today's epoch). */
export function msFromNs(ns: bigint): number {
  return Number(ns / NS_PER_US) / 1000;
}

/** Nanoseconds of an API instant (epoch ms or ISO 8601); throws invalid-params for an unparsable string. */
export function nsFromInstant(v: number | IsoTime): bigint {
  if (typeof v === 'number') return BigInt(Math.round(v * 1000)) * NS_PER_US;
  const ns = nsFromIso(v);
  if (ns === null) throw new ApiFailure('invalid-params', `not a valid time: ${JSON.stringify(v)}`);
  return ns;
}

/** ISO string and ms of a stored `CAST(ts_ns AS TEXT)` value. */
export function stamp(text: string, digits: number): { ts: IsoTime; tsMs: number } {
  const ns = BigInt(text);
  return { ts: isoFromNs(ns, digits), tsMs: msFromNs(ns) };
}

/** A TimeSpan from two nanosecond bounds, or null when either is missing. */
export function spanOf(first: bigint | null, last: bigint | null, digits: number): TimeSpan | null {
  if (first === null || last === null) return null;
  return { from: isoFromNs(first, digits), to: isoFromNs(last, digits), fromMs: msFromNs(first), toMs: msFromNs(last) };
}

/** spanOf for `CAST(… AS TEXT)` columns that may be NULL. */
export function spanOfText(first: unknown, last: unknown, digits: number): TimeSpan | null {
  if (typeof first !== 'string' || typeof last !== 'string') return null;
  return spanOf(BigInt(first), BigInt(last), digits);
}
