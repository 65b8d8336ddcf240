/**
 * Imports as the API sees them: each import.start (or web upload) becomes a job; jobs
 * run one after another, because a case has one writer, and each runs on the import
 * worker thread (run-import.ts), which ends with the findings analysis. Every change
 * to a job is pushed as one 'import.progress' event carrying the whole job, so a view
 * that missed events is whole again with the next one.
 *
 * Re-running the analysis alone (after mode labels change) is a job too, so it never
 * writes while an import does; it is not an import and pushes no import events.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { ApiEventPayload } from '../../../shared/api.ts';
import type { ImportFileProgress, ImportProgressEvent, ImportState } from '../../../shared/model.ts';
import { runImport as defaultRunImport } from '../import/run-import.ts';
import type { AnalysisEvent, ImportResult, RunProgress } from '../import/run-import.ts';
import { runAnalysisInWorker } from './analysis-runner.ts';
import type { AnalysisOutcome } from './analysis-runner.ts';

export type RunImportFn = typeof defaultRunImport;
export type RunAnalysisFn = typeof runAnalysisInWorker;

/** A file to import, with the name to show for it. */
export interface ImportFile {
  path: string;
  name?: string;
  /** Known size, shown before the worker reaches the file. */
  size?: number;
}

export interface ImportQueueOptions {
  onProgress: (event: ApiEventPayload<'import.progress'>) => void;
  /** Called when a job ends (any state), after its last progress event. */
  onFinished?: (job: ImportProgressEvent, casePath: string) => void;
  runImport?: RunImportFn;
  runAnalysis?: RunAnalysisFn;
  /** Called when a re-analysis job ends. */
  onAnalysed?: (casePath: string, outcome: AnalysisOutcome) => void;
  /**
   * How the case recorded a file that just finished (the worker commits before it
   * reports), so a file shows as done or failed at once, not when the whole job ends.
   */
  inputOutcome?: (casePath: string, inputId: number) => { state: 'done' | 'failed' | 'cancelled'; error: string | null } | null;
  /** Finished jobs kept for import.list. */
  keepFinished?: number;
}

interface Job {
  kind: 'import' | 'analysis';
  casePath: string;
  event: ImportProgressEvent;
  abort: AbortController;
  /** performance.now() when each file started. */
  fileStarted: number[];
  done: Promise<void> | null;
}

function finished(state: ImportState): boolean {
  return state !== 'queued' && state !== 'running';
}

export class ImportQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly pending: Job[] = [];
  private running: Job | null = null;
  private readonly opts: ImportQueueOptions;
  private readonly run: RunImportFn;
  private readonly analyse: RunAnalysisFn;

  constructor(opts: ImportQueueOptions) {
    this.opts = opts;
    this.run = opts.runImport ?? defaultRunImport;
    this.analyse = opts.runAnalysis ?? runAnalysisInWorker;
  }

  /** Queue files for import into `casePath`; returns the import id at once. */
  start(casePath: string, files: ImportFile[]): string {
    const importId = randomUUID();
    const event: ImportProgressEvent = {
      importId,
      state: 'queued',
      files: files.map((f, index): ImportFileProgress => ({
        index,
        path: f.path,
        name: f.name ?? basename(f.path),
        inputId: null,
        state: 'queued',
        bytesRead: 0,
        bytesTotal: f.size ?? 0,
        packets: 0,
        harEntries: 0,
        itemsPerSecond: 0,
        bytesPerSecond: 0,
        etaSeconds: null,
        elapsedMs: 0,
        error: null,
      })),
      fileIndex: -1,
      fileCount: files.length,
      bytesRead: 0,
      bytesTotal: files.reduce((a, f) => a + (f.size ?? 0), 0),
      startedAt: null,
      finishedAt: null,
      error: null,
      warnings: [],
      analysis: { state: 'pending', step: null, done: 0, total: 0, error: null },
    };
    const job: Job = { kind: 'import', casePath, event, abort: new AbortController(), fileStarted: files.map(() => 0), done: null };
    this.jobs.set(importId, job);
    this.pending.push(job);
    this.emit(job);
    this.pump();
    return importId;
  }

  /**
   * Queue a re-run of the findings analysis of `casePath` (after mode labels changed).
   * A re-run already waiting covers this one too.
   */
  reanalyse(casePath: string): void {
    if (this.pending.some((j) => j.kind === 'analysis' && j.casePath === casePath)) return;
    const job: Job = {
      kind: 'analysis',
      casePath,
      event: { ...this.blankEvent(randomUUID()), analysis: { state: 'pending', step: null, done: 0, total: 0, error: null } },
      abort: new AbortController(),
      fileStarted: [],
      done: null,
    };
    this.pending.push(job);
    this.pump();
  }

  /** True while a re-analysis of this case is queued or running. */
  analysing(casePath: string): boolean {
    return (this.running?.kind === 'analysis' && this.running.casePath === casePath) ||
      this.pending.some((j) => j.kind === 'analysis' && j.casePath === casePath);
  }

  private blankEvent(importId: string): ImportProgressEvent {
    return {
      importId, state: 'queued', files: [], fileIndex: -1, fileCount: 0, bytesRead: 0, bytesTotal: 0,
      startedAt: null, finishedAt: null, error: null, warnings: [], analysis: null,
    };
  }

  /** Cancel a queued or running job; false when it is unknown or already over. */
  cancel(importId: string): boolean {
    const job = this.jobs.get(importId);
    if (job === undefined || finished(job.event.state)) return false;
    job.abort.abort();
    const i = this.pending.indexOf(job);
    if (i !== -1) {
      this.pending.splice(i, 1);
      for (const f of job.event.files) f.state = 'skipped';
      if (job.event.analysis !== null) job.event.analysis.state = 'skipped';
      this.finish(job, 'cancelled');
    }
    return true;
  }

  /** Every job of this session, oldest first. */
  list(): ImportProgressEvent[] {
    return [...this.jobs.values()].map((j) => structuredClone(j.event));
  }

  /** True while an import into this case is queued or running. */
  busy(casePath: string): boolean {
    for (const j of this.jobs.values()) if (j.casePath === casePath && !finished(j.event.state)) return true;
    return false;
  }

  /** Resolves when every queued job has ended. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running.done;
  }

  /** Cancel everything and wait for the running worker to stop. */
  async close(): Promise<void> {
    for (const job of [...this.pending]) {
      if (job.kind === 'import') this.cancel(job.event.importId);
    }
    this.pending.length = 0;
    this.running?.abort.abort();
    await this.idle();
  }

  private pump(): void {
    if (this.running !== null) return;
    const job = this.pending.shift();
    if (job === undefined) return;
    this.running = job;
    job.done = this.execute(job).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async executeAnalysis(job: Job): Promise<void> {
    const outcome = await this.analyse(job.casePath, { signal: job.abort.signal });
    this.opts.onAnalysed?.(job.casePath, outcome);
  }

  private async execute(job: Job): Promise<void> {
    if (job.kind === 'analysis') {
      await this.executeAnalysis(job);
      return;
    }
    const ev = job.event;
    ev.state = 'running';
    ev.startedAt = new Date().toISOString();
    this.emit(job);
    let results: ImportResult[];
    try {
      results = await this.run(job.casePath, ev.files.map((f) => f.path), {
        signal: job.abort.signal,
        onProgress: (p) => this.progress(job, p),
        onWarning: (w) => {
          ev.warnings.push(w);
          this.emit(job);
        },
        onAnalysis: (a) => this.analysisProgress(job, a),
      });
    } catch (e) {
      ev.error = e instanceof Error ? e.message : String(e);
      for (const f of ev.files) if (!finished(f.state as ImportState)) f.state = 'failed';
      this.finish(job, 'failed');
      return;
    }
    for (const [i, r] of results.entries()) {
      const f = ev.files[i];
      f.inputId = r.inputId ?? f.inputId;
      // A result is never 'importing'; the worker only reports files it has finished.
      f.state = r.status === 'importing' ? 'failed' : r.status;
      f.error = r.status === 'skipped' ? null : r.error;
      if (r.summary !== null) {
        f.bytesTotal = r.summary.size;
        if (r.status === 'done') f.bytesRead = r.summary.size;
        f.packets = r.summary.packets;
        f.harEntries = r.summary.entries;
      }
      f.etaSeconds = null;
    }
    // The worker analyses only after a pass that read something and was not cancelled.
    if (ev.analysis !== null && (ev.analysis.state === 'pending' || ev.analysis.state === 'running')) ev.analysis.state = 'skipped';
    const allFailed = results.length > 0 && results.every((r) => r.status === 'failed');
    if (allFailed && ev.error === null) ev.error = results.length === 1 ? results[0].error : 'no file could be imported';
    this.finish(job, job.abort.signal.aborted ? 'cancelled' : allFailed ? 'failed' : 'done');
  }

  private analysisProgress(job: Job, a: AnalysisEvent): void {
    const ev = job.event;
    if (a.phase === 'progress') ev.analysis = { state: 'running', step: a.step, done: a.done, total: a.total, error: null };
    else if (a.phase === 'done') ev.analysis = { state: 'done', step: null, done: ev.analysis?.total ?? 0, total: ev.analysis?.total ?? 0, error: null };
    else ev.analysis = { state: 'failed', step: ev.analysis?.step ?? null, done: ev.analysis?.done ?? 0, total: ev.analysis?.total ?? 0, error: a.error };
    this.emit(job);
  }

  private progress(job: Job, p: RunProgress): void {
    const ev = job.event;
    const f = ev.files[p.index];
    if (f === undefined) return;
    const now = performance.now();
    if (p.phase === 'start') {
      job.fileStarted[p.index] = now;
      f.state = 'running';
      ev.fileIndex = p.index;
    }
    f.inputId = p.inputId;
    f.bytesRead = p.bytesRead;
    f.bytesTotal = p.bytesTotal;
    f.packets = p.packets;
    f.harEntries = p.entries;
    f.elapsedMs = Math.round(now - job.fileStarted[p.index]);
    const secs = f.elapsedMs / 1000;
    if (secs > 0) {
      f.itemsPerSecond = Math.round((p.packets + p.entries) / secs);
      f.bytesPerSecond = Math.round(p.bytesRead / secs);
    }
    f.etaSeconds = f.bytesPerSecond > 0 && p.bytesTotal > p.bytesRead
      ? Math.round(((p.bytesTotal - p.bytesRead) / f.bytesPerSecond) * 10) / 10
      : p.phase === 'done' ? null : f.etaSeconds;
    if (p.phase === 'done') {
      // The final status (done, failed, cancelled) arrives with the results; until then
      // the file counts as read.
      f.etaSeconds = null;
      if (ev.fileIndex === p.index) ev.fileIndex = -1;
      const outcome = this.opts.inputOutcome?.(job.casePath, p.inputId) ?? null;
      if (outcome !== null) {
        f.state = outcome.state;
        f.error = outcome.error;
      }
    }
    ev.bytesRead = ev.files.reduce((a, x) => a + x.bytesRead, 0);
    ev.bytesTotal = ev.files.reduce((a, x) => a + x.bytesTotal, 0);
    this.emit(job);
  }

  private finish(job: Job, state: ImportState): void {
    const ev = job.event;
    ev.state = state;
    ev.fileIndex = -1;
    ev.finishedAt = new Date().toISOString();
    ev.bytesRead = ev.files.reduce((a, x) => a + x.bytesRead, 0);
    ev.bytesTotal = ev.files.reduce((a, x) => a + x.bytesTotal, 0);
    this.emit(job);
    this.opts.onFinished?.(structuredClone(ev), job.casePath);
    this.trim();
  }

  private trim(): void {
    const keep = this.opts.keepFinished ?? 50;
    const done = [...this.jobs.values()].filter((j) => finished(j.event.state));
    for (const j of done.slice(0, Math.max(0, done.length - keep))) this.jobs.delete(j.event.importId);
  }

  private emit(job: Job): void {
    this.opts.onProgress(structuredClone(job.event));
  }
}
