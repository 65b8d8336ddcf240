/**
 * The volume chart above the lanes: records per time bucket stacked by kind. Its plot
 * area starts at the same x as the lanes (the Y axis takes the lane-label gutter), so
 * one time scale serves both and a brush over either selects the same instants.
 */
import { memo, useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { TooltipContentProps } from 'recharts';
import { formatBytes, formatCount } from '../../lib/format.ts';
import type { VolumePoint } from './bucketing.ts';
import { formatUtc, timeTicks } from './time-scale.ts';
import type { TimeScale } from './time-scale.ts';
import type { KindColors } from './kinds.ts';
import { VOLUME_SERIES } from './kinds.ts';

export interface VolumeChartProps {
  points: readonly VolumePoint[];
  scale: TimeScale;
  width: number;
  height: number;
  gutter: number;
  right: number;
  colors: KindColors & { grid: string; axis: string };
}

/** A step point per bucket, plus one closing point so the last bucket keeps its width. */
function stepData(points: readonly VolumePoint[]): VolumePoint[] {
  if (points.length === 0) return [];
  const last = points[points.length - 1];
  return [...points, { ...last, startMs: last.endMs }];
}

function VolumeTooltip({ active, payload }: TooltipContentProps) {
  if (!active || payload.length === 0) return null;
  const point = payload[0].payload as VolumePoint;
  return (
    <div className="tl-tooltip tl-tooltip--chart" role="status">
      <div className="tl-tooltip-time">
        {formatUtc(point.startMs)}
        <br />→ {formatUtc(point.endMs)}
      </div>
      <dl className="tl-tooltip-counts">
        {VOLUME_SERIES.map((s) => (
          <div key={s.key}>
            <dt>
              <span className={`tl-swatch tl-swatch--${s.kind}`} aria-hidden="true" /> {s.label}
            </dt>
            <dd className="num">{formatCount(point[s.key])}</dd>
          </div>
        ))}
        <div>
          <dt>Flows started</dt>
          <dd className="num">{formatCount(point.flows)}</dd>
        </div>
        <div>
          <dt>Bytes</dt>
          <dd className="num">{formatBytes(point.bytes)}</dd>
        </div>
      </dl>
    </div>
  );
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}

export const VolumeChart = memo(function VolumeChart({ points, scale, width, height, gutter, right, colors }: VolumeChartProps) {
  const data = useMemo(() => stepData(points), [points]);
  const ticks = useMemo(() => timeTicks(scale.fromMs, scale.toMs, Math.max(2, Math.floor((width - gutter - right) / 110))), [scale, width, gutter, right]);
  const tickLabels = useMemo(() => new Map(ticks.map((t) => [t.ms, t.label])), [ticks]);
  if (width <= gutter + right) return null;
  return (
    <AreaChart
      width={width}
      height={height}
      data={data}
      margin={{ top: 8, right, bottom: 0, left: 0 }}
      className="tl-volume-chart"
      accessibilityLayer={false}
    >
      <CartesianGrid stroke={colors.grid} vertical={false} />
      <XAxis
        type="number"
        dataKey="startMs"
        domain={[scale.fromMs, scale.toMs]}
        allowDataOverflow
        ticks={ticks.map((t) => t.ms)}
        tickFormatter={(v: number) => tickLabels.get(v) ?? ''}
        stroke={colors.axis}
        tick={{ fill: colors.axis, fontSize: 11 }}
        height={24}
        // The ticks are already spaced for the width: recharts need not measure labels to thin them.
        interval={0}
      />
      <YAxis width={gutter} tickFormatter={compact} stroke={colors.axis} tick={{ fill: colors.axis, fontSize: 11 }} allowDecimals={false} interval={0} tickCount={4} />
      <Tooltip content={VolumeTooltip} isAnimationActive={false} cursor={{ stroke: colors.axis, strokeDasharray: '3 3' }} />
      {VOLUME_SERIES.map((s) => (
        <Area
          key={s.key}
          type="stepAfter"
          dataKey={s.key}
          name={s.label}
          stackId="volume"
          stroke={colors[s.kind]}
          fill={colors[s.kind]}
          fillOpacity={0.55}
          strokeWidth={1}
          isAnimationActive={false}
          dot={false}
          activeDot={false}
        />
      ))}
    </AreaChart>
  );
});
