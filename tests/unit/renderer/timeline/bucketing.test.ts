import { describe, expect, it } from 'vitest';
import type { ModeWindow, Timeline, TimelineBucket, TimelineEvent, TimelineLane } from '../../../../shared/model.ts';
import {
  LANE_KINDS,
  binEvents,
  layoutLanes,
  modeRects,
  nearestEvent,
  normalizeSelection,
  rebinCounts,
  rowAt,
  shapeLanes,
  timelineParams,
  volumeSeries,
} from '../../../../renderer/src/features/timeline/bucketing.ts';
import { eventEvidence } from '../../../../renderer/src/features/timeline/evidence-link.ts';
import { timeScale } from '../../../../renderer/src/features/timeline/time-scale.ts';

const T0 = Date.UTC(2020, 3, 21, 9, 0, 0);

function ev(kind: TimelineEvent['kind'], id: number, tsMs: number): TimelineEvent {
  return { kind, id, tsMs, ts: new Date(tsMs).toISOString(), label: `${kind} ${id}` };
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

describe('rebinCounts', () => {
  it('keeps the total when buckets are narrower than a pixel', () => {
    // 1000 buckets of 1 ms over 100 px: 10 buckets per column.
    const counts = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 3 : 1));
    const out = rebinCounts(counts, T0, 1, timeScale(T0, T0 + 1000, 0, 100), 100);
    expect(sum(out)).toBeCloseTo(sum(counts), 9);
    // Every column holds one bucket of 3 and nine of 1.
    for (const v of out) expect(v).toBeCloseTo(12, 9);
  });

  it('spreads a bucket wider than a pixel evenly over the columns it covers', () => {
    // 2 buckets of 500 ms over 10 px: each covers 5 columns.
    const out = rebinCounts([10, 0], T0, 500, timeScale(T0, T0 + 1000, 0, 10), 10);
    expect(Array.from(out)).toEqual([2, 2, 2, 2, 2, 0, 0, 0, 0, 0]);
  });

  it('splits a bucket straddling two columns by overlap and drops what lies outside the view', () => {
    // View 1000 ms over 4 px (250 ms/px); one bucket [125, 375) → half in col 0, half in col 1.
    const out = rebinCounts([8, 5], T0 + 125, 250, timeScale(T0, T0 + 1000, 0, 4), 4);
    expect(out[0]).toBeCloseTo(4, 9);
    expect(out[1]).toBeCloseTo(4 + 2.5, 9);
    expect(out[2]).toBeCloseTo(2.5, 9);
    const outside = rebinCounts([7], T0 - 5000, 1000, timeScale(T0, T0 + 1000, 0, 4), 4);
    expect(sum(outside)).toBe(0);
  });
});

describe('binEvents and nearestEvent', () => {
  const events = [ev('dns', 1, T0 + 10), ev('tls', 2, T0 + 15), ev('dns', 3, T0 + 18), ev('leak', 4, T0 + 900), ev('http', 5, T0 + 2000)];
  const scale = timeScale(T0, T0 + 1000, 0, 100);

  it('counts each kind per pixel column and remembers the first event', () => {
    const marks = binEvents(events, scale, 100);
    const dns = LANE_KINDS.indexOf('dns');
    const tls = LANE_KINDS.indexOf('tls');
    const leak = LANE_KINDS.indexOf('leak');
    expect(marks.counts[dns][1]).toBe(2); // 10 ms and 18 ms are both in column 1 (10 ms per px)
    expect(marks.first[dns][1]).toBe(0);
    expect(marks.counts[tls][1]).toBe(1);
    expect(marks.counts[leak][90]).toBe(1);
    // The event after the view is not drawn.
    expect(marks.counts.reduce((s, c) => s + sum(c), 0)).toBe(4);
  });

  it('finds the nearest event within a distance, or none', () => {
    expect(nearestEvent(events, T0 + 16, 5)).toBe(1);
    expect(nearestEvent(events, T0 + 17, 5)).toBe(2);
    expect(nearestEvent(events, T0 + 500, 50)).toBe(-1);
    expect(nearestEvent(events, T0 + 5000, Number.POSITIVE_INFINITY)).toBe(4);
    expect(nearestEvent([], T0, 10)).toBe(-1);
  });
});

describe('volumeSeries', () => {
  const buckets: TimelineBucket[] = Array.from({ length: 10 }, (_, i) => ({ startMs: T0 + i * 100, dns: i, tls: 1, http: 2, flows: 1, bytes: 10, leaks: i === 9 ? 1 : 0 }));

  it('keeps one point per bucket when they fit', () => {
    const pts = volumeSeries(buckets, 100, 50);
    expect(pts).toHaveLength(10);
    expect(pts[3]).toMatchObject({ startMs: T0 + 300, endMs: T0 + 400, t: T0 + 350, dns: 3, leak: 0 });
  });

  it('merges neighbours to stay under the point budget, keeping the totals', () => {
    const pts = volumeSeries(buckets, 100, 3);
    expect(pts).toHaveLength(3); // groups of 4, 4, 2
    expect(pts.map((p) => p.dns)).toEqual([0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9]);
    expect(pts[2]).toMatchObject({ startMs: T0 + 800, endMs: T0 + 1000, leak: 1, bytes: 20 });
  });
});

describe('selection and zoom params', () => {
  it('orders and clamps a brush, and ignores one too narrow', () => {
    expect(normalizeSelection(T0 + 900, T0 - 50, T0, T0 + 1000, 10)).toEqual({ fromMs: T0, toMs: T0 + 900 });
    expect(normalizeSelection(T0 + 5, T0 + 8, T0, T0 + 1000, 10)).toBeNull();
  });

  it('asks for about one bucket per 3 px, within the engine limits', () => {
    expect(timelineParams(null, 900)).toMatchObject({ buckets: 300, maxLanes: 12 });
    expect(timelineParams({ fromMs: 1, toMs: 2 }, 30)).toMatchObject({ from: 1, to: 2, buckets: 20 });
    expect(timelineParams(null, 100_000).buckets).toBe(2000);
  });
});

describe('modeRects', () => {
  const scale = timeScale(T0, T0 + 1000, 0, 1000);

  it('merges touching windows of one mode and clips to the view', () => {
    const modes: ModeWindow[] = [
      { mode: 'incognito', fromMs: T0 + 600, toMs: T0 + 800, input: null },
      { mode: 'normal', fromMs: T0 - 500, toMs: T0 + 300, input: 1 },
      { mode: 'incognito', fromMs: T0 + 800, toMs: T0 + 2000, input: null },
    ];
    const rects = modeRects(modes, scale);
    expect(rects.map((r) => [r.mode, r.x, r.width])).toEqual([
      ['normal', 0, 300],
      ['incognito', 600, 400],
    ]);
  });

  it('gives a window shorter than a pixel one pixel, and none without findings', () => {
    expect(modeRects([{ mode: 'normal', fromMs: T0 + 10, toMs: T0 + 10.2, input: null }], scale)[0].width).toBe(1);
    expect(modeRects(null, scale)).toEqual([]);
  });
});

describe('lane layout', () => {
  const lane = (key: string, events: TimelineEvent[] = []): TimelineLane => ({ key, label: key, detail: null, total: events.length, counts: [events.length], events });

  it('stacks a header then the lanes of each group, and finds rows by y', () => {
    const { rows, height } = layoutLanes([lane('192.168.1.23')], [lane('a.example'), lane('b.example')], { devices: 1, destinations: 30 }, 20, 24);
    expect(rows.map((r) => [r.type, r.title, r.y])).toEqual([
      ['header', 'Devices · 1', 0],
      ['lane', '192.168.1.23', 24],
      ['header', 'Destinations · top 2 of 30', 44],
      ['lane', 'a.example', 68],
      ['lane', 'b.example', 88],
    ]);
    expect(height).toBe(108);
    expect(rowAt(rows, 70)?.title).toBe('a.example');
    expect(rowAt(rows, 107.9)?.title).toBe('b.example');
    expect(rowAt(rows, 108)).toBeNull();
    expect(rowAt(rows, -1)).toBeNull();
  });

  it('shapes every lane, skipping headers', () => {
    const timeline: Timeline = {
      span: { from: '', to: '', fromMs: T0, toMs: T0 + 1000 },
      bucketMs: 500,
      buckets: [
        { startMs: T0, dns: 1, tls: 0, http: 0, flows: 0, bytes: 0, leaks: 0 },
        { startMs: T0 + 500, dns: 0, tls: 0, http: 0, flows: 0, bytes: 0, leaks: 0 },
      ],
      devices: [{ ...lane('dev', [ev('dns', 1, T0 + 100)]), counts: [4, 0] }],
      destinations: [],
      deviceLanes: 1,
      destinationLanes: 0,
      modes: null,
    };
    const { rows } = layoutLanes(timeline.devices, timeline.destinations, { devices: 1, destinations: 0 }, 20, 24);
    const shaped = shapeLanes(timeline, rows, timeScale(T0, T0 + 1000, 0, 10), 10);
    expect(shaped).toHaveLength(1);
    expect(sum(shaped[0].density)).toBeCloseTo(4, 9);
    expect(shaped[0].densityMax).toBeCloseTo(0.8, 9);
  });
});

describe('eventEvidence', () => {
  it('opens a record itself, and a leak through the exchange it was found in', () => {
    expect(eventEvidence(ev('tls', 7, T0))).toEqual({ kind: 'tls', id: 7 });
    expect(eventEvidence({ ...ev('leak', 3, T0), evidence: { kind: 'http', id: 41 } })).toEqual({ kind: 'http', id: 41 });
    expect(eventEvidence(ev('leak', 3, T0))).toBeNull();
  });
});
