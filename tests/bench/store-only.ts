/**
 * `node tests/bench/store-only.ts <capture> [--rounds 3]`: the case store's share of
 * an import, alone. The capture's records are collected in memory first (in emission
 * order), then written into fresh case databases `rounds` times, the way the import
 * worker writes them (flush about once a second, summary at the end); prints the
 * write time and MB/s (of the capture) for each round. A tool for the profiling log
 * in docs/benchmark.md: run it under `node --cpu-prof` to see where store time goes,
 * or try a setting with `--pragma "cache_size=-65536"` or `--exec "DROP INDEX dns_qname"`
 * (applied after the case opens).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importFile } from '../../electron/engine/import/import-file.ts';
import { BatchingSink, replayBatch, type RecordBatch } from '../../electron/engine/import/record-batch.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    pragma: { type: 'string', multiple: true, default: [] },
    exec: { type: 'string', multiple: true, default: [] },
    'batch-rows': { type: 'string' },
  },
});
const path = positionals[0];
if (!path) {
  process.stderr.write('usage: node tests/bench/store-only.ts <capture> [--rounds N]\n');
  process.exit(1);
}
const batches: RecordBatch[] = [];
const collect = new BatchingSink((b) => { batches.push(b); });
const summary = await importFile(path, 1, collect, { pipeline: false });
collect.flush();
let minWall = Infinity;
let minCpu = Infinity;
const dir = mkdtempSync(join(tmpdir(), 'telltale-store-only-'));
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    // Each round gets its own copy, as the store thread gets one from the worker.
    const c0 = performance.now();
    const copies = batches.map((b) => structuredClone(b));
    const cloneS = (performance.now() - c0) / 1000;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const batchRows = values['batch-rows'] !== undefined ? Number(values['batch-rows']) : undefined;
    const store = CaseStore.open(join(dir, `case-${round}.db`), { create: true, batchRows });
    for (const p of values.pragma) store.db.pragma(p);
    for (const sql of values.exec) store.db.exec(sql);
    const id = store.addInput(path);
    let last = performance.now();
    for (const b of copies) {
      replayBatch(b, store);
      const now = performance.now();
      if (now - last >= 1000) {
        last = now;
        store.flush();
      }
    }
    store.finishInput(id, summary, 'done');
    store.close();
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    minWall = Math.min(minWall, s);
    minCpu = Math.min(minCpu, cpuS);
    process.stdout.write(`round ${round + 1}: ${s.toFixed(3)} s, ${(summary.size / 1e6 / s).toFixed(1)} MB/s of capture, CPU ${cpuS.toFixed(3)} s (${(cpu.system / 1e6).toFixed(3)} s system; records cloned in ${cloneS.toFixed(3)} s)\n`);
  }
  process.stdout.write(`best: ${minWall.toFixed(3)} s wall, ${minCpu.toFixed(3)} s CPU\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
