/**
 * Worker-thread side of run-import.ts: opens the case, and for each file registers
 * the input, logs custody, runs importFile with the store as the record sink, and
 * records the summary. Talks to the parent only through WorkerMessage/ParentMessage.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { CaseStore, type InputStatus } from '../store/case-store.ts';
import type { InputSummary } from './types.ts';
import type { ImportResult, ParentMessage, WorkerInput, WorkerMessage } from './run-import.ts';
import { failedSummary } from './run-import.ts';
import { likelyPipelined, startPipelineAhead, stopAhead } from './worker-start.ts';

type ImportFileFn = typeof import('./import-file.ts').importFile;

const PROGRESS_MS = 100;
/** Commit at least this often so a long import with sparse records shows up for readers. */
const FLUSH_MS = 1000;

const port = parentPort;
if (!port) throw new Error('import-worker.ts must run as a worker thread');
const input = workerData as WorkerInput;

let cancelled = false;
let current: AbortController | null = null;

port.on('message', (m: ParentMessage) => {
  if (m.type === 'cancel') {
    cancelled = true;
    current?.abort();
  }
});

function post(m: WorkerMessage): void {
  port?.postMessage(m);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Size and SHA-256 of a file the engine failed on, so the custody log still identifies it. */
async function identify(path: string): Promise<{ size: number; sha256: string }> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return { size: 0, sha256: '' };
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path, { flags: 'r', highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    return { size: st.size, sha256: h.digest('hex') };
  } catch {
    return { size: 0, sha256: '' };
  }
}

async function importOne(store: CaseStore, index: number, importFile: ImportFileFn | null, loadError: string | null): Promise<ImportResult> {
  const path = input.files[index];
  const abs = resolve(path);
  const id = store.addInput(abs);
  store.appendCustody('import.start', { input: id, path: abs });
  let size = 0;
  try { size = (await stat(abs)).size; } catch { size = 0; }
  post({ type: 'start', index, inputId: id, bytesTotal: size });

  const ac = new AbortController();
  current = ac;
  if (cancelled) ac.abort();
  const errorsBefore = store.storeErrors;
  let lastPost = 0;
  let lastFlush = performance.now();
  let summary: InputSummary;
  try {
    if (!importFile) throw new Error(`the import engine failed to load: ${loadError ?? 'unknown error'}`);
    summary = await importFile(abs, id, store, {
      signal: ac.signal,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastFlush >= FLUSH_MS) {
          lastFlush = now;
          store.flush();
        }
        if (now - lastPost < PROGRESS_MS) return;
        lastPost = now;
        post({ type: 'progress', index, inputId: id, bytesRead: p.bytesRead, bytesTotal: p.bytesTotal, packets: p.packets, entries: p.entries });
      },
    });
  } catch (e) {
    // importFile reports bad input in the summary; a throw is an engine bug or a store failure.
    const who = await identify(abs);
    summary = failedSummary(`internal error while importing: ${message(e)}`, who.size, who.sha256);
  } finally {
    current = null;
  }
  try {
    store.flush();
  } catch (e) {
    summary.error = `records could not be written to the case: ${message(e)}`;
  }
  const storeErrors = store.storeErrors - errorsBefore;
  const asked: InputStatus = ac.signal.aborted
    ? 'cancelled'
    : summary.error !== null && summary.packets === 0 && summary.entries === 0 ? 'failed' : 'done';
  // The store may overrule: a file already in the case is recorded as a failed duplicate.
  const { status, error, duplicateOf } = store.finishInput(id, summary, asked);
  store.appendCustody(status === 'done' ? 'import.done' : status === 'failed' ? 'import.failed' : 'import.cancelled', {
    input: id,
    path: abs,
    sha256: summary.sha256 || null,
    size: summary.size,
    format: summary.format,
    packets: summary.packets,
    entries: summary.entries,
    anomalies: summary.anomalies,
    error,
    ...(duplicateOf !== null ? { duplicateOf } : {}),
    ...(storeErrors > 0 ? { storeErrors } : {}),
  });
  return { path, inputId: id, status, summary, error, duplicateOf };
}

/** Re-run the findings over the whole case; a failure is reported, never fatal to the import. */
async function analyse(store: CaseStore): Promise<void> {
  const ac = new AbortController();
  current = ac;
  try {
    const { runAnalysis } = await import('../findings/analysis.ts');
    const summary = await runAnalysis(store, {
      signal: ac.signal,
      onProgress: (p) => post({ type: 'analysis', event: { phase: 'progress', step: p.phase, done: p.done, total: p.total } }),
    });
    post({ type: 'analysis', event: { phase: 'done', summary } });
  } catch (e) {
    post({ type: 'analysis', event: { phase: 'failed', error: message(e) } });
  } finally {
    current = null;
  }
}

async function main(): Promise<void> {
  // A large first capture: its dissect and hash workers load their modules on the other
  // core while this thread loads the protocols and the import code and opens the case
  // (worker-start.ts).
  try {
    const first = input.files[input.startIndex];
    if (first !== undefined && likelyPipelined(first, (await stat(first)).size)) startPipelineAhead();
  } catch {
    // Not there or not readable: importOne says so.
  }
  // Protocols register themselves on import; a broken module must not stop imports,
  // but the user has to hear about it (records of that protocol will be missing).
  try {
    await import('../protocols/index.ts');
  } catch (e) {
    post({ type: 'warning', message: `some protocol dissectors failed to load: ${message(e)}` });
  }
  let importFile: ImportFileFn | null = null;
  let loadError: string | null = null;
  try {
    importFile = (await import('./import-file.ts')).importFile;
  } catch (e) {
    loadError = message(e);
  }

  let store: CaseStore;
  try {
    store = CaseStore.open(input.casePath);
  } catch (e) {
    stopAhead();
    post({ type: 'fatal', error: `cannot open case: ${message(e)}` });
    return;
  }
  try {
    for (let i = input.startIndex; i < input.files.length; i++) {
      if (cancelled) {
        post({ type: 'result', index: i, result: { path: input.files[i], inputId: null, status: 'skipped', summary: null, error: 'import cancelled' } });
        continue;
      }
      const result = await importOne(store, i, importFile, loadError);
      // Workers started ahead for the first file and not used by it (a HAR, say) end here.
      stopAhead();
      post({ type: 'result', index: i, result });
    }
    if (input.analyze !== false && !cancelled) await analyse(store);
  } finally {
    stopAhead();
    store.close();
  }
}

main().then(
  () => port.unref(),
  (e: unknown) => {
    post({ type: 'fatal', error: `import worker failed: ${message(e)}` });
    port.unref();
  },
);
