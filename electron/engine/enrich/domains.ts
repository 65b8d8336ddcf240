/**
 * Host names: normalisation and registrable domains ("eTLD+1") from the Public Suffix
 * List, as bundled in tldts.
 *
 * The PSL has an ICANN section (co.uk, com.cn...) and a private section where companies
 * list suffixes under which unrelated customers get names (github.io, appspot.com,
 * cloudfront.net, blogspot.com...). Both sections are applied here, as browsers do for
 * cookies and site isolation: alice.github.io and bob.github.io belong to different
 * people, and merging them into one party would overstate what a single owner received.
 * Which company runs the platform underneath (GitHub, Google, Amazon) is the tracker
 * list's job, by suffix, not the registrable domain's.
 */

import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { formatIp, parseIp } from './ip.ts';

/**
 * Lower-case ASCII (punycode) form of a host name without trailing dot; IP literals come
 * back in canonical form; null for text that is not a host name.
 */
export function normaliseHost(name: string): string | null {
  if (typeof name !== 'string') return null;
  const have = hostMemo.get(name);
  if (have !== undefined) return have;
  const host = normalise(name);
  if (name.length <= 253) {
    if (hostMemo.size >= DOMAIN_MEMO_SIZE) hostMemo.clear();
    hostMemo.set(name, host);
  }
  return host;
}

/**
 * normaliseHost by input text: describing one name normalises it several times over
 * (for the description, its registrable domain and its tracker-list lookup), and an
 * IDNA conversion is the costly part of each.
 */
const hostMemo = new Map<string, string | null>();

function normalise(name: string): string | null {
  let s = name.trim();
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s === '' || s.length > 253) return null;
  const ip = parseIp(s);
  if (ip !== null) return formatIp(ip);
  // domainToASCII lower-cases, applies IDNA mapping and returns '' for invalid names.
  const ascii = domainToASCII(s);
  if (ascii === '' || ascii.startsWith('.') || ascii.includes('..')) return null;
  return ascii;
}

/** True when the text is an IPv4 or IPv6 literal (bracketed or not). */
export function isIpLiteral(name: string): boolean {
  return parseIp(name) !== null;
}

/**
 * Registrable domain (public suffix + one label) in lower-case ASCII, honouring the
 * PSL's private section; null for IP literals, bare public suffixes (co.uk, github.io),
 * single-label names (localhost) and invalid text.
 */
export function registrableDomain(name: string): string | null {
  const have = domainMemo.get(name);
  if (have !== undefined) return have;
  const host = normaliseHost(name);
  const domain = host === null || parseIp(host) !== null || !host.includes('.') ? null
    : getDomain(host, { allowPrivateDomains: true, extractHostname: false });
  // Longer text is seldom a host name, and not worth the memory.
  if (name.length <= 253) {
    if (domainMemo.size >= DOMAIN_MEMO_SIZE) domainMemo.clear();
    domainMemo.set(name, domain);
  }
  return domain;
}

/** Distinct names remembered by registrableDomain before the memo starts over. */
const DOMAIN_MEMO_SIZE = 50_000;
/**
 * registrableDomain by input text. The findings pass asks for the same few thousand
 * host names over and over (every request, every URL in a payload), and each answer
 * costs an IDNA conversion and a suffix-list walk; the answer never changes.
 */
const domainMemo = new Map<string, string | null>();

/**
 * True when two host names belong to the same registrable domain, or are the same IP
 * literal or the same name when neither has a registrable domain.
 */
export function isSameParty(a: string, b: string): boolean {
  const ha = normaliseHost(a);
  const hb = normaliseHost(b);
  if (ha === null || hb === null) return false;
  if (ha === hb) return true;
  const ra = registrableDomain(ha);
  return ra !== null && ra === registrableDomain(hb);
}
