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
  const markers: Array<{ code: string; x: number; y: number; r: number; findings: number; label: string }> = [];
  for (const c of map.countries) {
    const a = anchors.get(c.code);
    const p = a === undefined ? null : projection(a);
    if (p === null || p === undefined) continue;
    const label = c.findings > 0 ? `${c.name}: ${c.findings} finding${c.findings === 1 ? '' : 's'}` : `${c.name}: ${c.destinations} destination${c.destinations === 1 ? '' : 's'}`;
    markers.push({ code: c.code, x: p[0], y: p[1], r: 3 + 5 * Math.sqrt(c.destinations / maxDest), findings: c.findings, label });
  }
  const labels = placeLabels(markers.slice(0, MAX_LABELS));

  return (
    <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Map of destination countries" data-testid="report-map">
      <rect x={0} y={0} width={WIDTH} height={HEIGHT} fill="#f7f9fb" />
      {shapes.map((s, i) => {
        const c = s.code !== null ? byCode.get(s.code) : undefined;
        const fill = c === undefined ? '#e3e7ec' : c.findings > 0 ? '#e8a29a' : '#a9c4e0';
        return <path key={`s-${i}`} d={path(s.feature) ?? ''} fill={fill} stroke="#ffffff" strokeWidth={0.4} />;
      })}
      {markers.map((m) => (
        <circle key={`m-${m.code}`} cx={m.x} cy={m.y} r={m.r} fill={m.findings > 0 ? '#a1261b' : '#1d4e89'} fillOpacity={0.85} stroke="#ffffff" strokeWidth={0.8} />
      ))}
      {labels.map((l) => (
        <g key={`l-${l.code}`}>
          {l.leader !== null && <line x1={l.leader[0]} y1={l.leader[1]} x2={l.leader[2]} y2={l.leader[3]} stroke="#5a6470" strokeWidth={0.5} />}
          <text x={l.x} y={l.y} fontSize={LABEL_SIZE} fill="#1b1f24" stroke="#ffffff" strokeWidth={2.2} paintOrder="stroke">
            {l.text}
          </text>
        </g>
      ))}
    </svg>
  );
}

const LABEL_SIZE = 8.5;
/** Average advance of a Liberation Sans character at LABEL_SIZE: enough to keep labels apart. */
const CHAR_WIDTH = 4.6;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/**
 * Greedy label placement: each label, most important first, takes the first spot
 * around its marker (then further out, with a leader line) that overlaps no marker
 * and no label already placed. A label with no free spot is left out: the table under
 * the map lists every country anyway.
 */
function placeLabels(markers: Array<{ code: string; x: number; y: number; r: number; label: string }>): Array<{ code: string; text: string; x: number; y: number; leader: [number, number, number, number] | null }> {
  const taken: Box[] = markers.map((m) => ({ x0: m.x - m.r, y0: m.y - m.r, x1: m.x + m.r, y1: m.y + m.r }));
  const out: Array<{ code: string; text: string; x: number; y: number; leader: [number, number, number, number] | null }> = [];
  for (const m of markers) {
    const w = m.label.length * CHAR_WIDTH;
    const h = LABEL_SIZE + 2;
    const near = m.r + 2;
    const spots: Array<[number, number, boolean]> = [];
    for (const d of [near, near + 14, near + 30]) {
      const far = d > near;
      spots.push([m.x + d, m.y - h / 2, far], [m.x - d - w, m.y - h / 2, far], [m.x - w / 2, m.y - d - h, far], [m.x - w / 2, m.y + d, far]);
      spots.push([m.x + d * 0.7, m.y - d * 0.7 - h, far], [m.x + d * 0.7, m.y + d * 0.7, far], [m.x - d * 0.7 - w, m.y - d * 0.7 - h, far], [m.x - d * 0.7 - w, m.y + d * 0.7, far]);
    }
    for (const [x, y, far] of spots) {
      const box = { x0: x - 1, y0: y - 1, x1: x + w + 1, y1: y + h + 1 };
      if (box.x0 < 0 || box.y0 < 0 || box.x1 > WIDTH || box.y1 > HEIGHT) continue;
      if (taken.some((t) => overlaps(t, box))) continue;
      taken.push(box);
      const cx = Math.min(Math.max(m.x, x), x + w);
      const cy = Math.min(Math.max(m.y, y), y + h);
      out.push({ code: m.code, text: m.label, x, y: y + h - 3, leader: far ? [m.x, m.y, cx, cy] : null });
      break;
    }
  }
  return out;
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
