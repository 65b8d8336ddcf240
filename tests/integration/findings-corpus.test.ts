/**
 * The findings on ordinary traffic from the corpus: which leaks and identifiers the
 * analysis reports there, and why each is right. Expectations are computed from the
 * inputs themselves (the HAR JSON, tshark's truth files, the dissected request headers
 * in the case), never from the findings code.
 *
 * Decisions asserted here (docs/findings.md):
 * - a page's own subresources (same registrable domain) are not leaks;
 * - a Referer that carries the page's path or query to another party IS a leak of the
 *   page URL, while an origin-only Referer (the browsers' default since 2020) is not;
 * - a site's parent company on another registrable domain is a third party unless the
 *   tracker list names the same operator for both.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { getDomain } from 'tldts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/telltale.js');
const CORPUS = join(ROOT, 'tests/fixtures/corpus');

const FILES = [
  'pcapplusplus__example.pcap',
  'pagexray__assa-chrome-har-3pages.har',
  'mitmproxy__chrome.har',
  'mitmproxy__firefox.har',
  'mitmproxy__charles.har',
  'mitmproxy__mitmproxy-export.har',
  'mitmproxy__with-bom.har',
  'zeek__http-body-match.pcap',
  'zeek__http-get-gzip.pcap',
  'zeek__http-pipelined-requests.pcap',
  'zeek__basic-auth-with-colon.pcap',
];

interface Leak {
  kind: string; value: string; chain: string; input: string; frame?: number; entry?: number; page: string | null; match: string;
  destination: { host: string; ip: string | null; domain: string | null; category: string | null; operator: string | null };
}
interface Doc {
  leaks: Leak[];
  identifiers: Array<{ value: string; kind: string; scope: string; persistent: boolean; inputs: string[] }>;
  devices: Array<{ label: string; os: string | null; inputs: string[] }>;
  comparison: { labelled: boolean; modes: Record<string, { pagesVisited: number; pagesLeaked: number }> };
}

let dir: string;
let doc: Doc;
let db: Database.Database;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-findings-corpus-'));
  const r = spawnSync(process.execPath, [BIN, 'analyze', ...FILES.map((f) => join(CORPUS, f)), '--case', 'c.db', '--json', 'c.json', '--quiet'],
    { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`analyze failed (${r.status}): ${r.stderr}`);
  doc = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as Doc;
  db = new Database(join(dir, 'c.db'), { readonly: true });
});
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function party(host: string): string {
  return getDomain(host) ?? host;
}

/** Host, path and query of a URL, for comparing spellings. */
function target(u: string): string {
  const x = new URL(u);
  return `${x.host}${x.pathname.replace(/\/+$/, '')}${x.search}`;
}

interface HarEntry { request: { url: string; headers: Array<{ name: string; value: string }> } }
function harEntries(file: string): HarEntry[] {
  return (JSON.parse(readFileSync(join(CORPUS, file), 'utf8').replace(/^\uFEFF/, '')) as { log: { entries: HarEntry[] } }).log.entries;
}

function header(e: HarEntry, name: string): string | null {
  return e.request.headers.find((h) => h.name.toLowerCase() === name)?.value ?? null;
}

describe('findings on ordinary corpus traffic', () => {
  it('never reports a value sent to the party it belongs to', () => {
    expect(doc.leaks.length).toBeGreaterThan(0);
    for (const l of doc.leaks) {
      if (l.page === null || l.kind === 'identifier') continue;
      expect(party(new URL(l.page).hostname), `${l.input} ${l.frame ?? l.entry}`).not.toBe(party(l.destination.host));
    }
  });

  it('reports a Referer only when it carried the page path, and only what the request really sent', () => {
    const referers = doc.leaks.filter((l) => l.chain === 'header:referer');
    expect(referers.length).toBeGreaterThan(0);
    const stmt = db.prepare('SELECT request_headers FROM http h JOIN inputs i ON i.id = h.input_id WHERE i.file_name = ? AND (h.frame = ? OR h.entry = ?)');
    for (const l of referers) {
      const u = new URL(l.value);
      expect(u.pathname.length > 1 || u.search.length > 0).toBe(true);
      const headers = JSON.parse((stmt.get(l.input, l.frame ?? null, l.entry ?? null) as { request_headers: string }).request_headers) as Array<[string, string]>;
      const sent = headers.find(([n]) => n.toLowerCase() === 'referer')?.[1];
      expect(sent && target(sent)).toBe(target(l.value));
    }
  });

  it('mitmproxy HARs and zeek HTTP captures: nothing leaks (one site, origin-only Referers, lab traffic)', () => {
    const quiet = FILES.filter((f) => f.startsWith('mitmproxy__') || f.startsWith('zeek__'));
    expect(doc.leaks.filter((l) => quiet.includes(l.input))).toEqual([]);
    expect(doc.identifiers.filter((i) => i.inputs.some((x) => quiet.includes(x)))).toEqual([]);
    // mitmproxy.org was opened from Google: the navigation carries 'Referer: https://www.google.com/',
    // which names the previous site only (origin-only), so it is not a URL leak.
    const chrome = harEntries('mitmproxy__chrome.har');
    expect(header(chrome[0], 'referer')).toBe('https://www.google.com/');
  });

  it('pagexray HAR: the page URL went to Google Analytics (dl) and to third parties as Referer; the GA client ids are identifiers', () => {
    const file = 'pagexray__assa-chrome-har-3pages.har';
    const entries = harEntries(file);
    const page = 'https://www.assa.se/sv/site/assa/';
    // Expected from the HAR alone: every request to another registrable domain that carries the page in its query
    // (dl, u) or as Referer; one leak per request, the query string first (it is read before the headers).
    const expected: Array<[number, string]> = [];
    const cids = new Set<string>();
    entries.forEach((e, i) => {
      const u = new URL(e.request.url);
      if (party(u.hostname) === 'assa.se') return;
      const cid = u.searchParams.get('cid');
      if (cid !== null) cids.add(cid);
      if (u.searchParams.get('dl') === page) expected.push([i, 'query:dl']);
      else if (u.searchParams.get('u') === page) expected.push([i, 'query:u']);
      else if (header(e, 'referer') === page) expected.push([i, 'header:referer']);
    });
    // The HAR must hold what the checks below compare against, or they would pass on nothing.
    expect(expected.length).toBeGreaterThan(0);
    expect(cids.size).toBe(3);
    const urlLeaks = doc.leaks.filter((l) => l.input === file && l.kind === 'url');
    expect(urlLeaks.map((l) => [l.entry, l.chain]).sort()).toEqual(expected.sort());
    for (const l of urlLeaks) expect(l.value).toBe(page);
    // The site's parent company's host is a third party by registrable domain (not in the tracker list).
    expect(urlLeaks.some((l) => l.destination.host === 'ow-shadow.assaabloy.com')).toBe(true);

    // Three page loads, three fresh GA client ids (cid): each an identifier, none persistent.
    const ids = doc.identifiers.filter((i) => i.inputs.includes(file));
    expect(new Set(ids.map((i) => i.value))).toEqual(cids);
    for (const i of ids) expect(i).toMatchObject({ kind: 'client_id', scope: 'device', persistent: false });
    // Every request that sent a cid to a listed tracker is an identifier leak.
    const idLeaks = doc.leaks.filter((l) => l.input === file && l.kind === 'identifier');
    const withCid = entries.map((e, i) => [i, new URL(e.request.url)] as const).filter(([, u]) => u.searchParams.has('cid')).map(([i]) => i);
    expect(idLeaks.map((l) => l.entry).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(withCid);
    for (const l of idLeaks) expect(['analytics', 'advertising']).toContain(l.destination.category);
  });

  it('pcapplusplus capture: the ynet pages went to the third parties the browser fetched from them', () => {
    const file = 'pcapplusplus__example.pcap';
    const truth = JSON.parse(readFileSync(join(CORPUS, `${file}.truth.json`), 'utf8')) as { http_requests: Array<{ frame: number; host: string; uri: string }> };
    const requested = new Set(truth.http_requests.map((r) => `${r.host}${r.uri}`.replace(/\/+$/, '')));
    const byFrame = new Map(truth.http_requests.map((r) => [r.frame, r]));
    // The truth file lists the first 300 requests only.
    const lastTruthFrame = Math.max(...byFrame.keys());
    const leaks = doc.leaks.filter((l) => l.input === file);
    expect(leaks.length).toBeGreaterThan(10);
    for (const l of leaks) {
      // Only URLs here: every leaked URL is one the capture shows the browser requesting, or one that was in a payload.
      expect(['url', 'third-party-url']).toContain(l.kind);
      if (l.kind === 'url') expect(requested.has(target(l.value))).toBe(true);
      // Each leak points at a real request of tshark's list.
      if ((l.frame as number) <= lastTruthFrame) expect(byFrame.get(l.frame as number)?.host).toBe(l.destination.host);
    }
    // The front page went to Google Analytics as the Referer of the tracking request.
    expect(leaks).toContainEqual(expect.objectContaining({
      kind: 'url', value: 'http://www.ynet.co.il/home/0,7340,L-8,00.html', chain: 'header:referer',
      destination: expect.objectContaining({ host: 'www.google-analytics.com', category: 'analytics' }),
    }));
    // No identifiers in this traffic (cookies are session ids and ad ids the rules do not name).
    expect(doc.identifiers.filter((i) => i.inputs.includes(file))).toEqual([]);
  });

  it('labels nothing without mode labels, and counts only what it saw', () => {
    expect(doc.comparison.labelled).toBe(false);
    expect(Object.keys(doc.comparison.modes)).toEqual(['unlabelled']);
    const u = doc.comparison.modes.unlabelled;
    expect(u.pagesLeaked).toBeLessThanOrEqual(u.pagesVisited);
    // HAR files have no client address: each is a device of its own unless identifiers tie them together.
    expect(doc.devices.filter((d) => d.label.startsWith('HAR client')).length).toBe(6);
  });
});
