/**
 * What keeps other web pages out of the host. A page on another origin cannot read
 * the per-server token, so it cannot call the API (CSRF); a hostile DNS name that
 * resolves to 127.0.0.1 still arrives with its own name in the Host header, which is
 * refused (DNS rebinding). The token travels in a header for API calls and in the
 * query string only where a browser cannot set headers (EventSource).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export const TOKEN_HEADER = 'x-telltale-token';

/** A fresh unguessable token (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of a presented token with the server's. */
export function tokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True for 127.0.0.0/8, ::1 and 'localhost'. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** True for 0.0.0.0 and :: (every interface). */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** The host part of a Host header ("[::1]:80" → "::1"), lower-cased; null when malformed. */
function hostOf(header: string): { host: string; port: string | null } | null {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end === -1) return null;
    const rest = h.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    return { host: h.slice(1, end), port: rest === '' ? null : rest.slice(1) };
  }
  const colon = h.lastIndexOf(':');
  if (colon !== -1 && h.indexOf(':') !== colon) return null;
  return colon === -1 ? { host: h, port: null } : { host: h.slice(0, colon), port: h.slice(colon + 1) };
}

/**
 * Decides which Host headers name this server: the bound address (and `localhost`
 * for a loopback bind) with the bound port. A server on every interface also answers
 * to any IP literal and to this machine's name, since that is how a colleague reaches it.
 */
export function hostChecker(boundHost: string, port: number): (header: string | undefined) => boolean {
  const bound = boundHost.replace(/^\[|\]$/g, '').toLowerCase();
  const names = new Set<string>([bound]);
  if (isLoopback(bound)) {
    names.add('localhost');
    names.add('127.0.0.1');
    names.add('::1');
  }
  const wildcard = isWildcard(bound);
  const machine = hostname().toLowerCase();
  return (header) => {
    if (header === undefined) return false;
    const parsed = hostOf(header);
    if (parsed === null || parsed.port !== String(port)) return false;
    if (names.has(parsed.host)) return true;
    if (wildcard) return isIP(parsed.host) !== 0 || parsed.host === machine || parsed.host === 'localhost';
    return false;
  };
}

/** An Origin header, when present, must be this server's own origin (browsers send it on POST). */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (hostHeader === undefined) return false;
  return origin === `http://${hostHeader.toLowerCase()}`;
}
