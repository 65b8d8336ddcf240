/**
 * The Engine API contract: one map of methods to their params and result, one map of
 * pushed events. Every shell (Electron IPC, the web host, the CLI) binds this same map
 * and nothing else crosses between UI and engine. Method names are `area.verb`; the
 * runtime list of them is in `channels.ts`, the param schemas in `api-schemas.ts`.
 */
import type {
  AccountRow,
  AnomalyRow,
  AppVersionInfo,
  CaseInfo,
  Comparison,
  DestinationQuery,
  DestinationRow,
  DeviceRow,
  EntityLinkQuery,
  EntityLinkRow,
  EvidenceDetail,
  EvidenceKind,
  EvidencePage,
  EvidenceQuery,
  HostQuery,
  HostRow,
  IdentifierRow,
  ImportProgressEvent,
  LeakQuery,
  LeakRow,
  ModeLabel,
  ModeLabelInput,
  Overview,
  Page,
  RecentCase,
  RowQuery,
  Timeline,
  TimelineQuery,
} from './model.ts';
import type { ReportExportRequest, ReportExportResult, ReportModel, ReportRequest } from './report.ts';

export interface ApiMethods {
  /** Versions of the running shell. */
  'app.version': { params: void; result: AppVersionInfo };
  /**
   * Create a new case and make it the open one. Without a path the shell picks a fresh
   * one (the web host: a new folder under its working directory). Never overwrites.
   */
  'case.create': { params: { path?: string; title?: string }; result: CaseInfo };
  /** Open an existing case file; it becomes the case every other method works on. */
  'case.open': { params: { path: string }; result: CaseInfo };
  /** The open case: inputs with format, size, SHA-256, time span, counts, status and errors. */
  'case.info': { params: void; result: CaseInfo };
  /** Cases this shell opened before, most recent first. */
  'case.recent': { params: void; result: RecentCase[] };
  /**
   * Queue files (absolute paths) for import into the open case; progress arrives as
   * 'import.progress'. Imports run one at a time, each on a worker thread. The web
   * host refuses paths: it imports what is uploaded to POST /api/upload.
   */
  'import.start': { params: { paths: string[] }; result: { importId: string } };
  /** Stop an import; inputs already read stay, the interrupted one keeps what was parsed. */
  'import.cancel': { params: { importId: string }; result: { cancelled: boolean } };
  /** Imports of this session, oldest first, in the shape of their last progress event. */
  'import.list': { params: void; result: ImportProgressEvent[] };
  /** Counts, top destinations and hosts, protocols, time span; findings when there are some. */
  'overview.get': { params: { limit?: number }; result: Overview };
  /** Per-bucket counts by kind and lanes per device and per destination, aggregated in SQL. */
  'timeline.get': { params: TimelineQuery; result: Timeline };
  /** One page of HTTP exchanges, DNS messages, TLS hellos, flows or anomalies. */
  'evidence.query': { params: EvidenceQuery; result: EvidencePage };
  /** Everything about one row: headers, body previews, decode trees, the file and frame it came from. */
  'evidence.get': { params: { kind: EvidenceKind; id: number }; result: EvidenceDetail };
  /** Remote addresses with their names, flows and bytes. */
  'hosts.list': { params: HostQuery; result: Page<HostRow> };
  'anomalies.list': { params: RowQuery; result: Page<AnomalyRow> };
  // Findings: answered once the case has the analysis tables (CaseInfo.features.findings),
  // 'not-implemented' before.
  'destinations.list': { params: DestinationQuery; result: Page<DestinationRow> };
  'identifiers.list': { params: RowQuery; result: Page<IdentifierRow> };
  'devices.list': { params: RowQuery; result: Page<DeviceRow> };
  'accounts.list': { params: RowQuery; result: Page<AccountRow> };
  /** The requests that link a device, an account or an identifier to the traffic, oldest first. */
  'entities.links': { params: EntityLinkQuery; result: Page<EntityLinkRow> };
  'leaks.list': { params: LeakQuery; result: Page<LeakRow> };
  'modes.list': { params: void; result: ModeLabel[] };
  /** Label an input or a time window; answers the labels after the change. */
  'modes.set': { params: ModeLabelInput; result: ModeLabel[] };
  'modes.remove': { params: { id: number }; result: ModeLabel[] };
  /** Incognito versus normal, side by side. */
  'compare.get': { params: void; result: Comparison };
  /**
   * The evidence report's model for the in-app preview. Its manifest hash is that of a
   * preview: the printed PDF's manifest also names the browser that printed it.
   */
  'report.get': { params: ReportRequest; result: ReportModel };
  /**
   * Print the report to PDF. The desktop asks where with its own save dialog (and
   * answers `cancelled` when closed); the web host writes into the case's reports
   * folder, never over a file, and answers a download URL.
   */
  'report.export': { params: ReportExportRequest; result: ReportExportResult };
}

export interface ApiEvents {
  'import.progress': ImportProgressEvent;
  /** The open case changed (opened, created, an import committed rows): views refetch. */
  'case.changed': { path: string; reason: 'opened' | 'created' | 'imported' | 'labelled' };
}

export type ApiMethod = keyof ApiMethods;
export type ApiEvent = keyof ApiEvents;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];
export type ApiEventPayload<E extends ApiEvent> = ApiEvents[E];

/**
 * What a caller can tell apart: bad params, a caller the shell does not trust, a
 * method this build (or this case) does not serve, no open case, a row or file that
 * does not exist, or anything else the engine reported.
 */
export type ApiErrorCode = 'invalid-params' | 'forbidden' | 'not-implemented' | 'no-case' | 'not-found' | 'failed';

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

/**
 * Methods each shell answers itself, from what it knows about its own process:
 * versions, and printing (Electron's printToPDF, or a system Chromium).
 */
export type ShellMethod = 'app.version' | 'report.export';

/** What the engine implements: every method except the shell's own. */
export type EngineApi = Omit<ApiHandlers, ShellMethod>;
