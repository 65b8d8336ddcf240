import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportJson } from '../../../electron/engine/export/json-export.ts';
import { EXPORT_OBSERVATIONS_PER_IDENTIFIER } from '../../../electron/engine/export/findings-export.ts';
import { runAnalysis } from '../../../electron/engine/findings/analysis.ts';
import { setModeLabels } from '../../../electron/engine/findings/modes.ts';
import { tempDir } from '../store/records-fixture.ts';
import { buildCase, request, testEnricher } from './fixture.ts';

const FINDINGS_KEYS = ['destinations', 'identifiers', 'devices', 'accounts', 'pages', 'leaks', 'modes', 'comparison', 'databases', 'analysis'];

describe('JSON export of findings', () => {
  it('has empty findings sections before any analysis', async () => {
    const store = buildCase({ inputs: ['a.pcap'], http: [request({ at: 1, url: 'http://www.newssite.com/' })] });
    const out = join(tempDir(), 'x.json');
    const r = await exportJson(store, out);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const keys = Object.keys(doc);
    // After the record sections, before counts, in this order.
    expect(keys.slice(keys.indexOf('anomalies') + 1)).toEqual([...FINDINGS_KEYS, 'counts']);
    for (const k of ['destinations', 'identifiers', 'devices', 'accounts', 'pages', 'leaks', 'modes', 'databases']) expect(doc[k]).toEqual([]);
    expect(doc.comparison).toBeNull();
    expect(doc.analysis).toBeNull();
    expect(r.counts).toMatchObject({ destinations: 0, identifiers: 0, leaks: 0 });
    store.close();
  });

  it('caps observations per identifier and gives the full count; leaks carry their evidence pointer', async () => {
    const n = EXPORT_OBSERVATIONS_PER_IDENTIFIER + 5;
    const http = Array.from({ length: n }, (_, i) => request({ at: i + 1, url: `http://collect.trackco.org/p?device_id=AB12CD34EF56&i=${i}`, input: 1 }));
    http.push(request({ at: 100, url: 'https://collect.trackco.org/h?device_id=AB12CD34EF56', source: 'har', entry: 4, input: 2 }));
    const store = buildCase({ inputs: ['a.pcap', 'b.har'], http });
    setModeLabels(store.db, [{ mode: 'incognito', input: 'b.har' }]);
    await runAnalysis(store, { enricher: testEnricher() });
    const out = join(tempDir(), 'x.json');
    const r = await exportJson(store, out);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const [id] = doc.identifiers;
    expect(id).toMatchObject({ value: 'AB12CD34EF56', kind: 'device_id', scope: 'device', count: n + 1, requests: n + 1, observationsShown: EXPORT_OBSERVATIONS_PER_IDENTIFIER });
    expect(id.observations).toHaveLength(EXPORT_OBSERVATIONS_PER_IDENTIFIER);
    expect(id.observations[0]).toEqual({
      ts: '2020-04-21T09:00:01.000000Z', input: 'a.pcap', frame: 11, key: 'device_id', chain: 'query:device_id', where: 'query',
      destination: { host: 'collect.trackco.org', ip: '203.0.113.10' }, mode: 'unlabelled',
    });
    // A HAR leak points at its entry, with the HAR's own time precision.
    const har = doc.leaks.find((l: { input: string }) => l.input === 'b.har');
    expect(har).toMatchObject({ kind: 'identifier', value: 'AB12CD34EF56', entry: 4, mode: 'incognito', ts: '2020-04-21T09:01:40.000000Z' });
    expect(har.frame).toBeUndefined();
    expect(doc.modes).toEqual([{ mode: 'incognito', input: 'b.har', inputs: ['b.har'], from: null, to: null }]);
    expect(doc.analysis).toMatchObject({ counts: { leaks: n + 1 }, unmatchedLabels: [] });
    expect(r.counts).toMatchObject({ identifiers: 1, leaks: n + 1 });
    store.close();
  });
});
