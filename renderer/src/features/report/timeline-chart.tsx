import type { ReportTimeline } from '../../../../shared/report.ts';
import { timeTicks } from './time-axis.ts';

const WIDTH = 680;
const LABEL_WIDTH = 170;
const RIGHT = 12;
const BARS_HEIGHT = 46;
const LANE_HEIGHT = 20;
const AXIS_HEIGHT = 26;
const TOP = 16;

const MODE_FILL: Record<string, string> = { incognito: '#6a3d9a', normal: '#1f78b4' };
const NO_MODE = '#44617d';

/** Marker per finding kind: the shape tells the kind, the colour the mode. */
function Marker({ kind, x, y, fill }: { kind: string; x: number; y: number; fill: string }) {
  const r = 3.4;
  if (kind === 'search') return <rect x={x - r} y={y - r} width={2 * r} height={2 * r} fill={fill} />;
  if (kind === 'identifier') return <path d={`M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}Z`} fill={fill} />;
  if (kind === 'url') return <circle cx={x} cy={y} r={r} fill={fill} />;
  return <path d={`M${x} ${y - r}L${x + r} ${y + r}L${x - r} ${y + r}Z`} fill={fill} />;
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(s.length - max + 1)}`;
}

const SEGMENT_GAP = 16;

/**
 * Findings over time, one lane per destination, over the case's request volume. Idle
 * stretches between captures are cut out: each stretch of activity gets its own panel
 * and time scale, separated by a break mark.
 */
export function TimelineChart({ timeline }: { timeline: ReportTimeline }) {
  const lanes = timeline.lanes.length;
  const plotTop = TOP + BARS_HEIGHT + 6;
  const lanesHeight = Math.max(lanes, 1) * LANE_HEIGHT;
  const days = new Set(timeline.segments.flatMap((s) => [s.from.slice(0, 10), s.to.slice(0, 10)]));
  const dateLine = timeline.segments.length > 1 && days.size > 1 ? 11 : 0;
  const height = plotTop + lanesHeight + AXIS_HEIGHT + dateLine;
  const axisY = plotTop + lanesHeight;
  const segs = timeline.segments;
  const panelWidth = (WIDTH - RIGHT - LABEL_WIDTH - SEGMENT_GAP * (segs.length - 1)) / segs.length;
  const panels = segs.map((seg, i) => {
    const x0 = LABEL_WIDTH + i * (panelWidth + SEGMENT_GAP);
    const x1 = x0 + panelWidth;
    const span = Math.max(seg.toMs - seg.fromMs, 1);
    return { seg, x0, x1, x: (ms: number): number => x0 + ((ms - seg.fromMs) / span) * (x1 - x0) };
  });
  const maxBucket = Math.max(1, ...segs.flatMap((s) => s.buckets));
  const kindRow = new Map(timeline.kinds.map((k, i) => [k.kind, i]));
  const bucketWords = [...new Set(segs.map((s) => bucketLabel(s.bucketMs)))].join(' / ');

  return (
    <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Timeline of findings by destination" data-testid="report-timeline">
      <text x={LABEL_WIDTH - 6} y={TOP + BARS_HEIGHT / 2 + 3} fontSize={8.5} fill="#5a6470" textAnchor="end">
        requests per {bucketWords}
      </text>
      <text x={LABEL_WIDTH - 6} y={TOP + BARS_HEIGHT / 2 + 13} fontSize={7.5} fill="#5a6470" textAnchor="end">
        (max {maxBucket})
      </text>
      {timeline.lanes.map((lane, i) => {
        const y = plotTop + i * LANE_HEIGHT + LANE_HEIGHT / 2;
        return (
          <text key={`lane-${i}`} x={LABEL_WIDTH - 6} y={y + 3} fontSize={8.5} textAnchor="end" fill="#1b1f24">
            {shorten(lane, 30)}
          </text>
        );
      })}
      {panels.map((p, pi) => {
        const barWidth = p.seg.buckets.length > 0 ? (p.x1 - p.x0) / p.seg.buckets.length : 0;
        const all = timeTicks(p.seg.fromMs, p.seg.toMs, Math.max(2, Math.floor((p.x1 - p.x0) / 80)));
        // A label at the right end of a panel would run into the next panel's first one.
        const ticks = pi < panels.length - 1 ? all.filter((t) => p.x1 - p.x(t.ms) > 24) : all;
        return (
          <g key={`seg-${pi}`}>
            {timeline.modes.map((m, i) => {
              const a = Math.max(p.x(m.fromMs), p.x0);
              const b = Math.min(p.x(m.toMs), p.x1);
              if (b < a) return null;
              return (
                <g key={`mode-${i}`}>
                  <rect x={a} y={TOP - 2} width={Math.max(b - a, 1.5)} height={axisY - TOP + 2} fill={MODE_FILL[m.mode]} fillOpacity={0.08} />
                  <text x={a + 2} y={TOP - 5} fontSize={8.5} fill={MODE_FILL[m.mode]}>
                    {m.mode}
                  </text>
                </g>
              );
            })}
            {p.seg.buckets.map((n, i) =>
              n === 0 ? null : (
                <rect
                  key={`b-${i}`}
                  x={p.x0 + i * barWidth + 0.2}
                  width={Math.max(barWidth - 0.4, 0.6)}
                  y={TOP + BARS_HEIGHT - (n / maxBucket) * BARS_HEIGHT}
                  height={(n / maxBucket) * BARS_HEIGHT}
                  fill="#b8c2cc"
                />
              ),
            )}
            <line x1={p.x0} x2={p.x1} y1={TOP + BARS_HEIGHT} y2={TOP + BARS_HEIGHT} stroke="#c9d0d8" strokeWidth={0.6} />
            {timeline.lanes.map((_, i) => {
              const y = plotTop + i * LANE_HEIGHT + LANE_HEIGHT / 2;
              return <line key={`lane-${i}`} x1={p.x0} x2={p.x1} y1={y} y2={y} stroke="#eef1f4" strokeWidth={LANE_HEIGHT - 4} />;
            })}
            <line x1={p.x0} x2={p.x1} y1={axisY} y2={axisY} stroke="#5a6470" strokeWidth={0.8} />
            {ticks.map((t) => (
              <g key={`t-${t.ms}`}>
                <line x1={p.x(t.ms)} x2={p.x(t.ms)} y1={axisY} y2={axisY + 4} stroke="#5a6470" strokeWidth={0.8} />
                <text x={p.x(t.ms)} y={axisY + 14} fontSize={8.5} textAnchor="middle" fill="#1b1f24">
                  {t.label}
                </text>
              </g>
            ))}
            {dateLine > 0 && (
              <text x={p.x0} y={axisY + 25} fontSize={7.5} fill="#5a6470">
                {p.seg.from.slice(0, 10)}
              </text>
            )}
            {pi > 0 && (
              <path d={`M${p.x0 - SEGMENT_GAP / 2 - 4} ${axisY + 4} L${p.x0 - SEGMENT_GAP / 2} ${axisY - 4} M${p.x0 - SEGMENT_GAP / 2} ${axisY + 4} L${p.x0 - SEGMENT_GAP / 2 + 4} ${axisY - 4}`} stroke="#5a6470" strokeWidth={0.8} fill="none" />
            )}
          </g>
        );
      })}
      {lanes === 0 && (
        <text x={(LABEL_WIDTH + WIDTH - RIGHT) / 2} y={plotTop + LANE_HEIGHT / 2 + 3} fontSize={9} textAnchor="middle" fill="#5a6470">
          no findings in this case
        </text>
      )}
      {timeline.events.map((e, i) => {
        const p = panels[e.segment] ?? panels[panels.length - 1];
        // Each kind has its own row inside the lane: a URL and the identifiers sent with it in the same request stay visible.
        const k = kindRow.get(e.kind) ?? 0;
        const dy = kindRow.size > 1 ? (k - (kindRow.size - 1) / 2) * Math.min(5.5, (LANE_HEIGHT - 8) / (kindRow.size - 1)) : 0;
        return <Marker key={`e-${i}`} kind={e.kind} x={p.x(e.tsMs)} y={plotTop + e.lane * LANE_HEIGHT + LANE_HEIGHT / 2 + dy} fill={e.mode === null ? NO_MODE : MODE_FILL[e.mode]} />;
      })}
      <text x={WIDTH - RIGHT} y={axisY + 24 + dateLine} fontSize={7.5} textAnchor="end" fill="#5a6470">
        time (UTC){segs.length > 1 ? '; idle time between the panels is left out' : ''}
      </text>
    </svg>
  );
}

function bucketLabel(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** The legend under the timeline: marker shapes and mode colours. */
export function TimelineLegend({ timeline }: { timeline: ReportTimeline }) {
  const modes = new Set<string>([...timeline.modes.map((m) => m.mode), ...timeline.events.flatMap((e) => (e.mode === null ? [] : [e.mode]))]);
  const items = [
    ...timeline.kinds.map((k) => ({ key: k.kind, label: k.label, kind: k.kind, fill: NO_MODE })),
    ...['normal', 'incognito'].filter((m) => modes.has(m)).map((m) => ({ key: `m-${m}`, label: `${m} browsing`, kind: 'url', fill: MODE_FILL[m] })),
  ];
  if (items.length === 0) return null;
  const ROW = 15;
  let x = 0;
  let row = 0;
  const placed = items.map((it) => {
    const w = 22 + it.label.length * 4.9;
    if (x + w > WIDTH && x > 0) {
      x = 0;
      row++;
    }
    const at = { ...it, x, y: row * ROW };
    x += w;
    return at;
  });
  return (
    <svg viewBox={`0 0 ${WIDTH} ${(row + 1) * ROW + 1}`} role="img" aria-label="Legend">
      {placed.map((it) => (
        <g key={it.key}>
          <Marker kind={it.kind} x={it.x + 6} y={it.y + 8} fill={it.fill} />
          <text x={it.x + 14} y={it.y + 11} fontSize={8.5} fill="#1b1f24">
            {it.label}
          </text>
        </g>
      ))}
    </svg>
  );
}
