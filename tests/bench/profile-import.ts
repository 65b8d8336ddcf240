/**
 * `node --cpu-prof --cpu-prof-dir=<dir> tests/bench/profile-import.ts <capture>
 * [--store <case.db> | --count]`: the import on the main thread, so one CPU profile
 * holds all of it (the CLI runs it on a worker thread, whose profile is a separate
 * file). With `--store` the records go into a new case database as the import worker
 * writes them (flush about once a second, summary at the end); with `--count` into a
 * sink that only counts. Prints the wall time, MB/s, the CPU time of the whole process
 * and of each thread (this one, and the dissect and hash workers of a pipelined
 * import), the wall time of importFile, finishInput and close, the peak RSS and the
 * record counts as one JSON line; summarise the profile with tests/bench/cpuprofile-top.ts.
 */
import { existsSync, rmSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RecordSink } from '../../electron/engine/records.ts';
import type { CaseStore as CaseStoreType } from '../../electron/engine/store/case-store.ts';

// As bin/telltale.js does: without it every thread spends 0.1–0.2 s stripping types and
// compiling the engine's modules, which the CLI does not, and per-thread CPU looks worse.
// The engine is imported only after, so this thread's modules come from the cache too.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'telltale-compile-cache');
enableCompileCache(process.env.NODE_COMPILE_CACHE);
const { importFile } = await import('../../electron/engine/import/import-file.ts');
const { CaseStore } = await import('../../electron/engine/store/case-store.ts');
const { countingSink } = await import('./counting-sink.ts');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { store: { type: 'string' }, count: { type: 'boolean', default: false } },
});
const path = positionals[0];
if (!path || (values.store === undefined) === (values.count !== true)) {
  process.stderr.write('usage: node tests/bench/profile-import.ts <capture> (--store <case.db> | --count)\n');
  process.exit(1);
}

const { sink: counting, counts } = countingSink();

const t0 = performance.now();
let store: CaseStoreType | null = null;
let sink: RecordSink = counting;
let inputId = 1;
if (values.store !== undefined) {
  for (const f of [values.store, `${values.store}-wal`, `${values.store}-shm`]) if (existsSync(f)) rmSync(f);
  store = CaseStore.open(values.store, { create: true });
  inputId = store.addInput(path);
  sink = store;
}
let lastFlush = performance.now();
let workers: { dissectMs: number | null; hashMs: number | null } = { dissectMs: null, hashMs: null };
const summary = await importFile(path, inputId, sink, {
  onWorkerCpu: (t) => { workers = t; },
  onProgress: () => {
    const now = performance.now();
    if (store && now - lastFlush >= 1000) {
      lastFlush = now;
      store.flush();
    }
  },
});
// Where the wall time goes with --store: importFile (dissect and store side by side),
// finishInput (last commit, the views' index rebuilt, last checkpoint), close.
const tImported = performance.now();
let tFinished = tImported;
if (store) {
  store.finishInput(inputId, summary, 'done');
  tFinished = performance.now();
  const c = store.counts();
  Object.assign(counts, { dns: c.dns, tls: c.tls, http: c.http, flows: c.flows, names: c.names, anomalies: c.anomalies, secrets: c.secrets, harPages: c.harPages });
  store.close();
}
const tEnd = performance.now();
const s = (tEnd - t0) / 1000;
const own = process.threadCpuUsage();
const all = process.cpuUsage();
process.stdout.write(`${JSON.stringify({
  wallS: Number(s.toFixed(3)),
  cpuS: {
    // Every thread of the process, V8's own (garbage collection, compilation) included.
    process: Number(((all.user + all.system) / 1e6).toFixed(3)),
    main: Number(((own.user + own.system) / 1e6).toFixed(3)),
    dissect: workers.dissectMs === null ? null : Number((workers.dissectMs / 1000).toFixed(3)),
    hash: workers.hashMs === null ? null : Number((workers.hashMs / 1000).toFixed(3)),
  },
  phasesS: {
    importFile: Number(((tImported - t0) / 1000).toFixed(3)),
    finishInput: Number(((tFinished - tImported) / 1000).toFixed(3)),
    close: Number(((tEnd - tFinished) / 1000).toFixed(3)),
  },
  mbPerS: Number((summary.size / 1e6 / s).toFixed(1)),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  packets: summary.packets,
  error: summary.error,
  records: counts,
})}\n`);
