/**
 * The world map: countries shaded by the chosen metric, arcs from the capture's
 * origin to every destination country, and dot markers for countries too
 * small for the 1:110m shapes (Singapore, Hong Kong, Malta …) so they are never lost.
 * Keyboard users reach every country through the table beside the map; the map follows
 * the table's selection.
 */
import { memo, useMemo, useState } from 'react';
import type { MouseEvent } from 'react';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { classOf } from './geography.ts';
import type { ColorClasses, CountryTotals, MapMetric } from './geography.ts';
import { curvedArc, fitProjection, pathGenerator } from './world.ts';
import type { CountryShape } from './world.ts';
import { countryName } from './country-codes.ts';

export interface WorldMapProps {
  shapes: readonly CountryShape[];
  width: number;
  height: number;
  metric: MapMetric;
  classes: ColorClasses;
  totals: ReadonlyMap<string, CountryTotals>;
  /** Where small countries' markers go: anchors for codes with data that have no 110m shape. */
  markerAnchors: ReadonlyMap<string, [number, number]>;
  origin: { code: string; anchor: [number, number] } | null;
  selected: string | null;
  onSelect(code: string | null): void;
}

interface HoverInfo {
  code: string;
  x: number;
  y: number;
}

function valueOf(t: CountryTotals | undefined, metric: MapMetric): number {
  if (t === undefined) return 0;
  return metric === 'requests' ? t.requests : metric === 'bytes' ? t.bytesUp : t.leaks;
}

export const WorldMap = memo(function WorldMap({ shapes, width, height, metric, classes, totals, markerAnchors, origin, selected, onSelect }: WorldMapProps) {
  const projection = useMemo(() => fitProjection(shapes, width, height), [shapes, width, height]);
  const path = useMemo(() => pathGenerator(projection), [projection]);
  // Path data depends only on the size; shading changes restyle without recomputing it.
  const outlines = useMemo(() => shapes.map((s) => ({ shape: s, d: path(s.feature) ?? '' })), [shapes, path]);
  const [hover, setHover] = useState<HoverInfo | null>(null);

  const shapeCodes = useMemo(() => new Set(shapes.map((s) => s.code).filter((c): c is string => c !== null)), [shapes]);
  const anchorOf = useMemo(() => {
    const m = new Map<string, [number, number]>();
    for (const s of shapes) if (s.code !== null && !m.has(s.code)) m.set(s.code, s.anchor);
    for (const [code, a] of markerAnchors) if (!m.has(code)) m.set(code, a);
    return m;
  }, [shapes, markerAnchors]);

  const arcs = useMemo(() => {
    if (origin === null) return [];
    let max = 0;
    for (const t of totals.values()) max = Math.max(max, valueOf(t, metric));
    const out: Array<{ code: string; d: string; width: number; leaks: boolean }> = [];
    for (const t of totals.values()) {
      if (t.code === origin.code || (t.requests === 0 && t.bytesUp === 0 && t.leaks === 0)) continue;
      const to = anchorOf.get(t.code);
      if (to === undefined) continue;
      const p0 = projection(origin.anchor);
      const p1 = projection(to);
      if (p0 === null || p1 === null) continue;
      const v = valueOf(t, metric);
      out.push({ code: t.code, d: curvedArc(p0, p1), width: 1 + 3 * Math.sqrt(max > 0 ? v / max : 0), leaks: t.leaks > 0 });
    }
    // Leak arcs last, drawn on top.
    return out.sort((a, b) => Number(a.leaks) - Number(b.leaks));
  }, [origin, totals, metric, anchorOf, projection]);

  const markers = useMemo(() => {
    const out: Array<{ code: string; x: number; y: number; cls: number }> = [];
    for (const [code, anchor] of markerAnchors) {
      if (shapeCodes.has(code)) continue;
      const p = projection(anchor);
      if (p === null) continue;
      out.push({ code, x: p[0], y: p[1], cls: classOf(valueOf(totals.get(code), metric), classes) });
    }
    return out;
  }, [markerAnchors, shapeCodes, projection, totals, metric, classes]);

  const originPoint = origin === null ? null : projection(origin.anchor);

  function enter(code: string | null, e: MouseEvent<SVGElement>): void {
    if (code === null) return;
    const box = (e.currentTarget.ownerSVGElement ?? (e.currentTarget as SVGSVGElement)).getBoundingClientRect();
    setHover({ code, x: e.clientX - box.left, y: e.clientY - box.top });
  }

  const hovered = hover === null ? undefined : totals.get(hover.code);
  const shown = [...totals.values()].filter((t) => valueOf(t, metric) > 0).length;

  return (
    <div className="map-canvas" style={{ width, height }}>
      <svg
        className={`map-svg map-metric-${metric}`}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`World map: ${shown} ${shown === 1 ? 'country' : 'countries'} shaded by ${metric === 'bytes' ? 'bytes sent' : metric}${origin ? `, arcs from ${countryName(origin.code)}` : ''}. The table lists the same data.`}
        data-testid="world-map"
        onMouseLeave={() => setHover(null)}
      >
        <rect className="map-sea" width={width} height={height} onClick={() => onSelect(null)} />
        <g className="map-countries">
          {outlines.map(({ shape, d }, i) => {
            const cls = shape.code === null ? 0 : classOf(valueOf(totals.get(shape.code), metric), classes);
            const isSelected = shape.code !== null && shape.code === selected;
            return (
              <path
                key={`${shape.code ?? shape.atlasName}:${i}`}
                d={d}
                className={`map-country map-c${cls}${isSelected ? ' map-country--selected' : ''}${shape.code === origin?.code ? ' map-country--origin' : ''}`}
                data-code={shape.code ?? undefined}
                onMouseMove={(e) => enter(shape.code, e)}
                onClick={() => onSelect(shape.code !== null && totals.has(shape.code) ? (isSelected ? null : shape.code) : null)}
              />
            );
          })}
        </g>
        {selected !== null && (
          // Drawn again on top so its outline is not hidden under its neighbours'.
          <g className="map-selected-outline" aria-hidden="true">
            {outlines
              .filter((o) => o.shape.code === selected)
              .map((o, i) => (
                <path key={i} d={o.d} />
              ))}
          </g>
        )}
        <g className="map-arcs" aria-hidden="true">
          {arcs.map((a) => (
            <path key={a.code} d={a.d} className={`map-arc${a.leaks ? ' map-arc--leak' : ''}${a.code === selected ? ' map-arc--selected' : ''}`} strokeWidth={a.width} />
          ))}
        </g>
        <g className="map-markers">
          {markers.map((m) => (
            <circle
              key={m.code}
              cx={m.x}
              cy={m.y}
              r={m.code === selected ? 6 : 4.5}
              className={`map-marker map-c${m.cls}${m.code === selected ? ' map-marker--selected' : ''}`}
              data-code={m.code}
              onMouseMove={(e) => enter(m.code, e)}
              onClick={() => onSelect(m.code === selected ? null : m.code)}
            />
          ))}
        </g>
        {originPoint !== null && origin !== null && (
          <g className="map-origin" transform={`translate(${originPoint[0]},${originPoint[1]})`} aria-hidden="true">
            <circle r={5} />
            <circle r={9} className="map-origin-ring" />
          </g>
        )}
      </svg>
      {hover !== null && (
        <div className="map-tooltip" role="tooltip" style={{ left: hover.x + 14 + 240 > width ? hover.x - 254 : hover.x + 14, top: hover.y + 12 }} data-testid="map-tooltip">
          <div className="map-tooltip-title">
            {hovered?.name ?? countryName(hover.code)} <span className="muted">{hover.code}</span>
          </div>
          {hovered === undefined ? (
            <div className="muted">No traffic</div>
          ) : (
            <dl className="map-tooltip-figures">
              <div>
                <dt>Requests</dt>
                <dd className="num">{formatCount(hovered.requests)}</dd>
              </div>
              <div>
                <dt>Bytes sent</dt>
                <dd className="num">{formatBytes(hovered.bytesUp)}</dd>
              </div>
              <div>
                <dt>Leaks</dt>
                <dd className="num">{formatCount(hovered.leaks)}</dd>
              </div>
              <div>
                <dt>Hosts</dt>
                <dd className="num">{formatCount(hovered.hosts)}</dd>
              </div>
              {hovered.operators.length > 0 && (
                <div className="map-tooltip-ops">
                  <dt>Operators</dt>
                  <dd>{hovered.operators.slice(0, 3).map((o) => o.org).join(', ')}{hovered.operators.length > 3 ? ` +${hovered.operators.length - 3}` : ''}</dd>
                </div>
              )}
            </dl>
          )}
        </div>
      )}
    </div>
  );
});
