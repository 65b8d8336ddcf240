/**
 * Destination map: where the traffic went. Countries shaded by requests, bytes sent
 * or leaks (`#/map?metric=leaks&country=SG` keeps the choice in the URL), arcs from the
 * capture's origin, and sortable tables of countries, operators and hosts. Private and
 * reserved addresses are listed beside the map, never placed on it.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Topology } from 'topojson-specification';
import worldRaw from 'world-atlas/countries-110m.json?raw';
import { API_MAX_LIMIT } from '../../../../shared/model.ts';
import { useApiQuery, useCase } from '../../lib/api-context.tsx';
import { useRouter } from '../../lib/router.tsx';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { EmptyState, ErrorState, LoadingState, UnavailableState } from '../../components/states.tsx';
import { View } from '../../components/view.tsx';
import { useWidth } from '../timeline/use-width.ts';
import { allAlpha2, countryName } from './country-codes.ts';
import { CountryTables } from './country-table.tsx';
import type { TableTab } from './country-table.tsx';
import { METRIC_LABELS, aggregateDestinations, colorClasses, inferOrigin, legendEntries, metricValue } from './geography.ts';
import type { CountryTotals, MapMetric } from './geography.ts';
import { anchorsFor, countryShapes, preferredHeight } from './world.ts';
import { WorldMap } from './world-map.tsx';
import './map.css';

const WORLD = JSON.parse(worldRaw) as Topology;
const SHAPES = countryShapes(WORLD, { withoutAntarctica: true });
const SHAPE_CODES = new Set(SHAPES.map((s) => s.code).filter((c): c is string => c !== null));
const CLASS_COUNT = 5;
const ORIGIN_KEY = 'telltale.map.origin';

function isMetric(v: string | null): v is MapMetric {
  return v === 'requests' || v === 'bytes' || v === 'leaks';
}

/** The arcs' origin: the investigator's last choice, else a guess from the browser's languages. */
function useOrigin(): [string | null, (code: string | null) => void] {
  const [origin, setOrigin] = useState<string | null>(() => {
    try {
      const stored = window.localStorage.getItem(ORIGIN_KEY);
      if (stored !== null) return stored === '' ? null : stored;
    } catch {
      // No storage: fall through to the guess.
    }
    return inferOrigin(navigator.languages ?? [navigator.language]);
  });
  const choose = useCallback((code: string | null) => {
    setOrigin(code);
    try {
      window.localStorage.setItem(ORIGIN_KEY, code ?? '');
    } catch {
      // Applied for this session only.
    }
  }, []);
  return [origin, choose];
}

/**
 * Anchor points for countries the 1:110m shapes do not draw (Singapore, Hong Kong …),
 * taken from the 1:50m shapes, loaded only when such a country is needed.
 */
function useSmallCountryAnchors(codes: readonly string[]): Map<string, [number, number]> {
  const key = codes.filter((c) => !SHAPE_CODES.has(c)).sort().join(',');
  const [anchors, setAnchors] = useState<Map<string, [number, number]>>(new Map());
  useEffect(() => {
    if (key === '') return;
    let live = true;
    void import('world-atlas/countries-50m.json?raw').then((mod) => {
      if (!live) return;
      setAnchors(anchorsFor(JSON.parse(mod.default) as Topology, new Set(key.split(','))));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return anchors;
}

const COUNTRY_OPTIONS = allAlpha2()
  .concat('XK')
  .map((code) => ({ code, name: countryName(code) }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));

function formatMetric(metric: MapMetric, v: number): string {
  return metric === 'bytes' ? formatBytes(v) : formatCount(v);
}

export default function MapView() {
  const { case: caseState } = useCase();
  const { location, setParams } = useRouter();
  const findings = caseState.status === 'ready' && caseState.info.features.findings;
  const query = useApiQuery('destinations.list', { limit: API_MAX_LIMIT, sort: 'requests' }, { enabled: findings });
  const metricParam = location.params.get('metric');
  const metric: MapMetric = isMetric(metricParam) ? metricParam : 'requests';
  const selected = location.params.get('country');
  const [tab, setTab] = useState<TableTab>('countries');
  const [origin, setOrigin] = useOrigin();
  const [boxRef, boxWidth] = useWidth();

  const rows = query.state.data?.rows;
  const geography = useMemo(() => aggregateDestinations(rows ?? []), [rows]);
  const totals = useMemo(() => new Map<string, CountryTotals>(geography.countries.map((c) => [c.code, c])), [geography]);
  const classes = useMemo(() => colorClasses(geography.countries.map((c) => metricValue(c, metric)), CLASS_COUNT), [geography, metric]);
  const wanted = useMemo(() => [...geography.countries.map((c) => c.code), ...(origin !== null ? [origin] : [])], [geography, origin]);
  const smallAnchors = useSmallCountryAnchors(wanted);
  const markerAnchors = useMemo(() => {
    const m = new Map<string, [number, number]>();
    for (const c of geography.countries) {
      const a = smallAnchors.get(c.code);
      if (a !== undefined) m.set(c.code, a);
    }
    return m;
  }, [geography, smallAnchors]);
  const originAnchor = useMemo(() => {
    if (origin === null) return null;
    const shape = SHAPES.find((s) => s.code === origin);
    const anchor = shape?.anchor ?? smallAnchors.get(origin);
    return anchor === undefined ? null : { code: origin, anchor };
  }, [origin, smallAnchors]);

  const select = useCallback((code: string | null) => setParams({ country: code }, { replace: true }), [setParams]);

  const mapWidth = Math.max(320, boxWidth);
  const mapHeight = preferredHeight(mapWidth, true);

  const controls = (
    <div className="map-controls">
      <fieldset className="map-metric">
        <legend>Shade by</legend>
        {(['requests', 'bytes', 'leaks'] as const).map((m) => (
          <label key={m} className={`map-metric-option${metric === m ? ' map-metric-option--checked' : ''}`}>
            <input type="radio" name="map-metric" value={m} checked={metric === m} onChange={() => setParams({ metric: m === 'requests' ? null : m }, { replace: true })} data-testid={`map-metric-${m}`} />
            {METRIC_LABELS[m]}
          </label>
        ))}
      </fieldset>
      <label className="map-origin-select">
        <span>Capture location</span>
        <select value={origin ?? ''} onChange={(e) => setOrigin(e.target.value === '' ? null : e.target.value)} data-testid="map-origin">
          <option value="">Not shown (no arcs)</option>
          {COUNTRY_OPTIONS.map((o) => (
            <option key={o.code} value={o.code}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );

  let body;
  if (caseState.status === 'ready' && !findings) {
    body = (
      <UnavailableState what="The destination map">
        <p>Countries and operators come from the findings analysis (GeoIP and ASN enrichment), which this case or build does not have yet. Hosts and addresses are listed in the Overview and Evidence views.</p>
      </UnavailableState>
    );
  } else if (query.state.status === 'loading') {
    body = <LoadingState what="destinations" />;
  } else if (query.state.status === 'error' && query.state.data === null) {
    body = <ErrorState what="destinations" error={query.state.error} onRetry={query.reload} />;
  } else if ((rows ?? []).length === 0) {
    body = (
      <EmptyState title="No destinations yet" testId="map-empty">
        <p>The case has no remote hosts. Add captures on the Start page.</p>
      </EmptyState>
    );
  } else {
    const total = query.state.data?.total ?? 0;
    const legend = legendEntries(classes);
    body = (
      <div className="map-layout">
        <div className="map-main">
          <div className="map-box" ref={boxRef}>
            {boxWidth > 0 && (
              <WorldMap
                shapes={SHAPES}
                width={mapWidth}
                height={mapHeight}
                metric={metric}
                classes={classes}
                totals={totals}
                markerAnchors={markerAnchors}
                origin={originAnchor}
                selected={selected}
                onSelect={select}
              />
            )}
          </div>
          <div className={`map-legend map-metric-${metric}`} data-testid="map-legend">
            <span className="map-legend-title">{METRIC_LABELS[metric]} per country</span>
            <ul>
              <li>
                <span className="map-legend-swatch map-c0" aria-hidden="true" /> none
              </li>
              {legend.map((e) => (
                <li key={e.classIndex}>
                  <span className={`map-legend-swatch map-c${e.classIndex}`} aria-hidden="true" />
                  <span className="num">{e.from >= e.to ? formatMetric(metric, e.to) : `${formatMetric(metric, e.from)}–${formatMetric(metric, e.to)}`}</span>
                </li>
              ))}
              {originAnchor !== null && (
                <>
                  <li>
                    <span className="map-legend-origin" aria-hidden="true" /> {countryName(originAnchor.code)} (capture location)
                  </li>
                  <li>
                    <span className="map-legend-arc map-legend-arc--leak" aria-hidden="true" /> arc with leaks
                  </li>
                </>
              )}
            </ul>
          </div>
          {total > (rows?.length ?? 0) && (
            <p className="muted map-note">
              Showing the {formatCount(rows?.length ?? 0)} destinations with the most requests of {formatCount(total)}.
            </p>
          )}
        </div>
        <aside className="map-side" aria-label="Countries, operators and hosts">
          <CountryTables geography={geography} tab={tab} onTab={setTab} selected={selected} onSelect={select} />
        </aside>
      </div>
    );
  }

  return (
    <View
      title="Destination map"
      testId="view-map"
      description="Where the traffic went, by the location of the server's address (offline GeoIP)."
      actions={caseState.status === 'ready' && !findings ? undefined : controls}
    >
      {body}
    </View>
  );
}
