/**
 * CaseEngine: the Engine API over one open case. Every shell (Electron main, the web
 * host, tests) creates one and binds `api()` to its transport; imports run on the
 * import worker thread, queries are SQLite reads on this thread's own connection
 * (WAL: they never wait for the importing writer).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApiFailure } from '../../../shared/api.ts';
import type { ApiEmit, EngineApi } from '../../../shared/api.ts';
import type {
  CaseInfo,
  EvidenceDetail,
  EvidenceKind,
  EvidencePage,
  EvidenceQuery,
  HostQuery,
  ImportProgressEvent,
  InputInfo,
  Overview,
  RecentCase,
  RowQuery,
  Timeline,
  TimelineQuery,
} from '../../../shared/model.ts';
import { CaseStore, isCaseFile } from '../store/case-store.ts';
import type { InputRow } from '../store/case-store.ts';
import { filesDirFor, newCaseFolder, reportsDirFor } from './case-files.ts';
import { CaseReader } from './case-reader.ts';
import { evidenceDetail } from './evidence-detail.ts';
import { queryEvidence } from './evidence-query.ts';
import { listAnomalies, listHosts } from './hosts.ts';
import { ImportQueue } from './import-queue.ts';
import type { ImportFile, RunImportFn } from './import-queue.ts';
import { spanOf } from './instants.ts';
import { buildOverview, caseCounts } from './overview.ts';
import {
  comparison,
  entityLinks,
  findingsReady,
  inputModes,
  listAccounts,
  listDestinations,
  listDevices,
  listIdentifiers,
  listLeaks,
  listModes,
  modeWindows,
  removeMode,
  setMode,
} from './findings-api.ts';
import type { ModeLabel } from '../../../shared/model.ts';
import type { ReportModel, ReportRequest } from '../../../shared/report.ts';
import type { ReportOptions } from '../report/model.ts';
import { reportFileName, reportOptionsOf, reportPreview } from './report-api.ts';
import { buildTimeline, recordSpan } from './timeline.ts';

const RECENT_MAX = 12;
const OVERVIEW_LIMIT = 10;

export interface CaseEngineOptions {
  /** Where pushed events go (IPC to windows, SSE to browsers). */
  emit: ApiEmit;
  /** Folder under which `case.create` without a path makes a fresh case folder. */
  casesDir: string;
  /** JSON file that keeps recent cases across runs; in memory only when absent. */
  recentFile?: string | null;
  /** Replaces the worker-thread import runner (a bundled shell may need its own worker URL). */
  runImport?: RunImportFn;
}

interface RecentEntry {
  path: string;
  title: string;
  openedAt: string;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function inputInfo(r: InputRow): InputInfo {
  const digits = r.tsDigits ?? 6;
  return {
    id: r.id,
    path: r.path,
    fileName: r.fileName,
    format: r.format,
    gzip: r.gzip,
    sha256: r.sha256,
    size: r.size,
    linkTypes: r.linkTypes,
    tsDigits: digits,
    packets: r.packets,
    harEntries: r.entries,
    span: spanOf(r.firstTs, r.lastTs, digits),
    anomalies: r.anomalies,
    status: r.status,
    error: r.error,
    producer: r.producer,
    addedAt: r.addedAt,
    finishedAt: r.finishedAt,
    mode: null,
  };
}

export class CaseEngine {
  private readonly opts: CaseEngineOptions;
  private readonly imports: ImportQueue;
  private reader: CaseReader | null = null;
  private recent: RecentEntry[] = [];
  /** Why the last re-analysis failed, for the logs of the shell. */
  analysisError: string | null = null;

  constructor(opts: CaseEngineOptions) {
    this.opts = opts;
    this.recent = this.loadRecent();
    this.imports = new ImportQueue({
      runImport: opts.runImport,
      onProgress: (event) => opts.emit('import.progress', event),
      inputOutcome: (casePath, inputId) => this.inputOutcome(casePath, inputId),
      onFinished: (_job, casePath) => {
        if (this.reader !== null && this.reader.store.path === casePath) opts.emit('case.changed', { path: casePath, reason: 'imported' });
      },
      onAnalysed: (casePath, outcome) => {
        if (outcome.state === 'failed') this.analysisError = outcome.error;
        if (this.reader !== null && this.reader.store.path === casePath) opts.emit('case.changed', { path: casePath, reason: 'labelled' });
      },
    });
  }

  /** Path of the open case, or null. */
  get casePath(): string | null {
    return this.reader?.store.path ?? null;
  }

  /** The Engine API bound to this engine. */
  api(): EngineApi {
    return {
      'case.create': async (p) => this.createCase(p.path ?? null, p.title),
      'case.open': async (p) => this.openCase(p.path),
      'case.info': async () => this.caseInfo(),
      'case.recent': async () => this.recentCases(),
      'import.start': async (p) => ({ importId: this.startImport(p.paths.map((path) => ({ path }))) }),
      'import.cancel': async (p) => ({ cancelled: this.imports.cancel(p.importId) }),
      'import.list': async () => this.imports.list(),
      'overview.get': async (p) => this.overview(p.limit),
      'timeline.get': async (p) => this.timeline(p),
      'evidence.query': async (p) => this.queryEvidence(p),
      'evidence.get': async (p) => this.evidence(p.kind, p.id),
      'hosts.list': async (p) => this.hosts(p),
      'anomalies.list': async (p) => this.anomalies(p),
      'destinations.list': async (p) => listDestinations(this.need(), p),
      'identifiers.list': async (p) => listIdentifiers(this.need(), p),
      'devices.list': async (p) => listDevices(this.need(), p),
      'accounts.list': async (p) => listAccounts(this.need(), p),
      'entities.links': async (p) => entityLinks(this.need(), p),
      'leaks.list': async (p) => listLeaks(this.need(), p),
      'modes.list': async () => listModes(this.need()),
      'modes.set': async (p) => this.relabel(() => setMode(this.need(), p)),
      'modes.remove': async (p) => this.relabel(() => removeMode(this.need(), p.id)),
      'compare.get': async () => comparison(this.need()),
      'report.get': async (p) => this.reportModel(p),
    };
  }

  // ---- case -------------------------------------------------------------------

  /** Create a case (a fresh folder under casesDir when no path is given) and open it. */
  createCase(path: string | null, title?: string): CaseInfo {
    const target = path === null ? newCaseFolder(this.opts.casesDir) : resolve(path);
    if (path !== null && existsSync(target)) {
      throw new ApiFailure('failed', `${target} already exists; open it as a case or choose another name (nothing is overwritten)`);
    }
    if (path !== null) mkdirSync(dirname(target), { recursive: true });
    const store = this.tryOpen(() => CaseStore.open(target, { create: true, title }));
    this.setStore(store);
    this.opts.emit('case.changed', { path: store.path, reason: 'created' });
    return this.caseInfo();
  }

  /** Open an existing case file. */
  openCase(path: string): CaseInfo {
    const target = resolve(path);
    if (!existsSync(target)) throw new ApiFailure('not-found', `${target}: no such file`);
    if (!isCaseFile(target)) throw new ApiFailure('failed', `${target} is not a Telltale case`);
    if (this.reader !== null && this.reader.store.path === target) return this.caseInfo();
    const store = this.tryOpen(() => CaseStore.open(target));
    this.setStore(store);
    this.opts.emit('case.changed', { path: store.path, reason: 'opened' });
    return this.caseInfo();
  }

  private tryOpen(open: () => CaseStore): CaseStore {
    try {
      return open();
    } catch (e) {
      throw new ApiFailure('failed', message(e));
    }
  }

  private setStore(store: CaseStore): void {
    this.reader?.store.close();
    this.reader = new CaseReader(store);
    this.remember(store.path, store.meta().title);
  }

  private need(): CaseReader {
    if (this.reader === null) throw new ApiFailure('no-case', 'no case is open: create or open a case first');
    return this.reader;
  }

  /** The open case with its inputs and counts. */
  caseInfo(): CaseInfo {
    const reader = this.need();
    const meta = reader.store.meta();
    const modes = inputModes(reader);
    const inputs = reader.store.inputs().map((r) => ({ ...inputInfo(r), mode: modes.get(r.id) ?? null }));
    const digits = reader.caseDigits();
    const span = recordSpan(reader);
    return {
      path: reader.store.path,
      title: meta.title,
      caseId: meta.caseId,
      created: meta.created,
      createdWith: meta.createdWith,
      inputs,
      counts: caseCounts(reader),
      span: span === null ? null : spanOf(span.first, span.last, digits),
      importing: this.imports.busy(reader.store.path),
      analysing: this.imports.analysing(reader.store.path),
      features: { findings: findingsReady(reader) },
    };
  }

  /** Folder for files uploaded into the open case. */
  filesDir(): string {
    return filesDirFor(this.need().store.path);
  }

  /** Folder for reports exported from the open case (the web host writes there). */
  reportsDir(): string {
    return reportsDirFor(this.need().store.path);
  }

  /** Recent cases, most recent first. */
  recentCases(): RecentCase[] {
    return this.recent.map((r) => ({ ...r, exists: isCaseFile(r.path) }));
  }

  private remember(path: string, title: string): void {
    this.recent = [{ path, title, openedAt: new Date().toISOString() }, ...this.recent.filter((r) => r.path !== path)].slice(0, RECENT_MAX);
    const file = this.opts.recentFile;
    if (file === undefined || file === null) return;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(this.recent, null, 2)}\n`);
    } catch {
      // The list is a convenience; failing to save it must not fail opening a case.
    }
  }

  private loadRecent(): RecentEntry[] {
    const file = this.opts.recentFile;
    if (file === undefined || file === null || !existsSync(file)) return [];
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (!Array.isArray(data)) return [];
      return data.filter((r): r is RecentEntry =>
        typeof r === 'object' && r !== null && typeof (r as RecentEntry).path === 'string' &&
        typeof (r as RecentEntry).title === 'string' && typeof (r as RecentEntry).openedAt === 'string').slice(0, RECENT_MAX);
    } catch {
      return [];
    }
  }

  // ---- import -----------------------------------------------------------------

  /** Queue files for import into the open case; returns the import id. */
  startImport(files: ImportFile[]): string {
    const reader = this.need();
    const casePath = reader.store.path;
    const withSizes = files.map((f) => {
      const path = resolve(f.path);
      if (path === casePath) throw new ApiFailure('invalid-params', `${path} is the case file itself, not a capture`);
      let size = f.size;
      if (size === undefined) {
        try { size = statSync(path).size; } catch { size = 0; }
      }
      return { ...f, path, size };
    });
    return this.imports.start(casePath, withSizes);
  }

  /** Cancel an import. */
  cancelImport(importId: string): boolean {
    return this.imports.cancel(importId);
  }

  /** Imports of this session. */
  listImports(): ImportProgressEvent[] {
    return this.imports.list();
  }

  /** Resolves when no import is queued or running. */
  importsIdle(): Promise<void> {
    return this.imports.idle();
  }

  private inputOutcome(casePath: string, inputId: number): { state: 'done' | 'failed' | 'cancelled'; error: string | null } | null {
    if (this.reader === null || this.reader.store.path !== casePath) return null;
    const r = this.reader.db.prepare('SELECT status, error FROM inputs WHERE id = ?').get(inputId) as { status: string; error: string | null } | undefined;
    if (r === undefined || r.status === 'importing') return null;
    return { state: r.status as 'done' | 'failed' | 'cancelled', error: r.error };
  }

  // ---- queries ----------------------------------------------------------------

  /** Counts, top destinations and hosts, protocols. */
  overview(limit = OVERVIEW_LIMIT): Overview {
    const reader = this.need();
    return buildOverview(reader, this.caseInfo(), limit);
  }

  /** Buckets and lanes for the timeline view. */
  timeline(q: TimelineQuery): Timeline {
    const reader = this.need();
    return buildTimeline(reader, q, modeWindows(reader), findingsReady(reader));
  }

  /** Change labels, then rebuild the findings on the worker; views hear 'case.changed' when it is done. */
  private relabel(change: () => ModeLabel[]): ModeLabel[] {
    const labels = change();
    this.imports.reanalyse(this.need().store.path);
    return labels;
  }

  /** Resolves when no import or re-analysis is queued or running. */
  idle(): Promise<void> {
    return this.imports.idle();
  }

  /** One page of evidence rows. */
  queryEvidence(q: EvidenceQuery): EvidencePage {
    return queryEvidence(this.need(), q);
  }

  /** Full detail of one evidence row. */
  evidence(kind: EvidenceKind, id: number): EvidenceDetail {
    return evidenceDetail(this.need(), kind, id);
  }

  /** One page of remote addresses. */
  hosts(q: HostQuery) {
    return listHosts(this.need(), q);
  }

  /** One page of anomalies. */
  anomalies(q: RowQuery) {
    return listAnomalies(this.need(), q);
  }

  // ---- report -----------------------------------------------------------------

  /** The evidence report's model for a preview (see reportPreview for its manifest hash). */
  reportModel(p: ReportRequest = {}): ReportModel {
    return reportPreview(this.need().store, p);
  }

  /** What a shell prints with: the report options of the params, for the open case. */
  reportOptions(p: ReportRequest): { casePath: string; options: ReportOptions; fileName: string } {
    const reader = this.need();
    return { casePath: reader.store.path, options: reportOptionsOf(p), fileName: reportFileName(p.title ?? reader.store.meta().title) };
  }

  /** Cancel imports, wait for the worker, close the case. */
  async close(): Promise<void> {
    await this.imports.close();
    this.reader?.store.close();
    this.reader = null;
  }
}
