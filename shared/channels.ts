/**
 * Runtime lists of the contract's names. The preload builds its named functions from
 * these and the Electron main process registers one IPC handler per method; both are
 * checked against the type map in `api.ts` at compile time, so a method added there
 * and forgotten here does not build.
 */
import type { ApiEvent, ApiMethod } from './api.ts';

/**
 * The name each method has on `window.telltale`. A record typed by the method union
 * must list every method exactly once, which keeps this, API_METHODS and the types
 * from drifting apart.
 */
export const BRIDGE_NAMES = {
  'app.version': 'appVersion',
  'case.create': 'createCase',
  'case.open': 'openCase',
  'case.info': 'caseInfo',
  'case.recent': 'recentCases',
  'import.start': 'startImport',
  'import.cancel': 'cancelImport',
  'import.list': 'listImports',
  'overview.get': 'getOverview',
  'timeline.get': 'getTimeline',
  'evidence.query': 'queryEvidence',
  'evidence.get': 'getEvidence',
  'hosts.list': 'listHosts',
  'anomalies.list': 'listAnomalies',
  'destinations.list': 'listDestinations',
  'identifiers.list': 'listIdentifiers',
  'devices.list': 'listDevices',
  'accounts.list': 'listAccounts',
  'entities.links': 'listEntityLinks',
  'leaks.list': 'listLeaks',
  'modes.list': 'listModes',
  'modes.set': 'setMode',
  'modes.remove': 'removeMode',
  'compare.get': 'getComparison',
  'report.get': 'getReport',
  'report.export': 'exportReport',
} as const satisfies { readonly [M in ApiMethod]: string };

export type BridgeName<M extends ApiMethod> = (typeof BRIDGE_NAMES)[M];

/** Every API method, in contract order. */
export const API_METHODS = Object.keys(BRIDGE_NAMES) as readonly ApiMethod[];

const EVENT_NAMES = {
  'import.progress': true,
  'case.changed': true,
} as const satisfies { readonly [E in ApiEvent]: true };

/** Every pushed event. */
export const API_EVENTS = Object.keys(EVENT_NAMES) as readonly ApiEvent[];

const METHOD_SET: ReadonlySet<string> = new Set(API_METHODS);

/** True for a string that names an API method. */
export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && METHOD_SET.has(name);
}
