/**
 * The lanes, drawn on one canvas: per lane a density strip (events per pixel column,
 * from the engine's per-bucket counts) and one mark per kind per pixel column. The
 * cost of a frame follows the width of the view, never the number of packets, and the
 * canvas is redrawn only when data, size or theme change; hover and focus are HTML
 * overlays on top.
 */
import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { LANE_KINDS } from './bucketing.ts';
import type { LaneData } from './bucketing.ts';
import type { KindColors } from './kinds.ts';
import type { TimeScale, TimeTick } from './time-scale.ts';

export interface LaneColors extends KindColors {
  density: string;
  zebra: string;
  grid: string;
}

export interface LaneCanvasProps {
  lanes: readonly LaneData[];
  width: number;
  height: number;
  laneHeight: number;
  ticks: readonly TimeTick[];
  scale: TimeScale;
  colors: LaneColors;
  /** Told how long the last draw took, for the performance notes. */
  onDrawn?: (ms: number) => void;
}

export const LaneCanvas = memo(function LaneCanvas({ lanes, width, height, laneHeight, ticks, scale, colors, onDrawn }: LaneCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const dpr = useMemo(() => (typeof window === 'undefined' ? 1 : Math.min(3, window.devicePixelRatio || 1)), []);

  useLayoutEffect(() => {
    const canvas = ref.current;
    if (canvas === null || width <= 0 || height <= 0) return;
    const started = performance.now();
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    lanes.forEach((lane, i) => {
      if (i % 2 === 1) {
        ctx.fillStyle = colors.zebra;
        ctx.fillRect(0, lane.row.y, width, lane.row.height);
      }
    });

    // Grid lines at the axis ticks, so a mark can be read against the axis above.
    ctx.fillStyle = colors.grid;
    for (const t of ticks) {
      const x = Math.round(((t.ms - scale.fromMs) / (scale.toMs - scale.fromMs)) * width);
      ctx.fillRect(x, 0, 1, height);
    }

    for (const lane of lanes) {
      const { y } = lane.row;
      const bottom = y + laneHeight - 2;
      const room = laneHeight - 4;
      if (lane.densityMax > 0) {
        ctx.fillStyle = colors.density;
        const d = lane.density;
        for (let col = 0; col < d.length; col++) {
          const v = d[col];
          if (v <= 0) continue;
          // Square root: one event next to a burst of a thousand stays visible.
          const h = Math.max(1, Math.sqrt(v / lane.densityMax) * room);
          ctx.fillRect(col, bottom - h, 1, h);
        }
      }
      const mid = y + laneHeight / 2;
      for (let k = 0; k < LANE_KINDS.length; k++) {
        const kind = LANE_KINDS[k];
        const counts = lane.marks.counts[k];
        const leak = kind === 'leak';
        const h = leak ? laneHeight - 4 : Math.round(laneHeight * 0.5);
        const w = leak ? 3 : 2;
        ctx.fillStyle = colors[kind];
        for (let col = 0; col < counts.length; col++) {
          if (counts[col] === 0) continue;
          ctx.fillRect(col - (w >> 1), mid - h / 2, w, h);
        }
      }
    }
    onDrawn?.(performance.now() - started);
  }, [lanes, width, height, laneHeight, ticks, scale, colors, dpr, onDrawn]);

  return <canvas ref={ref} className="tl-lane-canvas" width={Math.round(width * dpr)} height={Math.round(height * dpr)} style={{ width, height }} aria-hidden="true" data-testid="timeline-lanes-canvas" />;
});
