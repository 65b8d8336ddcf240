/**
 * The route registry: one entry per view, in navigation order. A view is the default
 * export of `features/<id>/index.tsx`, loaded on first visit (the map and charts are
 * heavy; the start page should not wait for them). Views take no props: they read
 * the case with `useCase()` (lib/api-context.tsx), fetch with `useApiQuery()`, read
 * and change their URL params with `useRouter()` (lib/router.tsx), and link to a row
 * of evidence with `evidenceHref(kind, id)` — `#/evidence?kind=<kind>&id=<id>`.
 */
import { lazy } from 'react';
import type { ComponentType, LazyExoticComponent } from 'react';

export type RouteId = 'start' | 'import' | 'overview' | 'timeline' | 'map' | 'compare' | 'evidence' | 'entities' | 'report';

export interface RouteDef {
  id: RouteId;
  label: string;
  /** What the view is for, as the navigation's tooltip. */
  hint: string;
  /** Views that have nothing to show without an open case. */
  needsCase: boolean;
  component: LazyExoticComponent<ComponentType>;
}

export const ROUTES: readonly RouteDef[] = [
  {
    id: 'start',
    label: 'Start',
    hint: 'Add capture files, open a case',
    needsCase: false,
    component: lazy(() => import('../features/start/index.tsx')),
  },
  {
    id: 'import',
    label: 'Import',
    hint: 'Progress and errors of each file being read',
    needsCase: false,
    component: lazy(() => import('../features/import/index.tsx')),
  },
  {
    id: 'overview',
    label: 'Overview',
    hint: 'Inputs, counts, destinations and findings',
    needsCase: true,
    component: lazy(() => import('../features/overview/index.tsx')),
  },
  {
    id: 'timeline',
    label: 'Timeline',
    hint: 'Activity over time per device and destination',
    needsCase: true,
    component: lazy(() => import('../features/timeline/index.tsx')),
  },
  {
    id: 'map',
    label: 'Map',
    hint: 'Where the traffic went, by country',
    needsCase: true,
    component: lazy(() => import('../features/map/index.tsx')),
  },
  {
    id: 'compare',
    label: 'Compare',
    hint: 'Incognito versus normal browsing',
    needsCase: true,
    component: lazy(() => import('../features/compare/index.tsx')),
  },
  {
    id: 'evidence',
    label: 'Evidence',
    hint: 'HTTP, DNS, TLS, flows and anomalies, row by row',
    needsCase: true,
    component: lazy(() => import('../features/evidence/index.tsx')),
  },
  {
    id: 'entities',
    label: 'Entities',
    hint: 'Devices, accounts and identifiers',
    needsCase: true,
    component: lazy(() => import('../features/entities/index.tsx')),
  },
  { id: 'report', label: 'Report', hint: 'Preview of the evidence report (PDF)', needsCase: true, component: lazy(() => import('../features/report/index.tsx')) },
];

/** The route for a view id, or undefined for an unknown one. */
export function findRoute(id: string): RouteDef | undefined {
  return ROUTES.find((r) => r.id === id);
}
