/**
 * How views talk to the engine without knowing which shell runs them: the Electron
 * preload bridge (`window.telltale`) or, behind the web host, HTTP (POST /api/<method>
 * with the per-server token in a header, pushed events over Server-Sent Events, files
 * by upload). Both answer with the same envelope, so views see one ApiClient.
 */
import type { ApiError, ApiErrorCode, ApiEvent, ApiEventPayload, ApiMethod, ApiParams, ApiResponse, ApiResult } from '../../../shared/api.ts';
import type { UploadResult } from '../../../shared/model.ts';
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

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface ApiClient {
  /** Which shell answers: decides only what the UI offers (e.g. local file paths). */
  readonly transport: 'electron' | 'http';
  call<M extends ApiMethod>(method: M, ...params: ParamArgs<M>): Promise<ApiResult<M>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): Unsubscribe;
  /** Local path of a dropped file, or null when this transport has none. */
  pathForFile(file: File): string | null;
  /**
   * Send files to the web host, which stores them in the case folder and imports them
   * (HTTP transport only: the desktop imports files in place by path).
   */
  upload?(files: File[], onProgress?: (p: UploadProgress) => void): Promise<UploadResult>;
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

/** Header the web host expects the token in (electron/host/guard.ts). */
export const TOKEN_HEADER = 'X-Telltale-Token';
const TOKEN_KEY = 'telltale.token';

function unreachable(method: ApiMethod, err: unknown): ApiCallError {
  const detail = err instanceof Error ? err.message : String(err);
  return new ApiCallError(method, { code: 'failed', message: `the Telltale host did not answer (${detail}); is telltale serve still running?` });
}

function isEnvelope(value: unknown): value is ApiResponse<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  return v.ok === true || (v.ok === false && typeof v.error === 'object' && v.error !== null);
}

/** Parse the host's answer: the envelope it sends for success and for refusals alike. */
async function envelopeOf(method: ApiMethod, response: Response): Promise<ApiResponse<unknown>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, error: { code: 'failed', message: `${method}: the host answered HTTP ${response.status} without a result` } };
  }
  if (!isEnvelope(body)) return { ok: false, error: { code: 'failed', message: `${method}: unexpected answer from the host` } };
  return body;
}

/**
 * An ApiClient over the web host. `base` is the host's origin ('' for the page's own);
 * the token is the one printed with the host's URL.
 */
export function httpClient(base: string, token: string): ApiClient {
  let source: EventSource | null = null;
  const eventsUrl = `${base}/api/events?token=${encodeURIComponent(token)}`;
  function events(): EventSource {
    // One stream for every subscription; EventSource reconnects by itself.
    source ??= new EventSource(eventsUrl);
    return source;
  }
  return {
    transport: 'http',
    async call<M extends ApiMethod>(method: M, ...params: ParamArgs<M>): Promise<ApiResult<M>> {
      let response: Response;
      try {
        response = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
          body: params.length === 0 || params[0] === undefined ? '' : JSON.stringify(params[0]),
          cache: 'no-store',
          credentials: 'omit',
        });
      } catch (err) {
        throw unreachable(method, err);
      }
      const envelope = await envelopeOf(method, response);
      if (!envelope.ok) throw new ApiCallError(method, envelope.error);
      return envelope.result as ApiResult<M>;
    },
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): Unsubscribe {
      const es = events();
      const relay = (e: MessageEvent<string>): void => {
        let payload: ApiEventPayload<E>;
        try {
          payload = JSON.parse(e.data) as ApiEventPayload<E>;
        } catch {
          return;
        }
        listener(payload);
      };
      es.addEventListener(event, relay as EventListener);
      return () => es.removeEventListener(event, relay as EventListener);
    },
    pathForFile(): string | null {
      return null;
    },
    upload(files: File[], onProgress?: (p: UploadProgress) => void): Promise<UploadResult> {
      // XMLHttpRequest rather than fetch: only it reports upload progress.
      return new Promise((resolve, reject) => {
        const form = new FormData();
        for (const file of files) form.append('file', file, file.name);
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `${base}/api/upload`);
        xhr.setRequestHeader(TOKEN_HEADER, token);
        xhr.responseType = 'text';
        if (onProgress !== undefined) {
          xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
        }
        xhr.onerror = () => reject(unreachable('import.start', new Error('network error during upload')));
        xhr.onabort = () => reject(new ApiCallError('import.start', { code: 'failed', message: 'upload aborted' }));
        xhr.onload = () => {
          let body: unknown = null;
          try {
            body = JSON.parse(xhr.responseText) as unknown;
          } catch {
            body = null;
          }
          if (!isEnvelope(body)) {
            reject(new ApiCallError('import.start', { code: 'failed', message: `upload failed: HTTP ${xhr.status}` }));
          } else if (!body.ok) {
            reject(new ApiCallError('import.start', body.error));
          } else {
            resolve(body.result as UploadResult);
          }
        };
        xhr.send(form);
      });
    },
  };
}

/**
 * The token the web host printed in the page URL (`?token=…`). It is moved to
 * sessionStorage and taken out of the address bar, so it survives reloads of this tab
 * but does not linger in history or get copied along with a link.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage may be disabled; the token still works for this page load.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** The client for whichever shell this page runs in, or null when there is none. */
export function detectClient(): ApiClient | null {
  const bridge = window.telltale;
  if (bridge !== undefined) return electronClient(bridge);
  const protocol = window.location.protocol;
  if (protocol === 'http:' || protocol === 'https:') return httpClient('', takeToken() ?? '');
  return null;
}
