/**
 * The record kinds the timeline draws, their names and their colours. Colours are CSS
 * custom properties (timeline.css, one value per theme); drawing code reads them
 * resolved through useCssColors.
 */
import type { TimelineKind } from '../../../../shared/model.ts';

export type KindColors = Record<TimelineKind, string>;

export const KIND_LABELS: Readonly<Record<TimelineKind, string>> = {
  dns: 'DNS',
  tls: 'TLS',
  http: 'HTTP',
  flow: 'Flow',
  leak: 'Leak',
};

/** CSS property and fallback of each kind's colour (the fallbacks are the light theme's). */
export const KIND_COLOR_PROPS: Readonly<Record<TimelineKind, [string, string]>> = {
  dns: ['--tl-dns', '#2f7d9a'],
  tls: ['--tl-tls', '#6a5acd'],
  http: ['--tl-http', '#3b8a3e'],
  flow: ['--tl-flow', '#8a94a3'],
  leak: ['--tl-leak', '#c2362f'],
};

/** The stacked series of the volume chart, bottom to top: leaks on top where they catch the eye. */
export const VOLUME_SERIES: ReadonlyArray<{ key: 'dns' | 'tls' | 'http' | 'leak'; kind: TimelineKind; label: string }> = [
  { key: 'dns', kind: 'dns', label: 'DNS' },
  { key: 'tls', kind: 'tls', label: 'TLS' },
  { key: 'http', kind: 'http', label: 'HTTP' },
  { key: 'leak', kind: 'leak', label: 'Leak' },
];

