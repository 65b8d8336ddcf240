/**
 * The Engine API contract: one map of methods to their params and result, one map of
 * pushed events. Every shell (Electron IPC, the web host, the CLI) binds this same map
 * and nothing else crosses between UI and engine. Method names are `area.verb`; the
 * runtime list of them is in `channels.ts`, the param schemas in `api-schemas.ts`.
 */
import type {
  AnomalyRow,
  AppVersionInfo,
  CaseSummary,
  DnsRow,
  HostRow,
  HttpRow,
  ImportProgressEvent,
  InputInfo,
  Page,
  RowQuery,
  TlsRow,
} from './model.ts';

export interface ApiMethods {
  /** Versions of the running shell. */
  'app.version': { params: void; result: AppVersionInfo };
  /** Open (or create) a case file; it becomes the case every other method works on. */
  'case.open': { params: { path: string }; result: CaseSummary };
  'case.summary': { params: void; result: CaseSummary };
  /** Start importing files into the open case; progress arrives as 'import.progress'. */
  'import.start': { params: { paths: string[] }; result: { importId: string } };
  /** Stop an import; inputs already read stay, the interrupted one keeps what was parsed. */
  'import.cancel': { params: { importId: string }; result: { cancelled: boolean } };
  'inputs.list': { params: void; result: InputInfo[] };
  'dns.query': { params: RowQuery; result: Page<DnsRow> };
  'tls.query': { params: RowQuery; result: Page<TlsRow> };
  'http.query': { params: RowQuery; result: Page<HttpRow> };
  'hosts.list': { params: RowQuery; result: Page<HostRow> };
  'anomalies.list': { params: RowQuery; result: Page<AnomalyRow> };
}

export interface ApiEvents {
  'import.progress': ImportProgressEvent;
}

export type ApiMethod = keyof ApiMethods;
export type ApiEvent = keyof ApiEvents;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];
export type ApiEventPayload<E extends ApiEvent> = ApiEvents[E];

/**
 * What a caller can tell apart: bad params, a caller the shell does not trust, a
 * method this build does not serve yet, no open case, or anything else the engine
 * reported.
 */
export type ApiErrorCode = 'invalid-params' | 'forbidden' | 'not-implemented' | 'no-case' | 'failed';

export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

/**
 * Every call answers with this envelope rather than a thrown error: thrown errors lose
 * everything but their message across IPC and the context bridge, and the HTTP host
 * can send the same shape as JSON.
 */
export type ApiResponse<R> = { ok: true; result: R } | { ok: false; error: ApiError };

/** An error an engine method throws to give the caller a specific code. */
export class ApiFailure extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
  }
}

/** One implementation of every method: what each shell binds to its transport. */
export type ApiHandlers = {
  [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResult<M>>;
};

/** How an engine pushes events to whichever shell runs it. */
export type ApiEmit = <E extends ApiEvent>(event: E, payload: ApiEventPayload<E>) => void;

/** Methods each shell answers itself, from what it knows about its own process. */
export type ShellMethod = 'app.version';

/** What the engine implements: every method except the shell's own. */
export type EngineApi = Omit<ApiHandlers, ShellMethod>;
