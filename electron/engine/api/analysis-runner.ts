/**
 * Re-runs the findings analysis of a case on a worker thread, so the Electron main
 * process and the web host stay responsive while it rebuilds the findings tables.
 */
import { Worker } from 'node:worker_threads';
import { IMPORT_WORKER_LIMITS } from '../import/run-import.ts';
import { workerUrl } from '../util/locate.ts';

export interface AnalysisWorkerInput {
  casePath: string;
}

export type AnalysisWorkerMessage =
  | { type: 'progress'; step: string; done: number; total: number }
  | { type: 'done' }
  | { type: 'cancelled' }
  | { type: 'failed'; error: string };

export type AnalysisOutcome = { state: 'done' } | { state: 'cancelled' } | { state: 'failed'; error: string };

export interface AnalysisRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
}

/**
 * The worker's young generation, capped as the import worker's is (run-import.ts), which
 * runs the same analysis after an import; the old generation keeps V8's default here
 * (the import worker's 1 GB cap was not measured on this path). Left to V8,
 * re-analysing the 2 GB generated benchmark case peaked at 335–339 MB of process RSS;
 * capped, at 263–266 MB (the 1 and 2 GB replay cases: 229–238 → 214–223 MB), for 0–6 %
 * more time (`tests/bench/analysis-only.ts --worker`, alternating).
 */
const ANALYSIS_YOUNG_GENERATION_MB = IMPORT_WORKER_LIMITS.maxYoungGenerationSizeMb;

/** Run the analysis of the case at `casePath` in a worker; never rejects. */
export function runAnalysisInWorker(casePath: string, opts: AnalysisRunOptions = {}): Promise<AnalysisOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(workerUrl('analysis-worker', import.meta.url), {
      workerData: { casePath } satisfies AnalysisWorkerInput,
      resourceLimits: { maxYoungGenerationSizeMb: ANALYSIS_YOUNG_GENERATION_MB },
    });
    let outcome: AnalysisOutcome | null = null;
    const cancel = (): void => { worker.postMessage({ type: 'cancel' }); };
    opts.signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (m: AnalysisWorkerMessage) => {
      if (m.type === 'progress') opts.onProgress?.({ step: m.step, done: m.done, total: m.total });
      else if (m.type === 'done') outcome = { state: 'done' };
      else if (m.type === 'cancelled') outcome = { state: 'cancelled' };
      else outcome = { state: 'failed', error: m.error };
    });
    let exitError: string | null = null;
    worker.on('error', (e) => { exitError = e instanceof Error ? e.message : String(e); });
    worker.on('exit', (code) => {
      opts.signal?.removeEventListener('abort', cancel);
      resolve(outcome ?? { state: 'failed', error: `analysis worker stopped: ${exitError ?? `exit code ${code}`}` });
    });
  });
}
