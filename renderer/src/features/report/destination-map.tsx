import type { Topology } from 'topojson-specification';
import atlas110 from 'world-atlas/countries-110m.json';
import atlas50 from 'world-atlas/countries-50m.json';
import type { ReportMap } from '../../../../shared/report.ts';
import { anchorsFor, countryShapes, fitProjection, pathGenerator } from '../map/world.ts';

const WIDTH = 680;
const HEIGHT = 300;
const MAX_LABELS = 10;

/**
 * Destination countries on an Equal Earth world map: shaded by what went there, with a
 * marker per country sized by its destinations so that small countries (Singapore is
 * not even a shape at this scale) stay visible. Plain SVG paths: vector in the PDF.
 */
export function DestinationMap({ map }: { map: ReportMap }) {
  const world110 = atlas110 as unknown as Topology;
  const shapes = countryShapes(world110, { withoutAntarctica: true });
  const projection = fitProjection(shapes, WIDTH, HEIGHT, 6);
  const path = pathGenerator(projection);
  const byCode = new Map(map.countries.map((c) => [c.code, c]));
  const anchors = new Map<string, [number, number]>();
  for (const s of shapes) if (s.code !== null && byCode.has(s.code) && !anchors.has(s.code)) anchors.set(s.code, s.anchor);
  const missing = new Set(map.countries.map((c) => c.code).filter((c) => !anchors.has(c)));
  if (missing.size > 0) {
    for (const [code, anchor] of anchorsFor(atlas50 as unknown as Topology, missing)) anchors.set(code, anchor);
  }
  const maxDest = Math.max(1, ...map.countries.map((c) => c.destinations));
  const labelled = new Set(map.countries.slice(0, MAX_LABELS).map((c) => c.code));

  return (
    <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Map of destination countries" data-testid="report-map">
      <rect x={0} y={0} width={WIDTH} height={HEIGHT} fill="#f7f9fb" />
      {shapes.map((s, i) => {
        const c = s.code !== null ? byCode.get(s.code) : undefined;
        const fill = c === undefined ? '#e3e7ec' : c.findings > 0 ? '#e8a29a' : '#a9c4e0';
        return <path key={`s-${i}`} d={path(s.feature) ?? ''} fill={fill} stroke="#ffffff" strokeWidth={0.4} />;
      })}
      {map.countries.map((c) => {
        const a = anchors.get(c.code);
        const p = a === undefined ? null : projection(a);
        if (p === null || p === undefined) return null;
        const r = 3 + 5 * Math.sqrt(c.destinations / maxDest);
        return (
          <g key={`m-${c.code}`}>
            <circle cx={p[0]} cy={p[1]} r={r} fill={c.findings > 0 ? '#a1261b' : '#1d4e89'} fillOpacity={0.85} stroke="#ffffff" strokeWidth={0.8} />
            {labelled.has(c.code) && (
              <text x={p[0] + r + 2} y={p[1] + 3} fontSize={8.5} fill="#1b1f24" stroke="#ffffff" strokeWidth={2.2} paintOrder="stroke">
                {c.name} ({c.destinations}
                {c.findings > 0 ? `, ${c.findings} findings` : ''})
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** The map's key: what the two shades and the markers mean. */
export function MapLegend() {
  return (
    <svg viewBox={`0 0 ${WIDTH} 16`} role="img" aria-label="Map legend">
      <rect x={0} y={3} width={14} height={10} fill="#e8a29a" />
      <text x={18} y={12} fontSize={8.5}>destinations with findings</text>
      <rect x={160} y={3} width={14} height={10} fill="#a9c4e0" />
      <text x={178} y={12} fontSize={8.5}>destinations, no findings</text>
      <circle cx={330} cy={8} r={5} fill="#1d4e89" />
      <text x={340} y={12} fontSize={8.5}>marker size: number of destinations (host names) in the country</text>
    </svg>
  );
}
