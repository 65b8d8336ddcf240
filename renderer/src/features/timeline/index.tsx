/**
 * Timeline view: what happened when, per device and per destination. The zoomed range
 * and input filter live in the URL (`#/timeline?from=<ms>&to=<ms>&input=<id>`), so Back
 * undoes a zoom and a link reopens the same view. Marks open their evidence at
 * `#/evidence?kind=<kind>&id=<id>` (see evidence-link.ts).
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import type { TimelineEvent } from '../../../../shared/model.ts';
import { useApiQuery, useCase } from '../../lib/api-context.tsx';
import { useRouter } from '../../lib/router.tsx';
import { formatCount } from '../../lib/format.ts';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { View } from '../../components/view.tsx';
import LabellingPanel, { SelectionLabelActions } from '../labelling/index.tsx';
import { timelineParams } from './bucketing.ts';
import { eventEvidence } from './evidence-link.ts';
import { KIND_LABELS } from './kinds.ts';
import { formatDuration, formatUtc } from './time-scale.ts';
import { GUTTER, RIGHT, TimelinePlot } from './timeline-plot.tsx';
import type { Selection } from './timeline-plot.tsx';
import { useWidth } from './use-width.ts';
import './timeline.css';

/** Narrowest range a zoom may reach; below it buckets would be finer than the timestamps of most captures. */
const MIN_ZOOM_MS = 10;

function numberParam(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

export default function TimelineView() {
  const { case: caseState } = useCase();
  const { location, setParams, navigate } = useRouter();
  const [boxRef, width] = useWidth();
  const [selection, setSelection] = useState<Selection | null>(null);
  const [moreLanes, setMoreLanes] = useState(false);
  const plotRef = useRef<HTMLDivElement>(null);

  const from = numberParam(location.params, 'from');
  const to = numberParam(location.params, 'to');
  const input = numberParam(location.params, 'input');
  const zoomed = from !== null && to !== null && to > from;
  // Ask for buckets at the width rounded to 64 px so a resize does not refetch at every pixel.
  const queryWidth = Math.max(256, Math.round((width - GUTTER - RIGHT) / 64) * 64);
  const params = useMemo(() => {
    const p = timelineParams(zoomed ? { fromMs: from, toMs: to } : null, queryWidth);
    return { ...p, maxLanes: moreLanes ? 40 : p.maxLanes, ...(input !== null ? { input } : {}) };
  }, [zoomed, from, to, queryWidth, moreLanes, input]);
  const query = useApiQuery('timeline.get', params, { enabled: width > 0 });

  const caseSpan = caseState.status === 'ready' ? caseState.info.span : null;
  const inputs = caseState.status === 'ready' ? caseState.info.inputs : [];

  const zoomTo = useCallback(
    (fromMs: number, toMs: number) => {
      const lo = caseSpan?.fromMs ?? fromMs;
      const hi = caseSpan?.toMs ?? toMs;
      let a = Math.max(lo, fromMs);
      let b = Math.min(hi, toMs);
      if (b - a < MIN_ZOOM_MS) {
        const mid = (a + b) / 2;
        a = mid - MIN_ZOOM_MS / 2;
        b = mid + MIN_ZOOM_MS / 2;
      }
      setSelection(null);
      if (a <= lo && b >= hi) setParams({ from: null, to: null });
      else setParams({ from: Math.floor(a), to: Math.ceil(b) });
    },
    [caseSpan, setParams],
  );

  const openEvent = useCallback(
    (ev: TimelineEvent) => {
      const target = eventEvidence(ev);
      if (target !== null) navigate('evidence', { kind: target.kind, id: target.id });
    },
    [navigate],
  );

  const onDrawn = useCallback((ms: number) => {
    // For the performance notes: the e2e test reads how long the last canvas draw took.
    if (plotRef.current !== null) plotRef.current.dataset.drawMs = ms.toFixed(2);
  }, []);

  const state = query.state;
  const data = state.data;
  const span = data?.span ?? null;

  function zoomOut(): void {
    if (span === null) return;
    const mid = (span.fromMs + span.toMs) / 2;
    const half = span.toMs - span.fromMs;
    zoomTo(mid - half, mid + half);
  }

  const toolbar = (
    <div className="tl-toolbar" role="toolbar" aria-label="Timeline range">
      <div className="tl-toolbar-group">
        <button type="button" className="button" disabled={selection === null} onClick={() => selection && zoomTo(selection.fromMs, selection.toMs)} data-testid="timeline-zoom-selection">
          Zoom to selection
        </button>
        <button type="button" className="button" disabled={!zoomed} onClick={zoomOut}>
          Zoom out
        </button>
        <button type="button" className="button" disabled={!zoomed} onClick={() => zoomTo(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)} data-testid="timeline-reset">
          Whole case
        </button>
      </div>
      <div className="tl-toolbar-group tl-selection-info" aria-live="polite">
        {selection === null ? (
          <span className="muted">Drag across the chart or lanes to select a range</span>
        ) : (
          <>
            <span className="num" data-testid="timeline-selection-text">
              {formatUtc(selection.fromMs)} → {formatUtc(selection.toMs).slice(11)} ({formatDuration(selection.toMs - selection.fromMs)})
            </span>
            <button type="button" className="button button--small" onClick={() => setSelection(null)}>
              Clear
            </button>
          </>
        )}
      </div>
      <SelectionLabelActions selection={selection} onLabelled={() => setSelection(null)} />
    </div>
  );

  let body;
  if (state.status === 'loading' || width === 0) body = <LoadingState what="the timeline" />;
  else if (state.status === 'error' && data === null) body = <ErrorState what="the timeline" error={state.error} onRetry={query.reload} />;
  else if (data === null || span === null || data.buckets.length === 0) {
    body = (
      <EmptyState title="Nothing to draw yet" testId="timeline-empty">
        <p>The case has no timestamped DNS, TLS, HTTP or flow records{input !== null ? ' in this input' : ''}. Add captures on the Start page.</p>
      </EmptyState>
    );
  } else {
    const totals = data.buckets.reduce(
      (acc, b) => {
        acc.dns += b.dns;
        acc.tls += b.tls;
        acc.http += b.http;
        acc.leaks += b.leaks;
        acc.flows += b.flows;
        return acc;
      },
      { dns: 0, tls: 0, http: 0, leaks: 0, flows: 0 },
    );
    body = (
      <>
        <div className="tl-summary">
          <p className="tl-range" data-testid="timeline-range">
            <span className="num">{formatUtc(span.fromMs)}</span> → <span className="num">{formatUtc(span.toMs)}</span>
            <span className="muted"> · {formatDuration(span.toMs - span.fromMs)}{zoomed ? ' (zoomed)' : ''}</span>
          </p>
          <ul className="tl-legend" aria-label="Legend and totals in this range">
            <li>
              <span className="tl-swatch tl-swatch--dns" aria-hidden="true" /> {KIND_LABELS.dns} <span className="num">{formatCount(totals.dns)}</span>
            </li>
            <li>
              <span className="tl-swatch tl-swatch--tls" aria-hidden="true" /> {KIND_LABELS.tls} <span className="num">{formatCount(totals.tls)}</span>
            </li>
            <li>
              <span className="tl-swatch tl-swatch--http" aria-hidden="true" /> {KIND_LABELS.http} <span className="num">{formatCount(totals.http)}</span>
            </li>
            <li>
              <span className="tl-swatch tl-swatch--leak" aria-hidden="true" /> {KIND_LABELS.leak}s <span className="num" data-testid="timeline-leaks">{formatCount(totals.leaks)}</span>
            </li>
            <li>
              <span className="tl-swatch tl-swatch--flow" aria-hidden="true" /> Flows <span className="num">{formatCount(totals.flows)}</span>
            </li>
            {data.modes !== null && (
              <>
                <li>
                  <span className="tl-swatch tl-swatch--incognito" aria-hidden="true" /> Incognito
                </li>
                <li>
                  <span className="tl-swatch tl-swatch--normal" aria-hidden="true" /> Normal
                </li>
              </>
            )}
          </ul>
        </div>
        {totals.dns + totals.tls + totals.http + totals.flows + totals.leaks === 0 && (
          <p className="tl-empty-range" role="status" data-testid="timeline-empty-range">
            No record falls in this range.{' '}
            <button type="button" className="tl-link-button" onClick={zoomOut}>
              Zoom out
            </button>{' '}
            or{' '}
            <button type="button" className="tl-link-button" onClick={() => zoomTo(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)}>
              show the whole case
            </button>
            .
          </p>
        )}
        <div className={`tl-plot-frame${state.status === 'ready' && state.refreshing ? ' tl-plot-frame--refreshing' : ''}`} ref={plotRef} data-testid="timeline-plot">
          <TimelinePlot timeline={data} width={width} selection={selection} onSelect={setSelection} onOpenEvent={openEvent} onDrawn={onDrawn} />
        </div>
        {(data.deviceLanes > data.devices.length || data.destinationLanes > data.destinations.length || moreLanes) && (
          <p className="tl-more">
            <button type="button" className="button button--small" onClick={() => setMoreLanes((m) => !m)}>
              {moreLanes ? 'Show the top 12 lanes' : 'Show up to 40 lanes per group'}
            </button>
          </p>
        )}
        {data.modes === null && <p className="tl-note muted">Incognito and normal windows are shaded once the case has findings.</p>}
      </>
    );
  }

  return (
    <View
      title="Timeline"
      testId="view-timeline"
      description="Records over time, all times UTC. Select a range to zoom or to label it; click a mark to open its evidence."
      actions={
        inputs.length > 1 ? (
          <label className="tl-input-filter">
            <span>Input</span>
            <select
              value={input ?? ''}
              onChange={(e) => {
                setSelection(null);
                setParams({ input: e.target.value === '' ? null : Number(e.target.value), from: null, to: null });
              }}
            >
              <option value="">All inputs</option>
              {inputs.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.fileName}
                </option>
              ))}
            </select>
          </label>
        ) : undefined
      }
    >
      {toolbar}
      <div className="tl-box" ref={boxRef}>
        {body}
      </div>
      <details className="lb-details panel">
        <summary className="panel-header">
          <span className="panel-title">Incognito and normal labels</span>
        </summary>
        <div className="panel-body">
          <LabellingPanel compact />
        </div>
      </details>
    </View>
  );
}

