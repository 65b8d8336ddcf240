/**
 * The values a leak can be made of, indexed so that one pass over a request's decoded
 * leaves finds them all in time linear in the leaves' length: URLs by their normalised
 * key, visited host names by name, search words and watched words by their first word,
 * watched e-mail addresses and phone numbers by token. Each candidate knows the page it
 * belongs to; whether a sighting is a leak is decided by the caller (leak-rules.ts).
 */
import { registrableDomain } from '../enrich/domains.ts';
import { BoundedMemo } from './memo.ts';
import type { RequestLeaf } from './request-decode.ts';
import {
  displayUrl, forEachHostToken, hasEncodedUrl, isRootOnly, parseUrlLike, safeDecode, urlKey, urlPathKey, urlsInText,
  wordTokens, type UrlParts, type WordToken,
} from './url-forms.ts';

export type LeakKind = 'url' | 'search' | 'identifier' | 'watch' | 'visited-host' | 'third-party-url';

export interface Candidate {
  kind: LeakKind;
  /** The value as shown (URL, words, host, e-mail …). */
  value: string;
  /** The page the value belongs to (URL or host), or null when unknown (watched words, identifiers). */
  page: string | null;
  /** Registrable domain of that page (or its host/IP when it has none); null when unknown. */
  domain: string | null;
  /** Normalised URL key of the page, to mark visited pages as leaked. */
  pageKey: string | null;
  /** Operator of the page's host per the tracker list (Meta for facebook.com), when listed. */
  operator: string | null;
}

export interface Sighting {
  cand: Candidate;
  leaf: RequestLeaf;
  /** The text the position refers to (the leaf value, or its percent-decoded form). */
  text: string;
  start: number;
  end: number;
  match: 'exact' | 'contained';
  /** For URLs: the URL's host (to suppress host sightings the URL already covers). */
  urlHost: string | null;
}

interface Phrase {
  tokens: string[];
  cand: Candidate;
}

/** A URL read from a leaf's text, with the keys it is looked up by. */
interface FoundUrl {
  u: UrlParts;
  start: number;
  end: number;
  /** The text the position refers to (the leaf's, or its percent-decoded form). */
  text: string;
  whole: boolean;
  key: string;
  rootOnly: boolean;
}

/** What the text matching reads from a leaf value, computed once per distinct value. */
interface LeafText {
  /** The value, percent-decoded when it has escapes. */
  text: string;
  words: WordToken[] | null;
  hosts: Array<{ host: string; start: number }> | null;
}

/** Leaf values longer than this are read afresh every time (not remembered). */
const MEMO_MAX_TEXT = 4096;

/** Party of a host: its registrable domain, else the host itself (IP literals, single labels). */
export function partyOf(host: string | null): string | null {
  if (host === null || host.length === 0) return null;
  return registrableDomain(host) ?? host.toLowerCase();
}

/** Words shorter than this are matched only as a whole leaf (never inside longer text). */
const MIN_CONTAINED_CHARS = 5;

/** Operator of a host per the tracker list, or null. */
export type OperatorOf = (host: string) => string | null;

export class CandidateIndex {
  private readonly operatorOf: OperatorOf;
  private readonly urls = new Map<string, Candidate>();
  private readonly paths = new Map<string, Candidate>();
  private readonly hosts = new Map<string, Candidate>();
  private readonly phrases = new Map<string, Phrase[]>();
  private readonly tokens = new Map<string, Candidate>();
  /** Watched phone numbers by their digits. */
  private readonly phones = new Map<string, Candidate>();
  private phraseCount = 0;
  /** Search words already indexed, by page key + words. */
  private readonly searchSeen = new Set<string>();
  /**
   * URLs and words of leaf values, by value: the same values come back in request after
   * request (cookies, ids, the page URL in every beacon), and reading them does not
   * depend on what the index holds. Only the lookups in the index are done each time.
   */
  private readonly urlMemo = new BoundedMemo<FoundUrl[]>();
  private readonly textMemo = new BoundedMemo<LeafText>();

  constructor(operatorOf: OperatorOf = () => null) {
    this.operatorOf = operatorOf;
  }

  get size(): number {
    return this.urls.size + this.hosts.size + this.phraseCount + this.tokens.size + this.phones.size;
  }

  /** Add a visited or watched URL; returns its candidate (the first one for that key wins). */
  addUrl(u: UrlParts, kind: 'url' | 'watch'): Candidate {
    const key = urlKey(u);
    const have = this.urls.get(key);
    if (have && (have.kind === kind || have.kind === 'url')) return have;
    const cand: Candidate = { kind, value: displayUrl(u), page: displayUrl(u), domain: partyOf(u.host), pageKey: key, operator: this.operatorOf(u.host) };
    this.urls.set(key, cand);
    if (!isRootOnly(u)) {
      const pk = urlPathKey(u);
      if (!this.paths.has(pk) || kind === 'url') this.paths.set(pk, cand);
    }
    return cand;
  }

  /** Look a URL up by its full key, then by host and path (a page revealed without its query). */
  findUrl(u: UrlParts): Candidate | null {
    const c = this.urls.get(urlKey(u));
    if (c) return c;
    if (isRootOnly(u)) return null;
    return this.paths.get(urlPathKey(u)) ?? null;
  }

  /** Add a visited site's host name (from DNS or SNI). */
  addHost(host: string): void {
    const h = host.toLowerCase();
    if (this.hosts.has(h)) return;
    this.hosts.set(h, { kind: 'visited-host', value: h, page: h, domain: partyOf(h), pageKey: null, operator: this.operatorOf(h) });
  }

  /** Add search words of a visited page (or watched words when `page` is null). */
  addWords(words: string, kind: 'search' | 'watch', page: string | null, pageKey: string | null, domain: string | null, operator: string | null = null): void {
    const toks = wordTokens(words).map((t) => t.t);
    if (toks.length === 0) return;
    const seenKey = `${kind}\u0000${pageKey ?? ''}\u0000${toks.join(' ')}`;
    if (this.searchSeen.has(seenKey)) return;
    this.searchSeen.add(seenKey);
    const cand: Candidate = { kind, value: words, page, domain, pageKey, operator };
    const list = this.phrases.get(toks[0]);
    if (list) list.push({ tokens: toks, cand });
    else this.phrases.set(toks[0], [{ tokens: toks, cand }]);
    this.phraseCount++;
  }

  /** Add a watched e-mail address (or other value), matched as a whole token, case-insensitively. */
  addToken(value: string, normalised: string): void {
    if (!this.tokens.has(normalised)) this.tokens.set(normalised, { kind: 'watch', value, page: null, domain: null, pageKey: null, operator: null });
  }

  /**
   * Add a watched phone number. It is matched on its digits, whatever the separators,
   * and with or without the country code: a run of digits in a payload matches when
   * one ends with the other and the shorter has at least 9 digits.
   */
  addPhone(value: string): void {
    const digits = value.replace(/[^0-9]/g, '');
    if (digits.length >= 8 && !this.phones.has(digits)) {
      this.phones.set(digits, { kind: 'watch', value, page: null, domain: null, pageKey: null, operator: null });
    }
  }

  /**
   * URLs in the leaves: known ones (visited or watched), and unknown ones of another
   * party than the destination (`destParty`, or the same operator `destOperator`):
   * candidate 'third-party-url'. `onThirdParty` sees every such URL first so that search
   * words in it can be indexed before words are matched.
   */
  urlSightings(leaves: readonly RequestLeaf[], destParty: string | null, destOperator: string | null,
    onThirdParty: (u: UrlParts, cand: Candidate) => void): Sighting[] {
    const out: Sighting[] = [];
    for (const leaf of leaves) {
      // Origin and origin-only Referer headers name a site, not a page (see docs/findings.md).
      const referer = leaf.header === 'referer' && leaf.chain === 'header:referer';
      for (const f of this.urlsOf(leaf.value)) {
        if (referer && f.rootOnly) continue;
        let cand = this.urls.get(f.key) ?? (f.rootOnly ? null : this.paths.get(urlPathKey(f.u)) ?? null);
        if (cand === null) {
          if (f.rootOnly) continue;
          const party = partyOf(f.u.host);
          if (party === null || party === destParty) continue;
          const operator = this.operatorOf(f.u.host);
          if (operator !== null && operator === destOperator) continue;
          cand = { kind: 'third-party-url', value: displayUrl(f.u), page: displayUrl(f.u), domain: party, pageKey: f.key, operator };
          onThirdParty(f.u, cand);
        }
        out.push({ cand, leaf, text: f.text, start: f.start, end: f.end, match: f.whole ? 'exact' : 'contained', urlHost: f.u.host });
      }
    }
    return out;
  }

  /** The URLs written in a leaf value: the whole value, else those inside it (plain and percent-encoded). */
  private urlsOf(text: string): FoundUrl[] {
    const have = this.urlMemo.get(text);
    if (have !== undefined) return have;
    const found: FoundUrl[] = [];
    const add = (u: UrlParts, start: number, end: number, t: string, whole: boolean): void => {
      found.push({ u, start, end, text: t, whole, key: urlKey(u), rootOnly: isRootOnly(u) });
    };
    const whole = text.indexOf(' ') === -1 ? parseUrlLike(text, true) : null;
    if (whole !== null && (whole.scheme !== '' || whole.path.length > 1)) {
      add(whole, 0, text.length, text, true);
    } else if (text.length >= 10) {
      for (const f of urlsInText(text)) add(f.url, f.start, f.end, text, false);
      if (hasEncodedUrl(text)) {
        const dec = safeDecode(text);
        for (const f of urlsInText(dec)) add(f.url, f.start, f.end, dec, false);
      }
    }
    if (text.length <= MEMO_MAX_TEXT) this.urlMemo.set(text, found, text.length + 64 * found.length);
    return found;
  }

  /** A leaf value read for words and host names; each reading is done on first use. */
  private leafText(raw: string): LeafText {
    let t = this.textMemo.get(raw);
    if (t === undefined) {
      t = { text: raw.indexOf('%') !== -1 ? safeDecode(raw) : raw, words: null, hosts: null };
      // Counted twice: the words and host names read later take about as much again.
      if (raw.length <= MEMO_MAX_TEXT) this.textMemo.set(raw, t, 2 * raw.length);
    }
    return t;
  }

  /** Search words, watched words, visited host names and watched tokens in the leaves. */
  textSightings(leaves: readonly RequestLeaf[]): Sighting[] {
    const out: Sighting[] = [];
    const wantWords = this.phrases.size > 0;
    const wantHosts = this.hosts.size > 0;
    const wantTokens = this.tokens.size > 0;
    const wantPhones = this.phones.size > 0;
    if (!wantWords && !wantHosts && !wantTokens && !wantPhones) return out;
    for (const leaf of leaves) {
      const lt = this.leafText(leaf.value);
      const text = lt.text;
      if (wantWords) this.words(leaf, text, (lt.words ??= wordTokens(text)), out);
      if (wantHosts && leaf.header !== 'referer') {
        if (lt.hosts === null) {
          const hosts: Array<{ host: string; start: number }> = [];
          forEachHostToken(text, (host, start) => hosts.push({ host, start }));
          lt.hosts = hosts;
        }
        for (const { host: h, start } of lt.hosts) {
          const cand = this.hosts.get(h);
          if (cand) out.push({ cand, leaf, text, start, end: start + h.length, match: start === 0 && h.length === text.length ? 'exact' : 'contained', urlHost: null });
        }
      }
      if (wantTokens) this.tokenSightings(leaf, text, out);
      if (wantPhones) this.phoneSightings(leaf, text, out);
    }
    return out;
  }

  private phoneSightings(leaf: RequestLeaf, text: string, out: Sighting[]): void {
    // Digits with single separators between them: '+49 (151) 2345-6789'.
    const re = /\+?\d(?:[\s().-]?\d){7,16}/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const d = m[0].replace(/[^0-9]/g, '');
      for (const [digits, cand] of this.phones) {
        const short = d.length < digits.length ? d : digits;
        const long = short === d ? digits : d;
        if (d === digits || (short.length >= 9 && long.endsWith(short))) {
          out.push({ cand, leaf, text, start: m.index, end: m.index + m[0].length, match: m[0].length === text.trim().length ? 'exact' : 'contained', urlHost: null });
          break;
        }
      }
    }
  }

  private words(leaf: RequestLeaf, text: string, toks: readonly WordToken[], out: Sighting[]): void {
    for (let i = 0; i < toks.length; i++) {
      const list = this.phrases.get(toks[i].t);
      if (!list) continue;
      for (const p of list) {
        const n = p.tokens.length;
        if (i + n > toks.length) continue;
        let ok = true;
        for (let k = 1; k < n; k++) {
          if (toks[i + k].t !== p.tokens[k]) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        const exact = toks.length === n;
        if (!exact && (n < 2 && p.cand.value.length < MIN_CONTAINED_CHARS)) continue;
        out.push({ cand: p.cand, leaf, text, start: toks[i].start, end: toks[i + n - 1].end, match: exact ? 'exact' : 'contained', urlHost: null });
      }
    }
  }

  private tokenSightings(leaf: RequestLeaf, text: string, out: Sighting[]): void {
    const re = /[A-Za-z0-9@._+-]+/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const t = m[0];
      const cand = this.tokens.get(t.toLowerCase());
      if (cand) out.push({ cand, leaf, text, start: m.index, end: m.index + t.length, match: t.length === text.length ? 'exact' : 'contained', urlHost: null });
    }
  }
}
