/**
 * Which IP answers to which name, as seen in records: DNS answers (with their CNAME
 * chain), TLS SNI, HTTP Host, HAR server address, and local name records. The case
 * store aggregates these into the hosts table.
 */
import { isIP } from 'node:net';
import type { DnsRecord, HttpRecord, NameRecord, TlsRecord } from '../records.ts';

export type HostSource = 'dns' | 'sni' | 'http' | 'dhcp' | 'mdns' | 'nbns' | 'nrb' | 'har';

/** Receives one (ip, name) link; `name` is already normalised. */
export type HostLinkFn = (ip: string, name: string, source: HostSource) => void;

const RR_A = 1;
const RR_CNAME = 5;
const RR_AAAA = 28;

/** Lower-case, without the trailing root dot; empty string when there is no name. */
export function normaliseName(name: string): string {
  let n = name.trim();
  if (n.endsWith('.')) n = n.slice(0, -1);
  return n.toLowerCase();
}

/** Strip the brackets HAR and URLs put around IPv6 literals. */
export function stripBrackets(ip: string): string {
  return ip.length > 1 && ip.charCodeAt(0) === 0x5b && ip.charCodeAt(ip.length - 1) === 0x5d ? ip.slice(1, -1) : ip;
}

/** Host header value without its port; null if it is an address literal or empty. */
export function hostHeaderName(host: string): string | null {
  let h = host.trim();
  if (h.length === 0) return null;
  if (h.charCodeAt(0) === 0x5b) return null; // [v6]:port is an address, not a name
  const colon = h.lastIndexOf(':');
  if (colon !== -1) {
    // More than one colon and no brackets: a bare IPv6 literal.
    if (h.indexOf(':') !== colon) return null;
    h = h.slice(0, colon);
  }
  h = normaliseName(h);
  if (h.length === 0 || isIP(h) !== 0) return null;
  return h;
}

/**
 * Links from a DNS response: every A/AAAA answer links its address to its owner
 * name and to every name that leads there through CNAMEs in the same answer
 * section (so the address of a CDN edge is linked to the name the client asked for).
 */
export function dnsHostLinks(r: Pick<DnsRecord, 'response' | 'flavor' | 'answers'>, emit: HostLinkFn): void {
  if (!r.response || r.answers.length === 0) return;
  const source: HostSource = r.flavor === 'mdns' ? 'mdns' : 'dns';
  // CNAME target -> owners, to walk back from an address's owner towards the query.
  let owners: Map<string, string[]> | null = null;
  for (const a of r.answers) {
    if (a.type !== RR_CNAME) continue;
    owners ??= new Map();
    const target = normaliseName(a.data);
    const list = owners.get(target);
    if (list) list.push(normaliseName(a.name));
    else owners.set(target, [normaliseName(a.name)]);
  }
  for (const a of r.answers) {
    if (a.type !== RR_A && a.type !== RR_AAAA) continue;
    const ip = a.data;
    if (isIP(ip) === 0) continue;
    const name = normaliseName(a.name);
    if (name.length === 0) continue;
    emit(ip, name, source);
    if (!owners) continue;
    const seen = new Set<string>([name]);
    const stack = [name];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      const up = owners.get(cur);
      if (!up) continue;
      for (const o of up) {
        if (seen.has(o) || o.length === 0) continue;
        seen.add(o);
        emit(ip, o, source);
        stack.push(o);
      }
    }
  }
}

/** SNI of a ClientHello links the server address it was sent to. */
export function tlsHostLinks(r: Pick<TlsRecord, 'sni' | 'dstIp'>, emit: HostLinkFn): void {
  if (!r.sni) return;
  const name = normaliseName(r.sni);
  if (name.length === 0 || isIP(name) !== 0 || !r.dstIp) return;
  emit(r.dstIp, name, 'sni');
}

/** Host header links the server address (dissected traffic) or HAR's serverIPAddress. */
export function httpHostLinks(r: Pick<HttpRecord, 'host' | 'source' | 'serverIp' | 'dstIp'>, emit: HostLinkFn): void {
  if (!r.host) return;
  const name = hostHeaderName(r.host);
  if (!name) return;
  if (r.source === 'har') {
    const ip = r.serverIp ? stripBrackets(r.serverIp.trim()) : '';
    if (isIP(ip) !== 0) emit(ip, name, 'har');
    return;
  }
  if (r.dstIp) emit(r.dstIp, name, 'http');
}

/** DHCP/mDNS/NBNS/NRB names with an address. */
export function nameHostLinks(r: Pick<NameRecord, 'ip' | 'name' | 'source'>, emit: HostLinkFn): void {
  if (!r.ip) return;
  const name = normaliseName(r.name);
  if (name.length === 0) return;
  emit(r.ip, name, r.source);
}
