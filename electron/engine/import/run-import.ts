/**
 * Import runner: imports files into a case on a worker thread (import-worker.ts) so
 * the caller's thread (Electron main, web host, CLI) stays responsive. One file's
 * failure never stops the others; if the worker itself dies, the file it was on is
 * marked failed and a fresh worker carries on with the rest.
 */
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { CaseStore, type InputStatus } from '../store/case-store.ts';
import type { InputSummary } from './types.ts';
import type { AnalysisSummary } from '../findings/analysis.ts';
import { workerUrl } from '../util/locate.ts';

export interface RunProgress {
  /** Index of the file in the `files` argument. */
  index: number;
  count: number;
  path: string;
  inputId: number;
  phase: 'start' | 'progress' | 'done';
  bytesRead: number;
  bytesTotal: number;
  packets: number;
  entries: number;
}

export interface ImportResult {
  /** The path as given. */
  path: string;
  /** inputs.id in the case, or null when the file was never started (cancelled before). */
  inputId: number | null;
  /** 'skipped' = not started because the import was cancelled. */
  status: InputStatus | 'skipped';
  summary: InputSummary | null;
  /** Why the file failed or stopped early (summary.error, or a worker failure). */
  error: string | null;
  /**
   * Set when the file has the SHA-256 of an input already in the case (that input's
   * id): it was recorded as a failed duplicate and its records were not kept.
   */
  duplicateOf?: number | null;
}

export interface RunImportOptions {
  /** Called at most about ten times a second per file, plus at start and end of each file. */
  onProgress?: (p: RunProgress) => void;
  /** Non-fatal problems of the engine itself (e.g. a protocol module that failed to load). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** Re-run the findings analysis over the whole case once the files are imported (default true). */
  analyze?: boolean;
  /** Progress and outcome of that analysis. */
  onAnalysis?: (e: AnalysisEvent) => void;
}

/** Findings analysis after an import: progress, then 'done' with the summary or 'failed'. */
export type AnalysisEvent =
  | { phase: 'progress'; step: string; done: number; total: number }
  | { phase: 'done'; summary: AnalysisSummary }
  | { phase: 'failed'; error: string };

/** What the parent hands the worker. */
export interface WorkerInput {
  casePath: string;
  files: string[];
  startIndex: number;
  /** Run the findings analysis after the last file (default true). */
  analyze?: boolean;
}

/** Messages the worker posts. */
export type WorkerMessage =
  | { type: 'start'; index: number; inputId: number; bytesTotal: number }
  | { type: 'progress'; index: number; inputId: number; bytesRead: number; bytesTotal: number; packets: number; entries: number }
  | { type: 'result'; index: number; result: ImportResult }
  | { type: 'warning'; message: string }
  | { type: 'analysis'; event: AnalysisEvent }
  | { type: 'fatal'; error: string };

/** Messages the parent posts. */
export type ParentMessage = { type: 'cancel' };

/** Empty summary for a file the engine could not process. */
export function failedSummary(error: string, size = 0, sha256 = ''): InputSummary {
  return {
    format: null, gzip: false, sha256, size, linkTypes: [], tsDigits: 6, packets: 0, entries: 0,
    firstTs: null, lastTs: null, anomalies: 0, error, producer: null, commentedFrames: 0,
  };
}

interface Pass {
  /** Index of the file being imported when the worker stopped, if any. */
  current: { index: number; inputId: number } | null;
  fatal: string | null;
  exitError: string | null;
  /** The worker reported the analysis' outcome (done or failed). */
  analysisEnded: boolean;
}

/**
 * The import worker's heap limits. A capped young generation keeps the writer thread's
 * heap, and the import's peak RSS, small. The old generation is capped at 1 GB, as the
 * dissect worker's is (worker-start.ts), less for the room than for what V8 derives
 * from the cap: with a 1 GB cap it lets the old generation grow at most about 1.6 times
 * its live size between full collections, from a 2 GB cap on up to 4 times. The
 * findings pass that follows the import on this thread holds some 30–40 MB live on a
 * 2 GB capture; left uncapped, its garbage took the CLI's peak on the 4 GB generated
 * capture to 350–363 MB (the import alone plateaus at 265–272 MB from 1 GB on), capped
 * to 307–335 MB, in the same time (alternating runs). A pass that needed more than 1 GB
 * would fail with an out-of-memory error for the analysis, after the inputs are recorded.
 */
export const IMPORT_WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 1024 } as const;

function runWorker(input: WorkerInput, results: Array<ImportResult | null>, opts: RunImportOptions): Promise<Pass> {
  return new Promise((done) => {
    const worker = new Worker(workerUrl('import-worker', import.meta.url), { workerData: input, resourceLimits: IMPORT_WORKER_LIMITS });
    const pass: Pass = { current: null, fatal: null, exitError: null, analysisEnded: false };
    const count = input.files.length;
    const cancel = (): void => { worker.postMessage({ type: 'cancel' } satisfies ParentMessage); };
    opts.signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'start':
          pass.current = { index: m.index, inputId: m.inputId };
          opts.onProgress?.({ index: m.index, count, path: input.files[m.index], inputId: m.inputId, phase: 'start', bytesRead: 0, bytesTotal: m.bytesTotal, packets: 0, entries: 0 });
          break;
        case 'progress':
          opts.onProgress?.({ index: m.index, count, path: input.files[m.index], inputId: m.inputId, phase: 'progress', bytesRead: m.bytesRead, bytesTotal: m.bytesTotal, packets: m.packets, entries: m.entries });
          break;
        case 'result': {
          results[m.index] = m.result;
          pass.current = null;
          const s = m.result.summary;
          if (m.result.inputId !== null) {
            opts.onProgress?.({ index: m.index, count, path: input.files[m.index], inputId: m.result.inputId, phase: 'done', bytesRead: s?.size ?? 0, bytesTotal: s?.size ?? 0, packets: s?.packets ?? 0, entries: s?.entries ?? 0 });
          }
          break;
        }
        case 'warning':
          opts.onWarning?.(m.message);
          break;
        case 'analysis':
          if (m.event.phase !== 'progress') pass.analysisEnded = true;
          opts.onAnalysis?.(m.event);
          break;
        case 'fatal':
          pass.fatal = m.error;
          break;
      }
    });
    worker.on('error', (e) => { pass.exitError = e instanceof Error ? e.message : String(e); });
    worker.on('exit', (code) => {
      opts.signal?.removeEventListener('abort', cancel);
      if (code !== 0 && pass.exitError === null) pass.exitError = `exit code ${code}`;
      done(pass);
    });
  });
}

/** Mark an input the worker died on as failed, from this thread. */
function markCrashed(casePath: string, inputId: number, path: string, error: string): void {
  const store = CaseStore.open(casePath);
  try {
    store.finishInput(inputId, failedSummary(error), 'failed');
    store.appendCustody('import.failed', { input: inputId, path: resolve(path), error });
  } finally {
    store.close();
  }
}

/**
 * Import `files` into the case at `casePath` (which must exist) on a worker thread.
 * Resolves with one result per file, in order; never rejects for bad input files.
 */
export async function runImport(casePath: string, files: string[], opts: RunImportOptions = {}): Promise<ImportResult[]> {
  const results: Array<ImportResult | null> = files.map(() => null);
  let start = 0;
  while (start < files.length) {
    if (opts.signal?.aborted) break;
    const pass = await runWorker({ casePath: resolve(casePath), files, startIndex: start, analyze: opts.analyze !== false }, results, opts);
    if (pass.fatal !== null) {
      for (let i = start; i < files.length; i++) {
        results[i] ??= { path: files[i], inputId: null, status: 'failed', summary: null, error: pass.fatal };
      }
      break;
    }
    const next = results.findIndex((r, i) => i >= start && r === null);
    if (next === -1) {
      // Every file is recorded, but the worker died before the analysis said how it
      // ended (out of memory, say): the caller must hear that there are no new findings.
      if (pass.exitError !== null && opts.analyze !== false && !pass.analysisEnded) {
        opts.onAnalysis?.({ phase: 'failed', error: `import worker stopped during the findings analysis: ${pass.exitError}` });
      }
      break;
    }
    // The worker stopped early: crashed (or was killed) while on `pass.current`.
    const why = `import worker stopped: ${pass.exitError ?? 'no result'}`;
    if (pass.current) {
      const { index, inputId } = pass.current;
      try {
        markCrashed(casePath, inputId, files[index], why);
      } catch (e) {
        opts.onWarning?.(`could not record the failure of ${files[index]} in the case: ${e instanceof Error ? e.message : String(e)}`);
      }
      results[index] = { path: files[index], inputId, status: 'failed', summary: failedSummary(why), error: why };
      start = index + 1;
    } else {
      results[next] = { path: files[next], inputId: null, status: 'failed', summary: null, error: why };
      start = next + 1;
    }
  }
  return results.map((r, i) => r ?? { path: files[i], inputId: null, status: 'skipped', summary: null, error: 'import cancelled' });
}
