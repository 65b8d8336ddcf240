/**
 * The findings part of the API on the phone scenario (tools/synth/scenario-phone.ts):
 * both sessions imported for real, labelled through the API, the analysis re-run on
 * its worker, and every answer checked against what the generator planted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventPayload } from '../../../shared/api.ts';
import { ApiFailure } from '../../../shared/api.ts';
import type { DecodeTreeNode } from '../../../shared/model.ts';
import { CaseEngine } from '../../../electron/engine/api/case-engine.ts';
import { ANALYTICS, IDS, PHONE, PLANTED, writeScenarioPcapng } from '../../../tools/synth/scenario-phone.ts';

let dir: string;
let engine: CaseEngine;
const changes: Array<ApiEventPayload<'case.changed'>> = [];
let normalInput = 0;
let incognitoInput = 0;

function paths(node: DecodeTreeNode): string[] {
  return [node.path, ...node.children.flatMap(paths)];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-findings-api-'));
  const normal = writeScenarioPcapng(dir, 'normal');
  const incognito = writeScenarioPcapng(dir, 'incognito');
  engine = new CaseEngine({
    emit: (event, payload) => {
      if (event === 'case.changed') changes.push(payload as ApiEventPayload<'case.changed'>);
    },
    casesDir: dir,
  });
  engine.createCase(null);
  engine.startImport([{ path: normal }, { path: incognito }]);
  await engine.idle();
  const inputs = engine.caseInfo().inputs;
  normalInput = inputs.find((i) => i.path === normal)?.id ?? 0;
  incognitoInput = inputs.find((i) => i.path === incognito)?.id ?? 0;
  const api = engine.api();
  await api['modes.set']({ mode: 'normal', input: normalInput });
  await api['modes.set']({ mode: 'incognito', input: incognitoInput });
  await engine.idle();
});

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('after import and labelling', () => {
  it('reports findings as available, with the labels on the inputs', () => {
    const info = engine.caseInfo();
    expect(info.features.findings).toBe(true);
    expect(info.analysing).toBe(false);
    expect(info.inputs.map((i) => [i.id, i.mode])).toEqual([[normalInput, 'normal'], [incognitoInput, 'incognito']]);
    expect(changes.filter((c) => c.reason === 'labelled').length).toBeGreaterThanOrEqual(1);
  });

  it('lists every planted URL and search as leaked, per mode, with its chain and receiver', async () => {
    for (const mode of ['normal', 'incognito'] as const) {
      const leaks = (await engine.api()['leaks.list']({ mode, limit: 5000 })).rows;
      // Over TLS the capture shows no page loads, so the URLs count as third-party URLs.
      const urls = leaks.filter((l) => l.kind === 'url' || l.kind === 'third-party-url');
      for (const url of PLANTED.leakedUrls[mode]) {
        const leak = urls.find((l) => l.value === url);
        expect(leak, `${mode} ${url}`).toBeDefined();
        expect(leak?.destination.host).toBe(ANALYTICS.host);
        expect(leak?.destination.ip).toBe(ANALYTICS.ip);
        expect(leak?.mode).toBe(mode);
        expect(leak?.chain.startsWith('form:data_list → base64 → gzip → json:')).toBe(true);
      }
      const searches = leaks.filter((l) => l.kind === 'search').map((l) => l.value);
      for (const word of PLANTED.leakedSearches[mode]) expect(searches, `${mode} ${word}`).toContain(word);
    }
  });

  it('shows the receiver with its country and leak count, consistent with the leaks', async () => {
    const api = engine.api();
    const dest = (await api['destinations.list']({ search: ANALYTICS.host, limit: 10 })).rows.find((d) => d.ips.includes(ANALYTICS.ip));
    expect(dest).toBeDefined();
    const leaks = await api['leaks.list']({ host: ANALYTICS.host, limit: 5000 });
    expect(dest?.leaks).toBe(leaks.total);
    expect(dest?.country).toBe(leaks.rows[0]?.destination.country);
    expect(dest?.countryName).toBe(new Intl.DisplayNames(['en'], { type: 'region' }).of(dest?.country ?? ''));
    const byCountry = (await api['destinations.list']({ country: dest?.country ?? '', limit: 5000 })).rows;
    expect(byCountry.every((d) => d.country === dest?.country)).toBe(true);
  });

  it('links the phone, its identifiers and the account', async () => {
    const api = engine.api();
    const ids = (await api['identifiers.list']({ limit: 5000 })).rows;
    const android = ids.find((i) => i.value === IDS.androidId);
    expect(android?.modes.sort()).toEqual(['incognito', 'normal']);
    const device = (await api['devices.list']({ limit: 100 })).rows.find((d) => d.macs.includes(PHONE.mac));
    expect(device?.hostnames).toContain(PHONE.hostName);
    const account = (await api['accounts.list']({ search: IDS.account })).rows[0];
    expect(account?.identifiers.map((i) => i.value)).toContain(IDS.account);
    expect(account?.devices).toContain(device?.id);

    const links = await api['entities.links']({ entity: 'identifier', id: android?.id ?? 0, limit: 5000 });
    expect(links.total).toBe(android?.requests);
    expect(android?.observations).toBeGreaterThanOrEqual(android?.requests ?? Infinity);
    expect(links.rows.every((l) => l.host === ANALYTICS.host && l.identifier?.value === IDS.androidId)).toBe(true);
    const accountLinks = await api['entities.links']({ entity: 'account', id: account?.id ?? 0 });
    expect(accountLinks.total).toBeGreaterThan(0);
    expect(accountLinks.rows.every((l) => l.host === ANALYTICS.host)).toBe(true);
    const deviceLinks = await api['entities.links']({ entity: 'device', id: device?.id ?? 0 });
    expect(deviceLinks.rows.map((l) => l.identifier?.value)).toContain(IDS.androidId);
  });

  it('compares the modes: the same identifiers in both', async () => {
    const c = await engine.api()['compare.get']();
    expect(c.modes.map((m) => m.mode)).toEqual(['incognito', 'normal']);
    for (const m of c.modes) expect(m.pagesLeaked).toBeGreaterThanOrEqual(PLANTED.leakedUrls[m.mode].length);
    expect(c.sharedIdentifiers.map((i) => i.value)).toEqual(expect.arrayContaining([IDS.androidId, IDS.uuid]));
    expect(c.sharedDestinations).toContain(ANALYTICS.host);
  });

  it('writes the findings as sentences in the overview', () => {
    const ov = engine.overview();
    const sentence = ov.findings?.find((f) => f.text.includes(ANALYTICS.host) && f.text.includes('URL'));
    expect(sentence?.text).toMatch(/incognito mode/);
    expect(sentence?.evidence).toEqual({ kind: 'http', host: ANALYTICS.host });
    expect(ov.countries?.some((c) => c.leaks > 0)).toBe(true);
    expect(ov.devices?.some((d) => d.macs.includes(PHONE.mac))).toBe(true);
  });

  it('puts leaks and the labelled windows on the timeline', async () => {
    const tl = engine.timeline({});
    const leaks = await engine.api()['leaks.list']({ limit: 1 });
    expect(tl.buckets.reduce((a, b) => a + b.leaks, 0)).toBe(leaks.total);
    expect(tl.modes?.map((m) => [m.mode, m.input]).sort()).toEqual([['incognito', incognitoInput], ['normal', normalInput]]);
    const receiver = tl.destinations.find((l) => l.key === ANALYTICS.host);
    expect(receiver?.events.some((e) => e.kind === 'leak')).toBe(true);
    // Each leak mark opens the HTTP exchange its value was found in.
    const leakRows = (await engine.api()['leaks.list']({ limit: 5000 })).rows;
    for (const e of receiver?.events.filter((x) => x.kind === 'leak') ?? []) {
      const row = leakRows.find((l) => l.id === e.id);
      expect(e.evidence).toEqual({ kind: 'http', id: row?.httpId });
    }
  });

  it('highlights the leaked values in the request they were found in', async () => {
    const leak = (await engine.api()['leaks.list']({ mode: 'incognito', limit: 5000 })).rows.find((l) => l.value === PLANTED.leakedUrls.incognito[0]);
    expect(leak).toBeDefined();
    const detail = engine.evidence('http', leak?.httpId ?? 0);
    expect(detail.http?.highlights.map((h) => h.value)).toContain(leak?.value);
    const tree = detail.http?.requestDecode?.root;
    expect(tree === undefined ? [] : paths(tree)).toContain(leak?.chain);
  });
});

describe('changing labels', () => {
  it('refuses a label on an input that does not exist', async () => {
    await expect(engine.api()['modes.set']({ mode: 'normal', input: 999 })).rejects.toMatchObject({ code: 'invalid-params' });
    await expect(engine.api()['modes.remove']({ id: 999 })).rejects.toBeInstanceOf(ApiFailure);
  });

  it('re-runs the analysis when a label is removed', async () => {
    const api = engine.api();
    const label = (await api['modes.list']()).find((l) => l.input === incognitoInput);
    const before = changes.length;
    const labels = await api['modes.remove']({ id: label?.id ?? 0 });
    expect(labels.map((l) => l.input)).toEqual([normalInput]);
    expect(engine.caseInfo().analysing).toBe(true);
    await engine.idle();
    expect(changes.slice(before).map((c) => c.reason)).toContain('labelled');
    expect((await api['leaks.list']({ mode: 'incognito' })).total).toBe(0);
    expect((await api['leaks.list']({ mode: 'normal' })).total).toBeGreaterThan(0);
    // Nothing is labelled incognito any more: the comparison has no incognito column.
    expect((await api['compare.get']()).modes.map((m) => m.mode)).toEqual(['normal']);
  });
});
