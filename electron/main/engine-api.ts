/**
 * The engine as the Electron shell sees it. Until the engine service lands, every
 * engine method answers 'not-implemented' instead of pretending to work.
 */
import { ApiFailure } from '../../shared/api.ts';
import type { ApiHandlers, ApiResult, EngineApi, ShellMethod } from '../../shared/api.ts';
import { API_METHODS } from '../../shared/channels.ts';

const SHELL_METHODS: ReadonlySet<string> = new Set<ShellMethod>(['app.version']);

/** An EngineApi whose every method rejects with a 'not-implemented' ApiFailure. */
export function notImplementedEngine(): EngineApi {
  const engine: Record<string, () => Promise<never>> = {};
  for (const method of API_METHODS) {
    if (SHELL_METHODS.has(method)) continue;
    engine[method] = () => Promise.reject(new ApiFailure('not-implemented', `${method} is not implemented in this build`));
  }
  return engine as unknown as EngineApi;
}

/** The full handler map: the shell's own methods plus the engine's. */
export function shellHandlers(engine: EngineApi, appVersion: () => ApiResult<'app.version'>): ApiHandlers {
  return { ...engine, 'app.version': () => Promise.resolve(appVersion()) };
}
