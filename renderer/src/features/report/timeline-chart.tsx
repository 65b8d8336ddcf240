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
  const r = 4.2;
  if (kind === 'search') return <rect x={x - r} y={y - r} width={2 * r} height={2 * r} fill={fill} />;
  if (kind === 'identifier') return <path d={`M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}Z`} fill={fill} />;
  if (kind === 'url') return <circle cx={x} cy={y} r={r} fill={fill} />;
  return <path d={`M${x} ${y - r}L${x + r} ${y + r}L${x - r} ${y + r}Z`} fill={fill} />;
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(s.length - max + 1)}`;
}

/** Findings over time, one lane per destination, over the case's request volume. */
export function TimelineChart({ timeline }: { timeline: ReportTimeline }) {
  const lanes = timeline.lanes.length;
  const plotTop = TOP + BARS_HEIGHT + 6;
  const lanesHeight = Math.max(lanes, 1) * LANE_HEIGHT;
  const height = plotTop + lanesHeight + AXIS_HEIGHT;
  const x0 = LABEL_WIDTH;
  const x1 = WIDTH - RIGHT;
  const span = Math.max(timeline.toMs - timeline.fromMs, 1);
  const x = (ms: number): number => x0 + ((ms - timeline.fromMs) / span) * (x1 - x0);
  const maxBucket = Math.max(1, ...timeline.buckets);
  const barWidth = timeline.buckets.length > 0 ? (x1 - x0) / timeline.buckets.length : 0;
  const ticks = timeTicks(timeline.fromMs, timeline.toMs);
  const axisY = plotTop + lanesHeight;

  return (
    <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Timeline of findings by destination" data-testid="report-timeline">
      {timeline.modes.map((m, i) => {
        const a = Math.max(x(m.fromMs), x0);
        const b = Math.min(x(m.toMs), x1);
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
      <text x={x0 - 6} y={TOP + BARS_HEIGHT / 2 + 3} fontSize={8.5} fill="#5a6470" textAnchor="end">
        requests per {bucketLabel(timeline.bucketMs)}
      </text>
      <text x={x0 - 6} y={TOP + BARS_HEIGHT / 2 + 13} fontSize={7.5} fill="#5a6470" textAnchor="end">
        (max {maxBucket})
      </text>
      {timeline.buckets.map((n, i) =>
        n === 0 ? null : (
          <rect
            key={`b-${i}`}
            x={x0 + i * barWidth + 0.2}
            width={Math.max(barWidth - 0.4, 0.6)}
            y={TOP + BARS_HEIGHT - (n / maxBucket) * BARS_HEIGHT}
            height={(n / maxBucket) * BARS_HEIGHT}
            fill="#b8c2cc"
          />
        ),
      )}
      <line x1={x0} x2={x1} y1={TOP + BARS_HEIGHT} y2={TOP + BARS_HEIGHT} stroke="#c9d0d8" strokeWidth={0.6} />
      {timeline.lanes.map((lane, i) => {
        const y = plotTop + i * LANE_HEIGHT + LANE_HEIGHT / 2;
        return (
          <g key={`lane-${i}`}>
            <line x1={x0} x2={x1} y1={y} y2={y} stroke="#eef1f4" strokeWidth={LANE_HEIGHT - 4} />
            <text x={x0 - 6} y={y + 3} fontSize={8.5} textAnchor="end" fill="#1b1f24">
              {shorten(lane, 30)}
            </text>
          </g>
        );
      })}
      {lanes === 0 && (
        <text x={(x0 + x1) / 2} y={plotTop + LANE_HEIGHT / 2 + 3} fontSize={9} textAnchor="middle" fill="#5a6470">
          no findings in this case
        </text>
      )}
      {timeline.events.map((e, i) => (
        <Marker key={`e-${i}`} kind={e.kind} x={x(e.tsMs)} y={plotTop + e.lane * LANE_HEIGHT + LANE_HEIGHT / 2} fill={e.mode === null ? NO_MODE : MODE_FILL[e.mode]} />
      ))}
      <line x1={x0} x2={x1} y1={axisY} y2={axisY} stroke="#5a6470" strokeWidth={0.8} />
      {ticks.map((t) => (
        <g key={`t-${t.ms}`}>
          <line x1={x(t.ms)} x2={x(t.ms)} y1={axisY} y2={axisY + 4} stroke="#5a6470" strokeWidth={0.8} />
          <text x={x(t.ms)} y={axisY + 14} fontSize={8.5} textAnchor="middle" fill="#1b1f24">
            {t.label}
          </text>
        </g>
      ))}
      <text x={x1} y={axisY + 24} fontSize={7.5} textAnchor="end" fill="#5a6470">
        time (UTC)
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
export function TimelineLegend({ kinds }: { kinds: Array<{ kind: string; label: string }> }) {
  const items = [...kinds.map((k) => ({ key: k.kind, label: k.label, kind: k.kind, fill: NO_MODE })), { key: 'm-n', label: 'normal', kind: 'url', fill: MODE_FILL.normal }, { key: 'm-i', label: 'incognito', kind: 'url', fill: MODE_FILL.incognito }];
  let offset = 0;
  return (
    <svg viewBox={`0 0 ${WIDTH} 16`} role="img" aria-label="Legend">
      {items.map((it) => {
        const at = offset;
        offset += 22 + it.label.length * 5.2;
        return (
          <g key={it.key}>
            <Marker kind={it.kind} x={at + 6} y={8} fill={it.fill} />
            <text x={at + 14} y={11} fontSize={8.5} fill="#1b1f24">
              {it.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
