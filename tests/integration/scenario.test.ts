/**
 * The findings scenario end to end, through the CLI: a phone browser whose analytics
 * SDK reports every page and search (tools/synth/scenario-phone.ts), in normal and in
 * incognito mode, as pcapng and as HAR. What must be found is what the generator
 * planted (PLANTED, IDS, ANALYTICS, SESSIONS); where it is in the capture is read from
 * the dissected HTTP records of the same export, not from the findings code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnricher } from '../../electron/engine/enrich/enricher.ts';
import { ANALYTICS, IDS, PHONE, PLANTED, SESSIONS, writePhoneScenario } from '../../tools/synth/scenario-phone.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/telltale.js');
type Mode = 'normal' | 'incognito';
const MODES: Mode[] = ['normal', 'incognito'];

interface Leak {
  ts: string; kind: string; value: string; chain: string; excerpt: string; mode: string; input: string; frame?: number; entry?: number;
  destination: { host: string; ip: string; country: string; whoisCountry: string; asn: number; org: string; category: string; operator: string };
}
interface Http { method: string; host: string; uri: string; input: string; frame?: number; entry?: number; ts: string }
interface Doc {
  http: Http[];
  leaks: Leak[];
  identifiers: Array<{ value: string; kind: string; scope: string; modes: string[]; inputs: string[]; persistent: boolean; persistence: string[]; count: number; observations: unknown[] }>;
  devices: Array<{ id: number; label: string; macs: string[]; ips: string[]; names: Array<{ name: string; source: string; vendorClass: string | null }>; model: string | null; os: string | null; osVersion: string | null; identifiers: Array<{ value: string; kind: string }>; accounts: number[] }>;
  accounts: Array<{ id: number; label: string; identifiers: Array<{ value: string; kind: string }>; devices: Array<{ device: number; requests: number; linkingRequests: Array<{ input: string; frame?: number; entry?: number }> }> }>;
  destinations: Array<{ ip: string; names: string[]; country: string | null; whoisCountry: string | null; asn: number | null; org: string | null; category: string | null; operator: string | null; scope: string; requests: number; leaks: number }>;
  comparison: { labelled: boolean; modes: Record<string, { pagesVisited: number; pagesLeaked: number; leakRatio: number; countries: string[]; operators: string[]; identifiers: Array<{ value: string }> }>; shared: { identifiers: Array<{ value: string; modes: string[] }>; destinations: Array<{ host: string; modes: string[] }> } };
  databases: Array<{ name: string; date: string | null; version: string | null }>;
  modes: Array<{ mode: string; input: string | null; from: string | null; to: string | null }>;
  counts: Record<string, number>;
}

let dir: string;
let files: ReturnType<typeof writePhoneScenario>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-scenario-'));
  files = writePhoneScenario(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function analyze(name: string, args: string[]): { doc: Doc; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, 'analyze', ...args, '--case', `${name}.db`, '--json', `${name}.json`, '--quiet'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { doc: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Doc, stdout: r.stdout };
}

/** The analytics POSTs of one input, in time order (the i-th reports the i-th visit). */
function analyticsPosts(doc: Doc, input: string): Http[] {
  return doc.http.filter((h) => h.input === input && h.method === 'POST' && h.host === ANALYTICS.host && h.uri === ANALYTICS.path)
    .sort((a, b) => a.ts.localeCompare(b.ts));
}

function pointerOf(x: { frame?: number; entry?: number }): number | undefined {
  return x.frame ?? x.entry;
}

/** Every planted URL and search word is a leak with the planted chain, in the right request, mode and destination. */
function expectPlantedLeaks(doc: Doc, inputOf: (m: Mode) => string): void {
  for (const mode of MODES) {
    const input = inputOf(mode);
    const posts = analyticsPosts(doc, input);
    expect(posts).toHaveLength(SESSIONS[mode].visits.length);
    SESSIONS[mode].visits.forEach((v, i) => {
      const post = posts[i];
      const urlLeaks = doc.leaks.filter((l) => l.value === v.url && l.input === input && (l.kind === 'url' || l.kind === 'third-party-url'));
      expect(urlLeaks, `${mode} ${v.url}`).toHaveLength(1);
      expect(urlLeaks[0]).toMatchObject({ chain: PLANTED.chainToUrl, mode, ts: post.ts, excerpt: v.url });
      expect(pointerOf(urlLeaks[0])).toBe(pointerOf(post));
      if (v.search) {
        const s = doc.leaks.filter((l) => l.kind === 'search' && l.value === v.search && l.input === input);
        expect(s, `${mode} ${v.search}`).toHaveLength(1);
        expect(s[0]).toMatchObject({ chain: PLANTED.chainToSearch, mode });
        expect(pointerOf(s[0])).toBe(pointerOf(post));
      }
    });
    const planted = new Set([...PLANTED.leakedUrls[mode], ...PLANTED.leakedSearches[mode]]);
    const found = new Set(doc.leaks.filter((l) => l.input === input && l.kind !== 'identifier').map((l) => l.value));
    expect(found).toEqual(planted);
  }
  // Everything leaked went to the analytics server, as the offline databases describe it.
  const geo = createEnricher().describeIp(ANALYTICS.ip);
  expect(geo).toMatchObject({ country: 'SG', whoisCountry: 'SG', scope: 'public' });
  expect(geo?.org).toMatch(/Alibaba/);
  for (const l of doc.leaks) {
    expect(l.destination).toEqual({
      host: ANALYTICS.host, ip: ANALYTICS.ip, domain: 'miui.com', country: geo?.country, whoisCountry: geo?.whoisCountry, asn: geo?.asn, org: geo?.org,
      category: 'vendor-telemetry', operator: 'Xiaomi Corporation',
    });
  }
}

/** The identifiers were sent in both modes, unchanged, by key. */
function expectPersistentIdentifiers(doc: Doc): void {
  const byValue = new Map(doc.identifiers.map((i) => [i.value, i]));
  expect(byValue.get(IDS.androidId)).toMatchObject({ kind: 'android_id', scope: 'device', modes: ['incognito', 'normal'], persistent: true });
  expect(byValue.get(IDS.uuid)).toMatchObject({ kind: 'uuid', scope: 'device', modes: ['incognito', 'normal'], persistent: true });
  expect(byValue.get(IDS.account)).toMatchObject({ scope: 'account', modes: ['incognito', 'normal'], persistent: true });
  expect(byValue.get(IDS.accountId)).toMatchObject({ scope: 'account', modes: ['incognito', 'normal'], persistent: true });
  expect(byValue.get(IDS.androidId)?.persistence).toContain('modes');
  // Nothing else in the payloads is an identifier (timestamps, flags, the model name, the CRC).
  expect([...byValue.keys()].sort()).toEqual([IDS.androidId, IDS.uuid, IDS.account, IDS.accountId].sort());
}

/** Pages visited and leaked per mode, and what both modes share. */
function expectComparison(doc: Doc): void {
  const c = doc.comparison;
  expect(c.labelled).toBe(true);
  for (const mode of MODES) {
    const n = SESSIONS[mode].visits.length;
    expect(c.modes[mode]).toMatchObject({ pagesVisited: n, pagesLeaked: n, leakRatio: 1, countries: ['SG'], operators: ['Xiaomi Corporation'] });
    expect(c.modes[mode].identifiers.map((i) => i.value).sort()).toEqual(Object.values(IDS).sort());
  }
  expect(c.modes.unlabelled).toBeUndefined();
  expect(c.shared.identifiers.map((i) => i.value).sort()).toEqual(Object.values(IDS).sort());
  expect(c.shared.destinations).toEqual([{ host: ANALYTICS.host, country: 'SG', operator: 'Xiaomi Corporation', modes: ['incognito', 'normal'] }]);
}

/** One account (the account name and its numeric id), linked to `deviceId` by every analytics request. */
function expectAccount(doc: Doc, deviceId: number, linking: Array<{ input: string; pointer: number | undefined }>): void {
  expect(doc.accounts).toHaveLength(1);
  const [a] = doc.accounts;
  expect(a.identifiers.map((i) => i.value).sort()).toEqual([IDS.account, IDS.accountId].sort());
  expect(a.devices).toHaveLength(1);
  expect(a.devices[0]).toMatchObject({ device: deviceId, requests: linking.length });
  expect(a.devices[0].linkingRequests.map((e) => ({ input: e.input, pointer: pointerOf(e) }))).toEqual(linking);
}

describe('phone scenario', () => {
  it('pcapng: finds every planted leak with its frame, the device by MAC, DHCP name and model, and the linked account', () => {
    const { doc, stdout } = analyze('pcapng', [files.normalPcapng, files.incognitoPcapng, '--mode', 'incognito:phone-incognito.pcapng', '--mode', `normal:${files.normalPcapng}`]);
    expect(stdout).toMatch(/normal: 3\/3 pages leaked/);
    expect(stdout).toMatch(/incognito: 2\/2 pages leaked/);
    expectPlantedLeaks(doc, (m) => `phone-${m}.pcapng`);
    expectPersistentIdentifiers(doc);
    expectComparison(doc);

    expect(doc.devices).toHaveLength(1);
    const [d] = doc.devices;
    expect(d).toMatchObject({ label: PHONE.model, macs: [PHONE.mac], ips: [PHONE.ip], model: PHONE.model, os: 'android', osVersion: '11' });
    expect(d.names).toContainEqual(expect.objectContaining({ name: PHONE.hostName, source: 'dhcp', vendorClass: PHONE.vendorClass }));
    expect(d.identifiers.map((i) => i.value).sort()).toEqual(Object.values(IDS).sort());
    const linking = MODES.flatMap((m) => analyticsPosts(doc, `phone-${m}.pcapng`).map((p) => ({ input: p.input, pointer: pointerOf(p) })));
    expectAccount(doc, d.id, linking);

    const dest = doc.destinations.find((x) => x.ip === ANALYTICS.ip);
    expect(dest).toMatchObject({ names: [ANALYTICS.host], country: 'SG', category: 'vendor-telemetry', operator: 'Xiaomi Corporation', scope: 'public', requests: 5 });
    // The home network never gets a country, whatever a database says.
    expect(doc.destinations.find((x) => x.ip === '192.168.1.1')).toMatchObject({ scope: 'private', country: null, whoisCountry: null, asn: null });
    expect(doc.databases.map((x) => x.name).join(' ')).toMatch(/DB-IP/);
    for (const db of doc.databases) expect(db.date ?? db.version).not.toBeNull();
  });

  it('HAR: finds the same leaks with their entries, one device from both files, the same account', () => {
    const { doc } = analyze('har', [files.normalHar, files.incognitoHar, '--mode', 'incognito:phone-incognito.har', '--mode', 'normal:phone-normal.har']);
    expectPlantedLeaks(doc, (m) => `phone-${m}.har`);
    // In the HAR the pages are visible, so the URLs are leaks of visited pages.
    expect(new Set(doc.leaks.filter((l) => l.value.startsWith('https://')).map((l) => l.kind))).toEqual(new Set(['url']));
    expectPersistentIdentifiers(doc);
    expectComparison(doc);
    // Two HAR files, one phone: they share its Android ID.
    expect(doc.devices).toHaveLength(1);
    expect(doc.devices[0]).toMatchObject({ model: PHONE.model, os: 'android', macs: [] });
    const linking = MODES.flatMap((m) => analyticsPosts(doc, `phone-${m}.har`).map((p) => ({ input: p.input, pointer: pointerOf(p) })));
    expect(linking.map((l) => l.pointer)).toEqual([1, 3, 5, 1, 3]);
    expectAccount(doc, doc.devices[0].id, linking);
  });

  it('time windows over all four files: the modes come from the clock, the numbers stay right', () => {
    const { doc } = analyze('windows', [files.normalPcapng, files.incognitoPcapng, files.normalHar, files.incognitoHar,
      '--mode', 'normal:2020-04-21T09:00:00Z/2020-04-21T09:15:00Z', '--mode', 'incognito:2020-04-21T09:29:00Z/2020-04-21T10:00:00Z']);
    expect(doc.modes).toEqual([
      { mode: 'normal', input: null, inputs: [], from: '2020-04-21T09:00:00.000000000Z', to: '2020-04-21T09:15:00.000000000Z' },
      { mode: 'incognito', input: null, inputs: [], from: '2020-04-21T09:29:00.000000000Z', to: '2020-04-21T10:00:00.000000000Z' },
    ]);
    for (const l of doc.leaks) expect(l.mode).toBe(l.ts < '2020-04-21T09:29' ? 'normal' : 'incognito');
    expectPlantedLeaks(doc, (m) => `phone-${m}.pcapng`);
    expectPlantedLeaks(doc, (m) => `phone-${m}.har`);
    expectComparison(doc);
    expect(doc.devices).toHaveLength(1);
    expect(doc.devices[0]).toMatchObject({ macs: [PHONE.mac], model: PHONE.model });
  });

  it('a watch list makes the planted values watch leaks even where the pages themselves are not visible', () => {
    writeFileSync(join(dir, 'watch.txt'), `# planted\n${PLANTED.leakedUrls.normal.join('\n')}\n${PLANTED.leakedSearches.normal.join('\n')}\n`);
    const { doc } = analyze('watch', [files.normalPcapng, '--watch', 'watch.txt', '--mode', 'normal:phone-normal.pcapng']);
    const watched = doc.leaks.filter((l) => l.kind === 'watch');
    expect(new Set(watched.map((l) => l.value))).toEqual(new Set([...PLANTED.leakedUrls.normal, ...PLANTED.leakedSearches.normal]));
    for (const l of watched) {
      expect(l.chain).toBe(l.value.startsWith('https://') ? PLANTED.chainToUrl : PLANTED.chainToSearch);
    }
  });

  it('refuses bad --mode and --watch values before creating anything, and warns about labels that name no input', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'analyze', files.normalPcapng, '--case', 'bad.db', '--quiet', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    const badMode = run(['--mode', 'private:phone-normal.pcapng']);
    expect(badMode.status).toBe(1);
    expect(badMode.stderr).toMatch(/mode must be one of incognito, normal/);
    const badWindow = run(['--mode', 'normal:2020-04-21T10:00:00Z/2020-04-21T09:00:00Z']);
    expect(badWindow.status).toBe(1);
    expect(badWindow.stderr).toMatch(/ends before it starts/);
    const noWatch = run(['--watch', 'missing.txt']);
    expect(noWatch.status).toBe(1);
    expect(noWatch.stderr).toMatch(/--watch missing.txt: no such file/);
    expect(() => readFileSync(join(dir, 'bad.db'))).toThrow();
    const unknown = run(['--mode', 'incognito:other.pcapng']);
    expect(unknown.status).toBe(0);
    expect(unknown.stderr).toMatch(/--mode incognito:other.pcapng names no input/);
    expect(unknown.stdout).toMatch(/mode labels that named no input: incognito:other.pcapng/);
  });
});
