/**
 * `node tests/bench/view-queries.ts <case.db> [--summaries] [--json]`: times the Engine API calls
 * the views make when a case opens (overview, timeline, map destinations, evidence,
 * hosts, leaks, comparison) on a copy of the case, each once cold and then five times
 * (median), through the same CaseEngine the web host and Electron use. Complements
 * tests/bench/queries.ts (raw SQL stand-ins) with the views' real queries.
 *
 * The views read the view summaries when the case's are current (a findings analysis
 * run writes them), else the records. `--summaries` builds them on the copy first and
 * prints how long that took, for a case made before they existed.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseEngine } from '../../electron/engine/api/case-engine.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import { viewSummariesCurrent, writeViewSummaries } from '../../electron/engine/store/view-summaries.ts';

const src = process.argv[2];
const build = process.argv.includes('--summaries');
/** `--json`: one JSON object on stdout instead of the table (for tests/bench/bench.ts). */
const asJson = process.argv.includes('--json');
const out = (line: string): void => {
  if (!asJson) process.stdout.write(line);
};
const report: { caseOpenMs: number; summaries: boolean; buildMs: number | null; calls: Array<{ name: string; firstMs: number | null; medianMs: number | null; error: string | null }> } =
  { caseOpenMs: 0, summaries: false, buildMs: null, calls: [] };
if (!src) {
  process.stderr.write('usage: node tests/bench/view-queries.ts <case.db> [--summaries]\n');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'telltale-views-'));
try {
  // A copy: opening with write access may run migrations or re-analysis bookkeeping.
  const path = join(dir, 'case.db');
  copyFileSync(src, path);
  if (existsSync(`${src}-wal`)) copyFileSync(`${src}-wal`, `${path}-wal`);
  if (build) {
    const store = CaseStore.open(path);
    const t = performance.now();
    writeViewSummaries(store.db);
    report.buildMs = performance.now() - t;
    out(`view summaries built in ${report.buildMs.toFixed(0)} ms\n`);
    store.close();
  }
  const engine = new CaseEngine({ emit: () => undefined, casesDir: dir, recentFile: null });
  const api = engine.api();
  const t0 = performance.now();
  await api['case.open']({ path });
  report.caseOpenMs = performance.now() - t0;
  out(`case.open  ${report.caseOpenMs.toFixed(1)} ms\n`);
  const probe = CaseStore.open(path, { readonly: true });
  report.summaries = viewSummariesCurrent(probe.db);
  out(`view summaries ${report.summaries ? 'current: the views read them' : 'absent or stale: the views read the records'}\n`);
  probe.close();
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['overview.get', () => api['overview.get']({})],
    ['timeline.get', () => api['timeline.get']({})],
    // What the timeline view asks for when its plot is 1200 px wide (renderer/src/features/timeline/bucketing.ts).
    ['timeline.get (1200 px view)', () => api['timeline.get']({ buckets: 400, maxLanes: 12, maxEventsPerLane: 1200 })],
    ['destinations.list (map)', () => api['destinations.list']({ limit: 500 } as never)],
    ['evidence.query (HTTP page)', () => api['evidence.query']({ kind: 'http', limit: 200 } as never)],
    ['evidence.query (DNS page)', () => api['evidence.query']({ kind: 'dns', limit: 200 } as never)],
    ['hosts.list', () => api['hosts.list']({ limit: 200 } as never)],
    ['leaks.list', () => api['leaks.list']({ limit: 200 } as never)],
    ['compare.get', () => api['compare.get']()],
  ];
  out(`${'call'.padEnd(30)} ${'first ms'.padStart(9)} ${'median ms'.padStart(9)}\n`);
  for (const [name, call] of calls) {
    const times: number[] = [];
    let failed: string | null = null;
    for (let i = 0; i < 6 && failed === null; i++) {
      const t = performance.now();
      try {
        await call();
      } catch (e) {
        failed = e instanceof Error ? e.message : String(e);
      }
      times.push(performance.now() - t);
    }
    if (failed !== null) {
      out(`${name.padEnd(30)} failed: ${failed}\n`);
      report.calls.push({ name, firstMs: null, medianMs: null, error: failed });
      continue;
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    const median = rest[Math.floor(rest.length / 2)];
    report.calls.push({ name, firstMs: times[0], medianMs: median, error: null });
    out(`${name.padEnd(30)} ${times[0].toFixed(1).padStart(9)} ${median.toFixed(1).padStart(9)}\n`);
  }
  await engine.close();
  if (asJson) process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
