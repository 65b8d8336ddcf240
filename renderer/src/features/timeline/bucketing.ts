/**
 * Data shaping for the timeline. The engine aggregates in SQL (at most
 * MAX_TIMELINE_BUCKETS buckets, a few hundred events per lane); these functions fold
 * that into what the screen can show: one value per pixel column, one mark per kind
 * per column. Nothing here allocates per packet, so the cost follows the width of the
 * view, not the size of the case.
 */
import type { ModeWindow, Timeline, TimelineBucket, TimelineEvent, TimelineKind, TimelineLane } from '../../../../shared/model.ts';
import { MAX_TIMELINE_BUCKETS } from '../../../../shared/model.ts';
import { clamp, toX } from './time-scale.ts';
import type { TimeScale } from './time-scale.ts';

/** Kinds drawn as marks in the lanes, in drawing order (leaks last, on top). */
export const LANE_KINDS: readonly TimelineKind[] = ['flow', 'dns', 'tls', 'http', 'leak'];

/**
 * Spreads per-bucket counts over pixel columns, in proportion to how much of each
 * bucket falls in each column, so the total is kept whether buckets are wider or
 * narrower than a pixel. Buckets outside the scale's range are dropped.
 */
export function rebinCounts(
  counts: ArrayLike<number>,
  firstBucketMs: number,
  bucketMs: number,
  scale: TimeScale,
  columns: number,
): Float64Array {
  const out = new Float64Array(Math.max(0, columns));
  if (columns <= 0 || !(bucketMs > 0)) return out;
  const pxPerMs = columns / (scale.toMs - scale.fromMs);
  for (let i = 0; i < counts.length; i++) {
    const value = counts[i];
    if (!value) continue;
    const start = (firstBucketMs + i * bucketMs - scale.fromMs) * pxPerMs;
    const end = start + bucketMs * pxPerMs;
    if (end <= 0 || start >= columns) continue;
    const lo = Math.max(0, start);
    const hi = Math.min(columns, end);
    const perPx = value / (end - start);
    let col = Math.floor(lo);
    while (col < hi) {
      const next = Math.min(col + 1, hi);
      out[col] += perPx * (next - Math.max(col, lo));
      col++;
    }
  }
  return out;
}

/** Marks of one lane: for each kind, how many events fall in each column and the first of them. */
export interface LaneMarks {
  columns: number;
  /** counts[k][col] for kind LANE_KINDS[k]. */
  counts: Int32Array[];
  /** Index into the lane's events of the first event of that kind in that column, -1 if none. */
  first: Int32Array[];
}

/** Bins a lane's events into pixel columns, one slot per kind, so a lane costs O(columns) to draw. */
export function binEvents(events: readonly TimelineEvent[], scale: TimeScale, columns: number): LaneMarks {
  const n = Math.max(0, columns);
  const counts = LANE_KINDS.map(() => new Int32Array(n));
  const first = LANE_KINDS.map(() => new Int32Array(n).fill(-1));
  const pxPerMs = n / (scale.toMs - scale.fromMs);
  for (let i = 0; i < events.length; i++) {
    const ev = events[i];
    const k = LANE_KINDS.indexOf(ev.kind);
    if (k < 0) continue;
    const col = Math.floor((ev.tsMs - scale.fromMs) * pxPerMs);
    if (col < 0 || col >= n) continue;
    counts[k][col]++;
    if (first[k][col] < 0) first[k][col] = i;
  }
  return { columns: n, counts, first };
}

/**
 * Index of the event nearest to `ms` within `maxDistanceMs`, or -1. Events must be in
 * time order (the API sends them so).
 */
export function nearestEvent(events: readonly TimelineEvent[], ms: number, maxDistanceMs: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].tsMs < ms) lo = mid + 1;
    else hi = mid;
  }
  let best = -1;
  let bestDistance = maxDistanceMs;
  for (const i of [lo - 1, lo]) {
    if (i < 0 || i >= events.length) continue;
    const d = Math.abs(events[i].tsMs - ms);
    if (d <= bestDistance) {
      best = i;
      bestDistance = d;
    }
  }
  return best;
}

/** One point of the volume chart. */
export interface VolumePoint {
  /** Middle of the bucket, where the point is drawn. */
  t: number;
  startMs: number;
  endMs: number;
  dns: number;
  tls: number;
  http: number;
  leak: number;
  flows: number;
  bytes: number;
}

/**
 * Volume chart points, merging neighbouring buckets so there are at most `maxPoints`
 * (an SVG chart with more points than pixels only costs time).
 */
export function volumeSeries(buckets: readonly TimelineBucket[], bucketMs: number, maxPoints: number): VolumePoint[] {
  if (buckets.length === 0) return [];
  const group = Math.max(1, Math.ceil(buckets.length / Math.max(1, maxPoints)));
  const out: VolumePoint[] = [];
  for (let i = 0; i < buckets.length; i += group) {
    const startMs = buckets[i].startMs;
    const last = Math.min(buckets.length, i + group);
    const point: VolumePoint = { t: 0, startMs, endMs: 0, dns: 0, tls: 0, http: 0, leak: 0, flows: 0, bytes: 0 };
    for (let j = i; j < last; j++) {
      const b = buckets[j];
      point.dns += b.dns;
      point.tls += b.tls;
      point.http += b.http;
      point.leak += b.leaks;
      point.flows += b.flows;
      point.bytes += b.bytes;
    }
    point.endMs = buckets[last - 1].startMs + bucketMs;
    point.t = (startMs + point.endMs) / 2;
    out.push(point);
  }
  return out;
}

/** A time selection ordered and clamped to the view, or null when it is too narrow to mean anything. */
export function normalizeSelection(
  aMs: number,
  bMs: number,
  viewFromMs: number,
  viewToMs: number,
  minMs: number,
): { fromMs: number; toMs: number } | null {
  const fromMs = clamp(Math.min(aMs, bMs), viewFromMs, viewToMs);
  const toMs = clamp(Math.max(aMs, bMs), viewFromMs, viewToMs);
  return toMs - fromMs >= minMs ? { fromMs, toMs } : null;
}

/** The timeline.get params for a view of [fromMs, toMs] drawn `plotWidth` pixels wide: about one bucket per 3 px. */
export function timelineParams(
  range: { fromMs: number; toMs: number } | null,
  plotWidth: number,
): { from?: number; to?: number; buckets: number; maxLanes: number; maxEventsPerLane: number } {
  const buckets = clamp(Math.round(plotWidth / 3), 20, MAX_TIMELINE_BUCKETS);
  // Enough events that a lane shows a mark in most occupied columns, few enough to stay cheap.
  const maxEventsPerLane = clamp(Math.round(plotWidth), 200, 2000);
  const base = { buckets, maxLanes: 12, maxEventsPerLane };
  return range === null ? base : { ...base, from: range.fromMs, to: range.toMs };
}

export interface ModeRect {
  mode: ModeWindow['mode'];
  x: number;
  width: number;
  fromMs: number;
  toMs: number;
}

/** Shaded rectangles of incognito/normal windows inside the view, merged when windows of one mode touch. */
export function modeRects(modes: readonly ModeWindow[] | null, scale: TimeScale): ModeRect[] {
  if (modes === null || modes.length === 0) return [];
  const sorted = [...modes].sort((a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs);
  const merged: Array<{ mode: ModeWindow['mode']; fromMs: number; toMs: number }> = [];
  for (const m of sorted) {
    const prev = merged.length > 0 ? merged[merged.length - 1] : null;
    if (prev !== null && prev.mode === m.mode && m.fromMs <= prev.toMs) prev.toMs = Math.max(prev.toMs, m.toMs);
    else merged.push({ mode: m.mode, fromMs: m.fromMs, toMs: m.toMs });
  }
  const out: ModeRect[] = [];
  for (const m of merged) {
    if (m.toMs < scale.fromMs || m.fromMs > scale.toMs) continue;
    const x0 = toX(scale, Math.max(m.fromMs, scale.fromMs));
    const x1 = toX(scale, Math.min(m.toMs, scale.toMs));
    // A window shorter than a pixel still gets one: a label must never be invisible.
    out.push({ mode: m.mode, x: x0, width: Math.max(1, x1 - x0), fromMs: m.fromMs, toMs: m.toMs });
  }
  return out;
}

/** One row of the lane area: a group header or a lane. */
export interface LaneRow {
  type: 'header' | 'lane';
  group: 'devices' | 'destinations';
  /** Header text, or the lane. */
  title: string;
  lane: TimelineLane | null;
  y: number;
  height: number;
}

/** Vertical layout of the lane area: "Devices" then its lanes, "Destinations" then its lanes. */
export function layoutLanes(
  devices: readonly TimelineLane[],
  destinations: readonly TimelineLane[],
  totals: { devices: number; destinations: number },
  laneHeight: number,
  headerHeight: number,
): { rows: LaneRow[]; height: number } {
  const rows: LaneRow[] = [];
  let y = 0;
  const groups = [
    { group: 'devices' as const, name: 'Devices', lanes: devices, total: totals.devices },
    { group: 'destinations' as const, name: 'Destinations', lanes: destinations, total: totals.destinations },
  ];
  for (const g of groups) {
    const shown = g.lanes.length < g.total ? `${g.name} · top ${g.lanes.length} of ${g.total}` : `${g.name} · ${g.total}`;
    rows.push({ type: 'header', group: g.group, title: shown, lane: null, y, height: headerHeight });
    y += headerHeight;
    for (const lane of g.lanes) {
      rows.push({ type: 'lane', group: g.group, title: lane.label, lane, y, height: laneHeight });
      y += laneHeight;
    }
  }
  return { rows, height: y };
}

/** The row under a vertical position, or null. Rows are in layout order. */
export function rowAt(rows: readonly LaneRow[], y: number): LaneRow | null {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = rows[mid];
    if (y < r.y) hi = mid - 1;
    else if (y >= r.y + r.height) lo = mid + 1;
    else return r;
  }
  return null;
}

/** Largest value of an array (0 for an empty one), for normalising lane intensity. */
export function maxOf(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

export interface LaneData {
  row: LaneRow;
  density: Float64Array;
  densityMax: number;
  marks: LaneMarks;
}

/** Per-lane density and marks for a plot `columns` pixels wide: all the shaping a redraw needs. */
export function shapeLanes(timeline: Timeline, rows: readonly LaneRow[], scale: TimeScale, columns: number): LaneData[] {
  const first = timeline.buckets.length > 0 ? timeline.buckets[0].startMs : scale.fromMs;
  const out: LaneData[] = [];
  for (const row of rows) {
    if (row.lane === null) continue;
    const density = rebinCounts(row.lane.counts, first, timeline.bucketMs, scale, columns);
    out.push({ row, density, densityMax: maxOf(density), marks: binEvents(row.lane.events, scale, columns) });
  }
  return out;
}
