import { describe, expect, it } from 'vitest';
import type { BrowsingMode, Comparison, LeakRow, ModeComparison } from '../../../../shared/model.ts';
import {
  chartData,
  keyFinding,
  leakDestinations,
  leakRatio,
  leakedPages,
  metricRows,
  onlyLabelledModes,
  pickModes,
  splitSets,
} from '../../../../renderer/src/features/compare/comparison.ts';

function mode(m: BrowsingMode, fields: Partial<ModeComparison>): ModeComparison {
  return { mode: m, pagesVisited: 0, pagesLeaked: 0, leakRatio: 0, destinations: 0, countries: [], operators: [], identifiers: 0, bytesUp: 0, ...fields };
}

// The findings scenario (tools/synth/scenario-phone.ts): 3 normal visits, 2 incognito, all leaked
// to the analytics host with the same Android ID and UUID.
const COMPARISON: Comparison = {
  modes: [
    mode('normal', { pagesVisited: 3, pagesLeaked: 3, leakRatio: 1, destinations: 4, countries: ['SG', 'US', 'GB'], operators: ['Alibaba', 'Fastly', 'Google'], identifiers: 4, bytesUp: 12_000 }),
    mode('incognito', { pagesVisited: 2, pagesLeaked: 2, leakRatio: 1, destinations: 3, countries: ['SG', 'US', 'DE'], operators: ['Alibaba', 'Google', 'IONOS'], identifiers: 4, bytesUp: 8_000 }),
  ],
  sharedIdentifiers: [
    { type: 'android_id', value: '9774d56d682e549c' },
    { type: 'uuid', value: '5f1c3e9a-8b2d-4c7e-9f3a-2d6b8e4c1a07' },
  ],
  sharedDestinations: ['tracking.intl.miui.com', 'www.google.com'],
};

let nextId = 1;
function leak(m: BrowsingMode | null, kind: string, value: string, tsMs: number, host = 'tracking.intl.miui.com', httpId: number | null = 100 + nextId): LeakRow {
  return {
    id: nextId++,
    input: 1,
    frame: 10,
    entry: null,
    ts: new Date(tsMs).toISOString(),
    tsMs,
    kind,
    value,
    chain: 'form:data_list → base64 → gzip → json:$[0].properties.url',
    excerpt: null,
    destination: { host, ip: '8.219.136.23', country: 'SG', org: 'Alibaba', category: 'analytics' },
    mode: m,
    httpId,
  };
}

describe('metric rows', () => {
  it('lines up both modes per metric, counting countries and operators', () => {
    const rows = metricRows(COMPARISON);
    const by = Object.fromEntries(rows.map((r) => [r.key, [r.normal, r.incognito]]));
    expect(by).toEqual({
      pagesVisited: [3, 2],
      pagesLeaked: [3, 2],
      leakRatio: [1, 1],
      destinations: [4, 3],
      countries: [3, 3],
      operators: [3, 3],
      identifiers: [4, 4],
      bytesUp: [12_000, 8_000],
    });
  });

  it('leaves a mode with no label empty rather than zero', () => {
    const rows = metricRows({ ...COMPARISON, modes: [COMPARISON.modes[1]] });
    expect(rows.every((r) => r.normal === null && r.incognito !== null)).toBe(true);
    expect(pickModes({ ...COMPARISON, modes: [] })).toEqual({ incognito: null, normal: null });
  });

  it('drops a mode nothing is labelled as, so its zeros do not read as "no leak"', () => {
    const labels = [{ id: 1, mode: 'incognito' as const, input: 2, span: null }];
    const shown = onlyLabelledModes(COMPARISON, labels);
    expect(shown.modes.map((m) => m.mode)).toEqual(['incognito']);
    expect(shown.sharedIdentifiers).toBe(COMPARISON.sharedIdentifiers);
    expect(onlyLabelledModes(COMPARISON, [...labels, { id: 2, mode: 'normal', input: 1, span: null }]).modes).toHaveLength(2);
  });

  it('recomputes the ratio from the counts, and reads a percentage as one', () => {
    expect(leakRatio(mode('normal', { pagesVisited: 4, pagesLeaked: 1, leakRatio: 25 }))).toBe(0.25);
    expect(leakRatio(mode('normal', { pagesVisited: 0, leakRatio: 40 }))).toBe(0.4);
    expect(leakRatio(mode('normal', { pagesVisited: 0, leakRatio: 0.4 }))).toBe(0.4);
  });

  it('shapes chart data per format, ratios as percentages', () => {
    const rows = metricRows(COMPARISON);
    expect(chartData(rows, 'ratio')).toEqual([{ label: 'Share of pages leaked', incognito: 100, normal: 100 }]);
    expect(chartData(rows, 'bytes')).toEqual([{ label: 'Bytes sent', incognito: 8000, normal: 12_000 }]);
    expect(chartData(rows, 'count').map((d) => d.label)).toEqual(['Pages visited', 'Pages leaked', 'Destinations', 'Countries', 'Operators', 'Identifiers sent']);
  });
});

describe('what is common to both modes', () => {
  it('splits two lists into both, only incognito and only normal', () => {
    const { incognito, normal } = pickModes(COMPARISON);
    expect(splitSets(incognito?.countries ?? [], normal?.countries ?? [])).toEqual({ both: ['SG', 'US'], onlyIncognito: ['DE'], onlyNormal: ['GB'] });
  });

  it('states the finding with the figures of the comparison only', () => {
    expect(keyFinding(COMPARISON)).toBe(
      'In incognito mode, 2 of 2 visited pages were found in data sent out of the device (100%); in normal mode, 3 of 3 (100%). 2 identifiers were sent in both modes, so the private window did not separate the user from their normal browsing.',
    );
    expect(keyFinding({ ...COMPARISON, modes: [COMPARISON.modes[0]] })).toBeNull();
    const clean = { modes: [mode('incognito', { pagesVisited: 1 })], sharedIdentifiers: [], sharedDestinations: [] };
    expect(keyFinding(clean)).toBe('In incognito mode, no visited page was found in outgoing traffic (1 visited).');
  });
});

describe('leaked pages', () => {
  const leaks = [
    leak('incognito', 'url', 'https://www.aidshilfe.de/hiv-test', 2000),
    leak('incognito', 'search', 'hiv test anonymous', 1000),
    leak('incognito', 'url', 'https://www.aidshilfe.de/hiv-test', 1500, 'sa.api.example'),
    leak('incognito', 'identifier', '9774d56d682e549c', 900),
    leak('normal', 'url', 'https://www.bbc.com/news/world-europe-52345678', 500),
    leak(null, 'url', 'https://unlabelled.example/', 600),
  ];

  it('lists each page once per mode, first sending first, with every destination', () => {
    const pages = leakedPages(leaks, 'incognito');
    expect(pages.map((p) => [p.kind, p.value, p.times, p.firstMs, p.destinations])).toEqual([
      ['search', 'hiv test anonymous', 1, 1000, ['tracking.intl.miui.com']],
      ['url', 'https://www.aidshilfe.de/hiv-test', 2, 1500, ['sa.api.example', 'tracking.intl.miui.com']],
    ]);
    // The evidence link follows the earliest sending.
    expect(pages[1].leakId).toBe(leaks[2].id);
    expect(leakedPages(leaks, 'normal').map((p) => p.value)).toEqual(['https://www.bbc.com/news/world-europe-52345678']);
  });

  it('counts where each mode’s leaks went, identifiers included', () => {
    expect(leakDestinations(leaks, 'incognito').map((d) => [d.host, d.leaks])).toEqual([
      ['tracking.intl.miui.com', 3],
      ['sa.api.example', 1],
    ]);
  });
});
