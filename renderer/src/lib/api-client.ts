/**
 * How views talk to the engine without knowing which shell runs them. Today the only
 * transport is the Electron preload bridge (`window.telltale`); the web host's HTTP
 * transport will implement the same ApiClient.
 */
import type { ApiError, ApiErrorCode, ApiEvent, ApiEventPayload, ApiMethod, ApiParams, ApiResponse, ApiResult } from '../../../shared/api.ts';
import { BRIDGE_EVENT_LISTENERS } from '../../../shared/bridge.ts';
import type { TelltaleBridge, Unsubscribe } from '../../../shared/bridge.ts';
import { BRIDGE_NAMES } from '../../../shared/channels.ts';

/** A failed API call, with the code the shell or engine gave. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode;
  readonly method: ApiMethod;
  constructor(method: ApiMethod, error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.method = method;
  }
}

export interface ApiClient {
  /** Which shell answers: decides only what the UI offers (e.g. local file paths). */
  readonly transport: 'electron';
  call<M extends ApiMethod>(method: M, ...params: ParamArgs<M>): Promise<ApiResult<M>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): Unsubscribe;
  /** Local path of a dropped file, or null when this transport has none. */
  pathForFile(file: File): string | null;
}

/** Methods without params are called with no second argument. */
export type ParamArgs<M extends ApiMethod> = [ApiParams<M>] extends [void] ? [] : [params: ApiParams<M>];

type LooseBridgeFunction = (params?: unknown) => Promise<ApiResponse<unknown>>;
type LooseListen = (listener: (payload: unknown) => void) => Unsubscribe;

/** An ApiClient over the Electron preload bridge. */
export function electronClient(bridge: TelltaleBridge<File>): ApiClient {
  // The bridge's functions are typed one by one; the client reaches them by name, so
  // it sees them through one loose signature and restores the types at its edge.
  const named = bridge as unknown as Record<string, LooseBridgeFunction | LooseListen | undefined>;
  return {
    transport: 'electron',
    async call<M extends ApiMethod>(method: M, ...params: ParamArgs<M>): Promise<ApiResult<M>> {
      const fn = named[BRIDGE_NAMES[method]] as LooseBridgeFunction | undefined;
      if (fn === undefined) throw new ApiCallError(method, { code: 'not-implemented', message: `the desktop bridge has no ${method}` });
      const response = await fn(params[0]);
      if (!response.ok) throw new ApiCallError(method, response.error);
      return response.result as ApiResult<M>;
    },
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): Unsubscribe {
      const name = listenerNameFor(event);
      const subscribe = named[name] as LooseListen | undefined;
      if (subscribe === undefined) return () => {};
      return subscribe(listener as (payload: unknown) => void);
    },
    pathForFile(file: File): string | null {
      const path = bridge.getPathForFile(file);
      return path === '' ? null : path;
    },
  };
}

function listenerNameFor(event: ApiEvent): string {
  for (const [name, listened] of Object.entries(BRIDGE_EVENT_LISTENERS)) {
    if (listened === event) return name;
  }
  return '';
}

/** The client for whichever shell this page runs in, or null when there is none yet. */
export function detectClient(): ApiClient | null {
  const bridge = window.telltale;
  return bridge === undefined ? null : electronClient(bridge);
}
