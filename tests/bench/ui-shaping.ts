/**
 * Data-shaping cost of the timeline, map and compare views for API answers shaped like
 * a large case (500,000+ packets): the engine's upper bounds for a timeline (2,000
 * buckets, 40 + 40 lanes of 2,000 events), a full page of destinations and of leaks
 * (API_MAX_LIMIT rows each). What the browser does on top (canvas, SVG) is measured by
 * tests/bench/ui-render.ts against a real case.
 *
 * Run: npx node tests/bench/ui-shaping.ts [--runs 30]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type { Topology } from 'topojson-specification';
import type { Comparison, DestinationRow, LeakRow, Timeline, TimelineEvent, TimelineKind, TimelineLane } from '../../shared/model.ts';
import { API_MAX_LIMIT, MAX_TIMELINE_BUCKETS } from '../../shared/model.ts';
import { layoutLanes, modeRects, shapeLanes, volumeSeries } from '../../renderer/src/features/timeline/bucketing.ts';
import { timeScale, timeTicks } from '../../renderer/src/features/timeline/time-scale.ts';
import { aggregateDestinations, colorClasses, metricValue, sortBy } from '../../renderer/src/features/map/geography.ts';
import { countryShapes, curvedArc, fitProjection, pathGenerator } from '../../renderer/src/features/map/world.ts';
import { allAlpha2 } from '../../renderer/src/features/map/country-codes.ts';
import { leakDestinations, leakedPages, metricRows } from '../../renderer/src/features/compare/comparison.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const RUNS = Math.max(3, Number(values.runs));

/** A deterministic generator, so every run shapes the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const rand = lcg(42);
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const SPAN = 17 * 60_000; // what a 1 GB bench capture spans (docs/benchmark.md)
const KINDS: TimelineKind[] = ['dns', 'tls', 'http', 'flow', 'leak'];

function syntheticTimeline(lanesPerGroup: number, eventsPerLane: number): Timeline {
  const bucketMs = SPAN / MAX_TIMELINE_BUCKETS;
  const buckets = Array.from({ length: MAX_TIMELINE_BUCKETS }, (_, i) => ({
    startMs: T0 + i * bucketMs,
    dns: Math.floor(rand() * 80),
    tls: Math.floor(rand() * 60),
    http: Math.floor(rand() * 30),
    flows: Math.floor(rand() * 90),
    bytes: Math.floor(rand() * 5e6),
    leaks: rand() < 0.05 ? 1 : 0,
  }));
  const lane = (key: string): TimelineLane => {
    const events: TimelineEvent[] = [];
    for (let i = 0; i < eventsPerLane; i++) {
      const tsMs = T0 + (i / eventsPerLane) * SPAN + rand() * (SPAN / eventsPerLane);
      events.push({ kind: KINDS[Math.floor(rand() * KINDS.length)], id: i + 1, tsMs, ts: new Date(tsMs).toISOString(), label: `GET ${key}/path/${i}` });
    }
    const counts = buckets.map(() => Math.floor(rand() * 40));
    return { key, label: key, detail: null, total: counts.reduce((a, b) => a + b, 0), counts, events };
  };
  return {
    span: { from: new Date(T0).toISOString(), to: new Date(T0 + SPAN).toISOString(), fromMs: T0, toMs: T0 + SPAN },
    bucketMs,
    buckets,
    devices: Array.from({ length: lanesPerGroup }, (_, i) => lane(`10.0.${i >> 8}.${i & 255}`)),
    destinations: Array.from({ length: lanesPerGroup }, (_, i) => lane(`host-${i}.example.com`)),
    deviceLanes: 150,
    destinationLanes: 3000,
    modes: [
      { mode: 'normal', fromMs: T0, toMs: T0 + SPAN / 2, input: null },
      { mode: 'incognito', fromMs: T0 + SPAN / 2, toMs: T0 + SPAN, input: null },
    ],
  };
}

const CODES = allAlpha2();
function syntheticDestinations(n: number): DestinationRow[] {
  return Array.from({ length: n }, (_, i) => {
    const reserved = i % 97 === 0;
    const country = reserved ? null : rand() < 0.02 ? null : CODES[Math.floor(rand() * 60)];
    const asn = 1000 + Math.floor(rand() * 400);
    return {
      host: `host-${i}.example.com`,
      registrableDomain: 'example.com',
      ips: [`198.51.${i >> 8 & 255}.${i & 255}`],
      country,
      countryName: null,
      asn,
      org: `Operator ${asn}`,
      category: i % 13 === 0 ? 'analytics' : null,
      scope: reserved ? 'private' : null,
      requests: Math.floor(rand() * 2000),
      bytesUp: Math.floor(rand() * 5e6),
      bytesDown: Math.floor(rand() * 5e7),
      leaks: rand() < 0.1 ? Math.floor(rand() * 50) : 0,
      span: null,
    };
  });
}

function syntheticLeaks(n: number): LeakRow[] {
  return Array.from({ length: n }, (_, i) => {
    const tsMs = T0 + rand() * SPAN;
    return {
      id: i + 1,
      input: 1,
      frame: i * 7 + 1,
      entry: null,
      ts: new Date(tsMs).toISOString(),
      tsMs,
      kind: ['url', 'search', 'identifier'][i % 3],
      value: `https://site-${Math.floor(rand() * 1500)}.example/page`,
      chain: 'form:data_list → base64 → gzip → json:$[0].properties.url',
      excerpt: null,
      destination: { host: `tracker-${i % 40}.example`, ip: null, country: 'SG', org: 'Alibaba', category: 'analytics' },
      mode: i % 2 === 0 ? 'incognito' : 'normal',
      httpId: i + 1,
    };
  });
}

function measure(name: string, fn: () => unknown): void {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const p = (q: number): string => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
  console.log(`${name.padEnd(70)} median ${p(0.5).padStart(8)} ms   p95 ${p(0.95).padStart(8)} ms`);
}

const require = createRequire(import.meta.url);
const world110 = readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8');

console.log(`UI data shaping, ${RUNS} runs each (Node ${process.version})\n`);

for (const [lanes, events, width] of [
  [12, 200, 1200],
  [12, 2000, 1200],
  [40, 2000, 1200],
  [40, 2000, 2400],
] as const) {
  const t = syntheticTimeline(lanes, events);
  const label = `${lanes}+${lanes} lanes × ${events} events, ${width} px`;
  measure(`timeline: full shaping (${label})`, () => {
    const scale = timeScale(t.span?.fromMs ?? 0, t.span?.toMs ?? 1, 0, width);
    volumeSeries(t.buckets, t.bucketMs, Math.ceil(width / 2));
    timeTicks(scale.fromMs, scale.toMs, Math.floor(width / 110));
    const { rows } = layoutLanes(t.devices, t.destinations, { devices: t.deviceLanes, destinations: t.destinationLanes }, 22, 26);
    shapeLanes(t, rows, scale, width);
    modeRects(t.modes, scale);
  });
}

const destinations = syntheticDestinations(API_MAX_LIMIT);
measure(`map: aggregate ${API_MAX_LIMIT} destinations`, () => aggregateDestinations(destinations));
const geo = aggregateDestinations(destinations);
measure('map: colour classes + sort hosts by requests', () => {
  colorClasses(geo.countries.map((c) => metricValue(c, 'requests')), 5);
  sortBy(geo.located, (h) => h.requests, 'desc');
});
measure('map: parse 110m TopoJSON + country shapes + anchors', () => countryShapes(JSON.parse(world110) as Topology, { withoutAntarctica: true }));
const shapes = countryShapes(JSON.parse(world110) as Topology, { withoutAntarctica: true });
measure('map: fit projection + SVG paths of all countries (800 px)', () => {
  const projection = fitProjection(shapes, 800, 356);
  const path = pathGenerator(projection);
  for (const s of shapes) path(s.feature);
  const origin = projection(shapes[0].anchor) as [number, number];
  for (const s of shapes.slice(0, 60)) curvedArc(origin, projection(s.anchor) as [number, number]);
});

const leaks = syntheticLeaks(API_MAX_LIMIT);
const comparison: Comparison = {
  modes: [
    { mode: 'normal', pagesVisited: 900, pagesLeaked: 850, leakRatio: 0.94, destinations: 400, countries: CODES.slice(0, 30), operators: ['A', 'B'], identifiers: 12, bytesUp: 4e7 },
    { mode: 'incognito', pagesVisited: 600, pagesLeaked: 590, leakRatio: 0.98, destinations: 300, countries: CODES.slice(10, 40), operators: ['A'], identifiers: 12, bytesUp: 3e7 },
  ],
  sharedIdentifiers: [{ type: 'android_id', value: '9774d56d682e549c' }],
  sharedDestinations: ['tracker-1.example'],
};
measure(`compare: leaked pages + destinations of ${API_MAX_LIMIT} leaks, both modes`, () => {
  for (const mode of ['incognito', 'normal'] as const) {
    leakedPages(leaks, mode);
    leakDestinations(leaks, mode);
  }
  metricRows(comparison);
});
