/** Timestamp helpers: nanoseconds since the epoch as bigint, ISO 8601 with chosen precision. */

const NS_PER_S = 1_000_000_000n;

/** Seconds + nanoseconds to a bigint nanosecond timestamp. */
export function toNs(sec: number, nsec: number): bigint {
  return BigInt(sec) * NS_PER_S + BigInt(nsec);
}

/**
 * Format a nanosecond timestamp as ISO 8601 UTC with `digits` fractional digits
 * (0..9), e.g. 2009-11-18T20:58:04.822720Z for microsecond captures.
 */
export function isoFromNs(ns: bigint, digits = 9): string {
  let sec = ns / NS_PER_S;
  let frac = ns % NS_PER_S;
  if (frac < 0n) { frac += NS_PER_S; sec -= 1n; }
  const d = new Date(Number(sec) * 1000);
  if (Number.isNaN(d.getTime())) return `invalid(${ns})`;
  const base = d.toISOString().slice(0, 19);
  if (digits <= 0) return `${base}Z`;
  const fracStr = frac.toString().padStart(9, '0').slice(0, Math.min(9, digits));
  return `${base}.${fracStr}Z`;
}

/** Parse an ISO 8601 date (as in HAR startedDateTime) to nanoseconds, keeping sub-millisecond digits. */
export function nsFromIso(iso: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso.trim());
  if (!m) {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : BigInt(t) * 1_000_000n;
  }
  const whole = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  if (Number.isNaN(whole)) return null;
  const frac = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(whole) * 1_000_000n + BigInt(frac);
}
