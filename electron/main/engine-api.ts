/**
 * The engine as the Electron shell sees it: a CaseEngine living in the main process.
 * Imports run on the engine's worker thread, so the main process only relays progress;
 * queries are short SQLite reads on the main process's own connection (see
 * docs/web-host.md for when they would move to a worker too).
 */
import { join } from 'node:path';
import { ApiFailure } from '../../shared/api.ts';
import type { ApiEmit, ApiHandlers, ApiResult, EngineApi, ShellMethod } from '../../shared/api.ts';
import { API_METHODS } from '../../shared/channels.ts';
import { CaseEngine } from '../engine/api/case-engine.ts';

const SHELL_METHODS: ReadonlySet<string> = new Set<ShellMethod>(['app.version', 'report.export']);

/** An EngineApi whose every method rejects with a 'not-implemented' ApiFailure. */
export function notImplementedEngine(): EngineApi {
  const engine: Record<string, () => Promise<never>> = {};
  for (const method of API_METHODS) {
    if (SHELL_METHODS.has(method)) continue;
    engine[method] = () => Promise.reject(new ApiFailure('not-implemented', `${method} is not implemented in this build`));
  }
  return engine as unknown as EngineApi;
}

/**
 * The full handler map: the shell's own methods plus the engine's. Without an
 * `exportReport` (a shell that cannot print), report.export says it is not implemented.
 */
export function shellHandlers(engine: EngineApi, appVersion: () => ApiResult<'app.version'>, exportReport?: ApiHandlers['report.export']): ApiHandlers {
  return {
    ...engine,
    'app.version': () => Promise.resolve(appVersion()),
    'report.export': exportReport ?? (() => Promise.reject(new ApiFailure('not-implemented', 'report.export is not implemented in this build'))),
  };
}

export interface DesktopEngineOptions {
  emit: ApiEmit;
  /** Electron's userData folder: the recent-cases list lives there. */
  userData: string;
  /** Where "New case" puts a case when the page gives no path (Documents/Telltale). */
  casesDir: string;
}

/** The desktop's engine: one CaseEngine, recent cases remembered across runs. */
export function desktopEngine(opts: DesktopEngineOptions): CaseEngine {
  return new CaseEngine({ emit: opts.emit, casesDir: opts.casesDir, recentFile: join(opts.userData, 'recent-cases.json') });
}
