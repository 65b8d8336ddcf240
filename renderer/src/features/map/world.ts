/**
 * The world map's geometry: country shapes from world-atlas TopoJSON keyed by ISO
 * alpha-2, an Equal Earth projection fitted to the drawing area (equal-area, so a
 * shaded country's size is not exaggerated towards the poles), anchor points for arcs
 * and markers, and the arcs between them.
 */
import { geoArea, geoCentroid, geoEqualEarth, geoPath } from 'd3-geo';
import type { GeoPath, GeoProjection } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { shapeAlpha2 } from './country-codes.ts';

export interface CountryShape {
  /** ISO alpha-2, or null for the few shapes no database locates addresses in. */
  code: string | null;
  /** Name as world-atlas gives it, for shapes without a code. */
  atlasName: string;
  feature: Feature<Geometry>;
  /** [longitude, latitude] where arcs end and markers sit. */
  anchor: [number, number];
}

type CountryProps = { name: string };

/** Country shapes of a world-atlas topology (its `countries` object). */
export function countryShapes(topology: Topology, options: { withoutAntarctica?: boolean } = {}): CountryShape[] {
  const object = topology.objects.countries as GeometryCollection<CountryProps>;
  const collection = feature(topology, object) as FeatureCollection<Geometry, CountryProps>;
  const shapes: CountryShape[] = [];
  for (const f of collection.features) {
    const code = shapeAlpha2(f.id, f.properties?.name);
    // Antarctica takes a fifth of the height of a world map and no server is there.
    if (options.withoutAntarctica === true && code === 'AQ') continue;
    shapes.push({ code, atlasName: f.properties?.name ?? '', feature: f, anchor: mainCentroid(f) });
  }
  return shapes;
}

/**
 * Centroid of the largest polygon of a shape. The centroid of the whole would put
 * France in the Atlantic (French Guiana) and the United States in Canada (Alaska).
 */
export function mainCentroid(f: Feature<Geometry>): [number, number] {
  const g = f.geometry;
  if (g !== null && g.type === 'MultiPolygon') {
    let best: Polygon | null = null;
    let bestArea = -1;
    for (const coordinates of (g as MultiPolygon).coordinates) {
      const polygon: Polygon = { type: 'Polygon', coordinates };
      const area = geoArea(polygon);
      if (area > bestArea) {
        bestArea = area;
        best = polygon;
      }
    }
    if (best !== null) return geoCentroid(best) as [number, number];
  }
  return geoCentroid(f) as [number, number];
}

/** Anchor points by alpha-2 code, for codes of `wanted` found in the topology (for small countries the 110m map lacks). */
export function anchorsFor(topology: Topology, wanted: ReadonlySet<string>): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const shape of countryShapes(topology)) {
    if (shape.code !== null && wanted.has(shape.code) && !out.has(shape.code)) out.set(shape.code, shape.anchor);
  }
  return out;
}

/** An Equal Earth projection that fits the shapes into width × height with a margin. */
export function fitProjection(shapes: readonly CountryShape[], width: number, height: number, margin = 8): GeoProjection {
  const collection: FeatureCollection<Geometry> = { type: 'FeatureCollection', features: shapes.map((s) => s.feature) };
  return geoEqualEarth().fitExtent(
    [
      [margin, margin],
      [Math.max(margin + 1, width - margin), Math.max(margin + 1, height - margin)],
    ],
    collection,
  );
}

/** SVG path data for a shape, rounded to a tenth of a pixel to keep the DOM small. */
export function pathGenerator(projection: GeoProjection): GeoPath {
  return geoPath(projection).digits(1);
}

/**
 * An arc between two projected points as SVG path data: a quadratic curve bowed
 * towards the top of the map. Drawn in screen space rather than as a great circle
 * because a great circle across the antimeridian (Europe to the Americas' west coast,
 * America to Asia) is cut in two at the map's edges, which reads as two flows.
 */
export function curvedArc(from: [number, number], to: [number, number], bend = 0.22): string {
  const [x0, y0] = from;
  const [x1, y1] = to;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length = Math.hypot(dx, dy);
  if (length < 0.5) return '';
  // The normal of the chord, turned to point up the screen (smaller y).
  let nx = -dy / length;
  let ny = dx / length;
  if (ny > 0 || (ny === 0 && nx > 0)) {
    nx = -nx;
    ny = -ny;
  }
  const cx = (x0 + x1) / 2 + nx * length * bend;
  const cy = (y0 + y1) / 2 + ny * length * bend;
  const r = (v: number): number => Math.round(v * 10) / 10;
  return `M${r(x0)},${r(y0)}Q${r(cx)},${r(cy)} ${r(x1)},${r(y1)}`;
}

/** Height a world map of this projection wants for a given width (Equal Earth is about 2.05:1; without Antarctica about 2.3:1). */
export function preferredHeight(width: number, withoutAntarctica: boolean): number {
  return Math.round(width / (withoutAntarctica ? 2.25 : 2.05));
}
