/**
 * The interactive part of the timeline: volume chart, lanes, incognito/normal shading,
 * the brush and the hover card. One time scale maps both the chart's plot area and the
 * lanes; pointer and keyboard input are handled here, once, for both.
 *
 * Mouse: drag across the chart or the lanes to select a time range; click a mark to
 * open its evidence. Keyboard (when the lanes have focus): ↑/↓ lane, ←/→ event,
 * Enter opens the evidence, Shift+←/→ grows the selection, Escape clears it.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, PointerEvent } from 'react';
import type { Timeline, TimelineEvent } from '../../../../shared/model.ts';
import { formatCount } from '../../lib/format.ts';
import { layoutLanes, modeRects, nearestEvent, normalizeSelection, rowAt, shapeLanes, volumeSeries } from './bucketing.ts';
import type { LaneRow } from './bucketing.ts';
import { eventEvidence } from './evidence-link.ts';
import { KIND_COLOR_PROPS, KIND_LABELS } from './kinds.ts';
import { LaneCanvas } from './lane-canvas.tsx';
import { clamp, formatUtc, timeScale, timeTicks, toMs, toX } from './time-scale.ts';
import { useCssColors } from './use-css-colors.ts';
import { VolumeChart } from './volume-chart.tsx';

export const GUTTER = 188;
export const RIGHT = 28;
const CHART_HEIGHT = 150;
const LANE_HEIGHT = 22;
const HEADER_HEIGHT = 26;
/** A drag shorter than this is a click. */
const CLICK_SLOP_PX = 4;
/** How far from a mark the pointer may be and still hit it. */
const HIT_PX = 5;

export interface Selection {
  fromMs: number;
  toMs: number;
}

export interface TimelinePlotProps {
  timeline: Timeline;
  width: number;
  selection: Selection | null;
  onSelect(selection: Selection | null): void;
  onOpenEvent(ev: TimelineEvent): void;
  onDrawn?: (ms: number) => void;
}

interface Hover {
  x: number;
  y: number;
  row: LaneRow | null;
  event: TimelineEvent | null;
  ms: number;
}

interface Focus {
  /** Index into the lane rows (headers excluded). */
  lane: number;
  /** Index into that lane's events, -1 before the first. */
  event: number;
}

const COLOR_PROPS = {
  ...KIND_COLOR_PROPS,
  density: ['--tl-density', 'rgba(120, 130, 145, 0.35)'],
  zebra: ['--tl-zebra', 'rgba(127, 127, 127, 0.06)'],
  grid: ['--tl-grid', 'rgba(127, 127, 127, 0.18)'],
  axis: ['--tl-axis', '#6b7480'],
} as const satisfies Record<string, [string, string]>;

export function TimelinePlot({ timeline, width, selection, onSelect, onOpenEvent, onDrawn }: TimelinePlotProps) {
  const colors = useCssColors(COLOR_PROPS);
  const span = timeline.span;
  const plotWidth = Math.max(1, width - GUTTER - RIGHT);
  // The scale in plot coordinates (0 = left edge of the plot); the chart adds the gutter itself.
  const scale = useMemo(() => timeScale(span?.fromMs ?? 0, span?.toMs ?? 1, 0, plotWidth), [span, plotWidth]);
  const ticks = useMemo(() => timeTicks(scale.fromMs, scale.toMs, Math.max(2, Math.floor(plotWidth / 110))), [scale, plotWidth]);
  const points = useMemo(() => volumeSeries(timeline.buckets, timeline.bucketMs, Math.ceil(plotWidth / 3)), [timeline, plotWidth]);
  const layout = useMemo(
    () => layoutLanes(timeline.devices, timeline.destinations, { devices: timeline.deviceLanes, destinations: timeline.destinationLanes }, LANE_HEIGHT, HEADER_HEIGHT),
    [timeline],
  );
  const laneRows = useMemo(() => layout.rows.filter((r) => r.type === 'lane'), [layout]);
  const lanes = useMemo(() => shapeLanes(timeline, layout.rows, scale, plotWidth), [timeline, layout, scale, plotWidth]);
  const shading = useMemo(() => modeRects(timeline.modes, scale), [timeline.modes, scale]);

  const areaRef = useRef<HTMLDivElement>(null);
  const lanesRef = useRef<HTMLDivElement>(null);
  const drag = useRef<{ startX: number; startMs: number; moved: boolean } | null>(null);
  const [draft, setDraft] = useState<Selection | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const [focus, setFocus] = useState<Focus | null>(null);

  const msPerPx = (scale.toMs - scale.fromMs) / plotWidth;
  const shown = draft ?? selection;

  /** Pointer position relative to the plot's left edge and the lanes' top. */
  const locate = useCallback((e: PointerEvent<HTMLElement>): { x: number; laneY: number | null } => {
    const area = areaRef.current?.getBoundingClientRect();
    const lanesBox = lanesRef.current?.getBoundingClientRect();
    const x = e.clientX - (area?.left ?? 0) - GUTTER;
    const inLanes = lanesBox !== undefined && e.clientY >= lanesBox.top && e.clientY < lanesBox.bottom;
    return { x, laneY: inLanes ? e.clientY - (lanesBox?.top ?? 0) : null };
  }, []);

  const eventAt = useCallback(
    (x: number, laneY: number | null): { row: LaneRow | null; event: TimelineEvent | null } => {
      if (laneY === null) return { row: null, event: null };
      const row = rowAt(layout.rows, laneY);
      if (row === null || row.lane === null) return { row, event: null };
      const i = nearestEvent(row.lane.events, toMs(scale, x), HIT_PX * msPerPx);
      return { row, event: i < 0 ? null : row.lane.events[i] };
    },
    [layout, scale, msPerPx],
  );

  function onPointerDown(e: PointerEvent<HTMLDivElement>): void {
    if (e.button !== 0) return;
    const { x } = locate(e);
    if (x < 0 || x > plotWidth) return;
    drag.current = { startX: x, startMs: toMs(scale, x), moved: false };
    e.currentTarget.setPointerCapture(e.pointerId);
  }

  function onPointerMove(e: PointerEvent<HTMLDivElement>): void {
    const { x, laneY } = locate(e);
    const d = drag.current;
    if (d !== null) {
      if (Math.abs(x - d.startX) >= CLICK_SLOP_PX) d.moved = true;
      if (d.moved) setDraft(normalizeSelection(d.startMs, toMs(scale, clamp(x, 0, plotWidth)), scale.fromMs, scale.toMs, 0));
      return;
    }
    if (x < 0 || x > plotWidth || laneY === null) {
      setHover(null);
      return;
    }
    const { row, event } = eventAt(x, laneY);
    const area = areaRef.current?.getBoundingClientRect();
    setHover({ x: e.clientX - (area?.left ?? 0), y: e.clientY - (area?.top ?? 0), row, event, ms: toMs(scale, x) });
  }

  function onPointerUp(e: PointerEvent<HTMLDivElement>): void {
    const d = drag.current;
    drag.current = null;
    if (d === null) return;
    const { x, laneY } = locate(e);
    if (d.moved) {
      onSelect(normalizeSelection(d.startMs, toMs(scale, clamp(x, 0, plotWidth)), scale.fromMs, scale.toMs, msPerPx));
      setDraft(null);
      return;
    }
    const { event } = eventAt(x, laneY);
    if (event !== null) onOpenEvent(event);
    else onSelect(null);
  }

  function focusedEvent(f: Focus | null): { row: LaneRow; event: TimelineEvent | null } | null {
    if (f === null) return null;
    const row = laneRows[f.lane];
    if (row === undefined || row.lane === null) return null;
    return { row, event: f.event >= 0 ? (row.lane.events[f.event] ?? null) : null };
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>): void {
    if (laneRows.length === 0) return;
    const f = focus ?? { lane: 0, event: -1 };
    const events = laneRows[f.lane]?.lane?.events ?? [];
    let next: Focus | null = null;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        const lane = clamp(f.lane + (e.key === 'ArrowDown' ? 1 : -1), 0, laneRows.length - 1);
        // Keep the same moment in the new lane: the event nearest the current one's time.
        const current = focusedEvent(f)?.event;
        const target = laneRows[lane].lane?.events ?? [];
        const idx = current ? nearestEvent(target, current.tsMs, Number.POSITIVE_INFINITY) : target.length > 0 ? 0 : -1;
        next = { lane, event: idx };
        break;
      }
      case 'ArrowRight':
      case 'ArrowLeft': {
        if (events.length === 0) {
          next = f;
          break;
        }
        const step = e.key === 'ArrowRight' ? 1 : -1;
        const idx = f.event < 0 ? (step > 0 ? 0 : events.length - 1) : clamp(f.event + step, 0, events.length - 1);
        next = { lane: f.lane, event: idx };
        if (e.shiftKey) {
          const anchor = selection?.fromMs ?? events[f.event >= 0 ? f.event : idx].tsMs;
          onSelect(normalizeSelection(anchor, events[idx].tsMs, scale.fromMs, scale.toMs, 0));
        }
        break;
      }
      case 'Home':
        next = { lane: f.lane, event: events.length > 0 ? 0 : -1 };
        break;
      case 'End':
        next = { lane: f.lane, event: events.length - 1 };
        break;
      case 'Enter': {
        const target = focusedEvent(f)?.event;
        if (target) onOpenEvent(target);
        break;
      }
      case 'Escape':
        onSelect(null);
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next !== null) setFocus(next);
  }

  const focused = focusedEvent(focus);
  const chartHeight = CHART_HEIGHT;
  const totalHeight = chartHeight + layout.height;

  return (
    <div className="tl-plot" ref={areaRef} style={{ width, height: totalHeight }}>
      <div className="tl-shading" aria-hidden="true">
        {shading.map((r) => (
          <div key={`${r.mode}:${r.fromMs}`} className={`tl-mode tl-mode--${r.mode}`} style={{ left: GUTTER + r.x, width: r.width, height: totalHeight }}>
            {/* A label cut to a few letters reads as noise; narrow windows rely on the legend. */}
            {r.width >= 72 && <span className="tl-mode-label">{r.mode === 'incognito' ? 'Incognito' : 'Normal'}</span>}
          </div>
        ))}
      </div>
      <div
        className="tl-interactive"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          drag.current = null;
          setDraft(null);
        }}
        onPointerLeave={() => setHover(null)}
      >
        <div className="tl-chart" data-testid="timeline-volume">
          <VolumeChart points={points} scale={scale} width={width} height={chartHeight} gutter={GUTTER} right={RIGHT} colors={colors} />
        </div>
        <div
          className="tl-lanes"
          ref={lanesRef}
          style={{ height: layout.height }}
          tabIndex={0}
          role="group"
          aria-label="Lanes per device and destination. Arrow keys move between lanes and events, Enter opens the evidence, Shift with arrows selects a range."
          aria-describedby="tl-focus-text"
          data-testid="timeline-lanes"
          onKeyDown={onKeyDown}
          onFocus={() => {
            if (focus === null && laneRows.length > 0) setFocus({ lane: 0, event: -1 });
          }}
        >
          <div className="tl-lane-labels">
            {layout.rows.map((r) => (
              <div
                key={`${r.group}:${r.type}:${r.lane?.key ?? r.title}`}
                className={r.type === 'header' ? 'tl-group-header' : `tl-lane-label${focused?.row === r ? ' tl-lane-label--focused' : ''}`}
                // Headers span the plot too (nothing is drawn on their rows), so "top 12 of 2,486" fits.
                style={{ top: r.y, height: r.height, width: r.type === 'header' ? width - RIGHT : GUTTER }}
                title={r.lane ? `${r.lane.label}${r.lane.detail ? `\n${r.lane.detail}` : ''}\n${formatCount(r.lane.total)} events` : undefined}
                data-testid={r.type === 'lane' ? `timeline-lane-${r.group}` : undefined}
              >
                <span className="tl-lane-name">{r.title}</span>
                {r.lane && <span className="tl-lane-total num">{formatCount(r.lane.total)}</span>}
              </div>
            ))}
          </div>
          <div className="tl-lane-plot" style={{ left: GUTTER, width: plotWidth, height: layout.height }}>
            <LaneCanvas lanes={lanes} width={plotWidth} height={layout.height} laneHeight={LANE_HEIGHT} ticks={ticks} scale={scale} colors={colors} onDrawn={onDrawn} />
          </div>
          {focused !== null && focused.event !== null && (
            <div
              className="tl-focus-ring"
              style={{ left: GUTTER + toX(scale, focused.event.tsMs) - 5, top: focused.row.y + 1, height: focused.row.height - 2 }}
              aria-hidden="true"
            />
          )}
        </div>
        {shown !== null && (
          <div
            className="tl-selection"
            data-testid="timeline-selection"
            style={{ left: GUTTER + toX(scale, shown.fromMs), width: Math.max(1, toX(scale, shown.toMs) - toX(scale, shown.fromMs)), height: totalHeight }}
            aria-hidden="true"
          />
        )}
        {hover !== null && hover.row !== null && hover.row.lane !== null && drag.current === null && (
          <div className="tl-cursor" style={{ left: hover.x, height: totalHeight }} aria-hidden="true" />
        )}
      </div>
      {hover !== null && hover.row !== null && hover.row.lane !== null && drag.current === null && (
        <HoverCard hover={hover} timeline={timeline} width={width} />
      )}
      <p id="tl-focus-text" className="visually-hidden" aria-live="polite">
        {focused === null
          ? ''
          : focused.event === null
            ? `${focused.row.title}: ${formatCount(focused.row.lane?.total ?? 0)} events. Press right arrow for the first.`
            : `${focused.row.title}: ${KIND_LABELS[focused.event.kind]} ${focused.event.label}, ${formatUtc(focused.event.tsMs)}`}
      </p>
      {focused !== null && focused.event !== null && (
        <div className="tl-tooltip tl-tooltip--focus" style={{ left: clamp(GUTTER + toX(scale, focused.event.tsMs) + 12, 0, width - 280), top: CHART_HEIGHT + focused.row.y + focused.row.height + 4 }}>
          <EventText event={focused.event} lane={focused.row} />
        </div>
      )}
    </div>
  );
}

function EventText({ event, lane }: { event: TimelineEvent; lane: LaneRow }) {
  const evidence = eventEvidence(event);
  return (
    <>
      <div className="tl-tooltip-kind">
        <span className={`tl-swatch tl-swatch--${event.kind}`} aria-hidden="true" /> {KIND_LABELS[event.kind]}
        <span className="tl-tooltip-lane"> · {lane.title}</span>
      </div>
      <div className="tl-tooltip-label">{event.label}</div>
      <div className="tl-tooltip-time num">{formatUtc(event.tsMs)}</div>
      <div className="tl-tooltip-hint">{evidence === null ? 'No evidence row recorded for this mark' : 'Click or press Enter to open the evidence'}</div>
    </>
  );
}

function HoverCard({ hover, timeline, width }: { hover: Hover; timeline: Timeline; width: number }) {
  const left = hover.x + 14 + 280 > width ? hover.x - 14 - 280 : hover.x + 14;
  const lane = hover.row?.lane;
  let bucketText: string | null = null;
  if (lane && timeline.buckets.length > 0 && hover.event === null) {
    const first = timeline.buckets[0].startMs;
    const i = Math.floor((hover.ms - first) / timeline.bucketMs);
    if (i >= 0 && i < lane.counts.length) {
      const from = first + i * timeline.bucketMs;
      bucketText = `${formatCount(lane.counts[i])} events between ${formatUtc(from)} and ${formatUtc(from + timeline.bucketMs).slice(11)}`;
    }
  }
  return (
    <div className="tl-tooltip tl-tooltip--hover" style={{ left: Math.max(0, left), top: hover.y + 14 }} role="tooltip" data-testid="timeline-tooltip">
      {hover.event !== null && hover.row !== null ? (
        <EventText event={hover.event} lane={hover.row} />
      ) : (
        <>
          <div className="tl-tooltip-kind">{hover.row?.title}</div>
          {lane?.detail && <div className="tl-tooltip-detail">{lane.detail}</div>}
          <div className="tl-tooltip-time num">{bucketText ?? formatUtc(hover.ms)}</div>
        </>
      )}
    </div>
  );
}
