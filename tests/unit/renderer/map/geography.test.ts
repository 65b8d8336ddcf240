import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Topology } from 'topojson-specification';
import type { DestinationRow } from '../../../../shared/model.ts';
import {
  aggregateDestinations,
  classOf,
  colorClasses,
  inferOrigin,
  legendEntries,
  metricValue,
  niceCeil,
  sortBy,
} from '../../../../renderer/src/features/map/geography.ts';
import { anchorsFor, countryShapes, curvedArc, fitProjection, pathGenerator } from '../../../../renderer/src/features/map/world.ts';

const require = createRequire(import.meta.url);
const topology = (file: string): Topology => JSON.parse(readFileSync(require.resolve(`world-atlas/${file}`), 'utf8')) as Topology;

function dest(host: string, fields: Partial<DestinationRow>): DestinationRow {
  return {
    host,
    registrableDomain: null,
    ips: [],
    country: null,
    countryName: null,
    asn: null,
    org: null,
    category: null,
    scope: null,
    requests: 0,
    bytesUp: 0,
    bytesDown: 0,
    leaks: 0,
    span: null,
    ...fields,
  };
}

// The findings scenario's shape: an analytics host in Singapore on Alibaba, sites in the US and Germany, a router.
const ROWS: DestinationRow[] = [
  dest('tracking.intl.miui.com', { country: 'SG', countryName: 'Singapore', asn: 45102, org: 'Alibaba', requests: 10, bytesUp: 9000, leaks: 7 }),
  dest('www.google.com', { country: 'US', asn: 15169, org: 'Google', requests: 3, bytesUp: 1500 }),
  dest('www.bbc.com', { country: 'us', asn: 54113, org: 'Fastly', requests: 1, bytesUp: 700 }),
  dest('www.aidshilfe.de', { country: 'DE', asn: 8560, org: 'IONOS', requests: 1, bytesUp: 600 }),
  dest('sg-cdn.example', { country: 'SG', asn: 45102, org: 'Alibaba', requests: 2, bytesUp: 100 }),
  dest('192.168.1.1', { scope: 'private', requests: 4 }),
  dest('224.0.0.251', { scope: 'multicast', requests: 9 }),
  dest('203.0.113.9', { requests: 1 }),
];

describe('aggregateDestinations', () => {
  const g = aggregateDestinations(ROWS);

  it('keeps private and reserved addresses off the map and apart from unlocated public ones', () => {
    expect(g.reserved.map((r) => r.host)).toEqual(['224.0.0.251', '192.168.1.1']);
    expect(g.unlocated.map((r) => r.host)).toEqual(['203.0.113.9']);
    expect(g.countries.map((c) => c.code)).toEqual(['SG', 'US', 'DE']);
  });

  it('totals each country, whatever the case of its code', () => {
    const sg = g.countries[0];
    expect(sg).toMatchObject({ code: 'SG', name: 'Singapore', hosts: 2, requests: 12, bytesUp: 9100, leaks: 7 });
    expect(sg.destinations.map((d) => d.host)).toEqual(['tracking.intl.miui.com', 'sg-cdn.example']);
    expect(sg.operators).toHaveLength(1);
    const us = g.countries[1];
    expect(us).toMatchObject({ hosts: 2, requests: 4, bytesUp: 2200 });
    expect(us.operators.map((o) => o.org)).toEqual(['Google', 'Fastly']);
  });

  it('totals operators across countries by ASN', () => {
    expect(g.operators[0]).toMatchObject({ key: 'AS45102', org: 'Alibaba', hosts: 2, requests: 12, leaks: 7, countries: ['SG'] });
    expect(g.operators.map((o) => o.key)).toEqual(['AS45102', 'AS15169', 'AS54113', 'AS8560']);
  });

  it('reads the chosen metric', () => {
    expect(metricValue(g.countries[0], 'requests')).toBe(12);
    expect(metricValue(g.countries[0], 'bytes')).toBe(9100);
    expect(metricValue(g.countries[0], 'leaks')).toBe(7);
  });
});

describe('choropleth classes', () => {
  it('rounds up to 1-2-5 numbers', () => {
    expect([0.3, 1, 3, 7, 12, 200, 201].map(niceCeil)).toEqual([0.5, 1, 5, 10, 20, 200, 500]);
    expect(niceCeil(0)).toBe(0);
  });

  it('spaces classes on a log scale ending at the maximum', () => {
    // 10000^(1/5..4/5) = 6.3, 40, 251, 1585 → nice 10, 50, 500, 2000; last = max.
    expect(colorClasses([3, 10_000, 40], 5).bounds).toEqual([10, 50, 500, 2000, 10_000]);
    expect(colorClasses([0, 0], 5).bounds).toEqual([]);
    // A small maximum collapses classes rather than repeating bounds.
    expect(colorClasses([1, 2], 5).bounds).toEqual([2]);
  });

  it('puts each value in its class, zero in none', () => {
    const c = colorClasses([10_000], 5);
    expect([0, 1, 10, 11, 2000, 2001, 10_000].map((v) => classOf(v, c))).toEqual([0, 1, 1, 2, 4, 5, 5]);
    expect(legendEntries({ bounds: [10, 50] })).toEqual([
      { classIndex: 1, from: 1, to: 10 },
      { classIndex: 2, from: 11, to: 50 },
    ]);
  });
});

describe('sortBy', () => {
  const rows = [{ n: 'b', v: 2 }, { n: 'A', v: null }, { n: 'c', v: 2 }, { n: 'a10', v: 1 }, { n: 'a9', v: 3 }];

  it('sorts numbers either way, stable on ties, missing values last', () => {
    expect(sortBy(rows, (r) => r.v, 'desc').map((r) => r.n)).toEqual(['a9', 'b', 'c', 'a10', 'A']);
    expect(sortBy(rows, (r) => r.v, 'asc').map((r) => r.n)).toEqual(['a10', 'b', 'c', 'a9', 'A']);
  });

  it('sorts text case-insensitively with numbers in numeric order', () => {
    expect(sortBy(rows, (r) => r.n, 'asc').map((r) => r.n)).toEqual(['A', 'a9', 'a10', 'b', 'c']);
  });
});

describe('inferOrigin', () => {
  it('takes the region of the first language that has one', () => {
    expect(inferOrigin(['de', 'en-GB', 'fr-FR'])).toBe('GB');
    expect(inferOrigin(['zh-Hant-TW'])).toBe('TW');
    expect(inferOrigin(['en', 'fr'])).toBeNull();
    expect(inferOrigin(['en-001'])).toBeNull();
  });
});

describe('world geometry', () => {
  const world = topology('countries-110m.json');
  const shapes = countryShapes(world, { withoutAntarctica: true });
  const anchor = (code: string): [number, number] => shapes.find((s) => s.code === code)?.anchor as [number, number];

  it('keys shapes by alpha-2 and leaves Antarctica out when asked', () => {
    expect(shapes.some((s) => s.code === 'AQ')).toBe(false);
    expect(countryShapes(world).some((s) => s.code === 'AQ')).toBe(true);
    expect(shapes.find((s) => s.code === 'DE')?.atlasName).toBe('Germany');
  });

  it('anchors multi-part countries on their main part', () => {
    // Bounding boxes of the contiguous US and of metropolitan France.
    const [usLon, usLat] = anchor('US');
    expect(usLon).toBeGreaterThan(-125);
    expect(usLon).toBeLessThan(-66);
    expect(usLat).toBeGreaterThan(24);
    expect(usLat).toBeLessThan(50);
    const [frLon, frLat] = anchor('FR');
    expect(frLon).toBeGreaterThan(-5);
    expect(frLon).toBeLessThan(8.5);
    expect(frLat).toBeGreaterThan(42);
    expect(frLat).toBeLessThan(51.5);
  });

  it('finds small countries the 110m map lacks in the 50m shapes', () => {
    expect(shapes.some((s) => s.code === 'SG')).toBe(false);
    const anchors = anchorsFor(topology('countries-50m.json'), new Set(['SG', 'HK']));
    const [lon, lat] = anchors.get('SG') as [number, number];
    // Singapore island: about 103.6–104.1 E, 1.2–1.5 N.
    expect(lon).toBeGreaterThan(103.5);
    expect(lon).toBeLessThan(104.1);
    expect(lat).toBeGreaterThan(1.1);
    expect(lat).toBeLessThan(1.5);
    expect(anchors.has('HK')).toBe(true);
  });

  it('fits the projection in the drawing area and draws arcs between anchors', () => {
    const projection = fitProjection(shapes, 800, 360);
    for (const code of ['US', 'DE', 'AU', 'BR', 'JP']) {
      const [x, y] = projection(anchor(code)) as [number, number];
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(800);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(360);
    }
    const [deX] = projection(anchor('DE')) as [number, number];
    const [usX] = projection(anchor('US')) as [number, number];
    expect(usX).toBeLessThan(deX);
    const germany = shapes.find((x) => x.code === 'DE');
    if (germany === undefined) throw new Error('no shape for DE');
    expect(pathGenerator(projection)(germany.feature)).toMatch(/^M[\d.-]+,[\d.-]+L/);
  });

  it('bows arcs towards the top of the map whichever way they go', () => {
    // Horizontal chord of length 100: the control point is 22 px above its middle.
    expect(curvedArc([0, 50], [100, 50])).toBe('M0,50Q50,28 100,50');
    expect(curvedArc([100, 50], [0, 50])).toBe('M100,50Q50,28 0,50');
    // Vertical chord: bowed sideways (to the left), never below.
    expect(curvedArc([10, 0], [10, 100])).toBe('M10,0Q-12,50 10,100');
    expect(curvedArc([10, 10], [10.2, 10])).toBe('');
  });
});
