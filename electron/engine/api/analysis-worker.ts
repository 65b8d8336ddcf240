/**
 * Worker-thread side of analysis-runner.ts: re-runs the findings analysis over a case
 * (after its mode labels changed) off the caller's thread, posting progress.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaseStore } from '../store/case-store.ts';
import type { AnalysisWorkerInput, AnalysisWorkerMessage } from './analysis-runner.ts';

const port = parentPort;
if (!port) throw new Error('analysis-worker.ts must run as a worker thread');
const input = workerData as AnalysisWorkerInput;
const abort = new AbortController();
port.on('message', (m: { type: 'cancel' }) => {
  if (m.type === 'cancel') abort.abort();
});

function post(m: AnalysisWorkerMessage): void {
  port?.postMessage(m);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function main(): Promise<void> {
  const { runAnalysis, AnalysisCancelled } = await import('../findings/analysis.ts');
  const store = CaseStore.open(input.casePath);
  try {
    await runAnalysis(store, {
      signal: abort.signal,
      onProgress: (p) => post({ type: 'progress', step: p.phase, done: p.done, total: p.total }),
    });
    post({ type: 'done' });
  } catch (e) {
    post(e instanceof AnalysisCancelled ? { type: 'cancelled' } : { type: 'failed', error: message(e) });
  } finally {
    store.close();
  }
}

main().then(
  () => port.unref(),
  (e: unknown) => {
    post({ type: 'failed', error: message(e) });
    port.unref();
  },
);
