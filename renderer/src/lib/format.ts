/**
 * How figures and times read everywhere in the UI. Times are UTC and say so; the
 * fractional digits are those of the input (an ISO string from the engine is kept
 * as text, never rounded through a Date).
 */

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** 12,345 */
export function formatCount(n: number): string {
  return INTEGER.format(n);
}

/** 1.2 MB, 980 B: decimal units, as disk sizes and network rates are usually given. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1000) return `${INTEGER.format(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 ? INTEGER.format(value) : ONE_DECIMAL.format(value)} ${units[unit]}`;
}

/** "2009-11-18 20:58:04.822720" from the engine's ISO string (the caller adds the UTC label). */
export function formatIsoUtc(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  return iso.replace('T', ' ').replace(/Z$/, '');
}

/** "2009-11-18 20:58:04.822 UTC" from epoch milliseconds. */
export function formatMsUtc(ms: number | null | undefined, withMs = true): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withMs ? 23 : 19)} UTC`;
}

/** 1 h 02 min, 3 min 20 s, 4.2 s, 250 ms */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${INTEGER.format(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${ONE_DECIMAL.format(s)} s`;
  const totalSeconds = Math.round(s);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const sec = totalSeconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** 1,234/s or 12.5/s */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '—';
  return perSecond >= 100 ? `${INTEGER.format(perSecond)}/s` : `${ONE_DECIMAL.format(perSecond)}/s`;
}

/** "10.0.0.1:443", with brackets around an IPv6 address. */
export function formatEndpoint(ip: string, port: number): string {
  // HAR entries often record no client address (and no port).
  if (ip === '') return port > 0 ? `port ${port}` : '—';
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** A long hash cut for a table cell: first and last characters around an ellipsis. */
export function shortHash(hash: string | null, keep = 8): string {
  if (hash === null) return '—';
  return hash.length <= keep * 2 + 1 ? hash : `${hash.slice(0, keep)}…${hash.slice(-keep)}`;
}

/** TLS version number as people say it. */
export function tlsVersionName(v: number | null): string {
  if (v === null) return '—';
  switch (v) {
    case 0x0300:
      return 'SSL 3.0';
    case 0x0301:
      return 'TLS 1.0';
    case 0x0302:
      return 'TLS 1.1';
    case 0x0303:
      return 'TLS 1.2';
    case 0x0304:
      return 'TLS 1.3';
    default:
      return `0x${v.toString(16).padStart(4, '0')}`;
  }
}

const DNS_TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  41: 'OPT',
  47: 'NSEC',
  64: 'SVCB',
  65: 'HTTPS',
  255: 'ANY',
};

/** A, AAAA, HTTPS … or TYPE123 (RFC 3597) for the rest. */
export function dnsTypeName(t: number): string {
  return DNS_TYPES[t] ?? `TYPE${t}`;
}

const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export function dnsRcodeName(rc: number | null): string {
  if (rc === null) return '—';
  return RCODES[rc] ?? `RCODE${rc}`;
}

/** "1 input", "3 inputs" */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
