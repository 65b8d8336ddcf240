/**
 * `node tests/bench/analysis-only.ts <case.db> [--rounds 1] [--out <copy.db>] [--keep] [--phases] [--profile <dir>] [--worker]`:
 * the findings analysis alone (findings/analysis.ts runAnalysis), on a copy of an
 * existing case, so that its share of an import can be measured and profiled without
 * re-importing. The case itself is never written: each round copies it to `--out`
 * (default: a temporary directory), opens the copy with CaseStore.open and times
 * runAnalysis only (the module is imported before the clock starts, as the CLI's
 * compile cache would have it). Prints wall and CPU time and the result counts per
 * round, then the best round. Round 1 is what one CLI run sees; later rounds run with
 * a warm JIT. `--keep` leaves the last copy in place (e.g. for compare-findings.ts).
 *
 * `--phases` splits the time by the analysis' progress reports: setup (up to the
 * first report), candidates, requests, entities, destinations, comparison, the gaps
 * between phases, and the end (run record, what follows it, commit).
 *
 * Profile: `--profile <dir>` writes one CPU profile per round (round-N.cpuprofile,
 * 200 µs sampling) that covers runAnalysis only, not module loading or the copy; read
 * it with `npx node tests/bench/cpuprofile-top.ts <file> --top 40`. (`node --cpu-prof`
 * works too but profiles the whole process.)
 *
 * `--worker` runs each round as the desktop app re-runs an analysis (after mode labels
 * change): in a worker thread through api/analysis-runner.ts, with that worker's
 * resource limits. It prints the wall time and the process's peak resident set
 * (every thread; it only grows, so with more rounds it is the highest so far);
 * --phases and --profile do not apply.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runAnalysisInWorker } from '../../electron/engine/api/analysis-runner.ts';
import { runAnalysis, type AnalysisProgress } from '../../electron/engine/findings/analysis.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '1' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'string' },
    phases: { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
  },
});
const source = positionals[0];
if (!source) {
  process.stderr.write('usage: node tests/bench/analysis-only.ts <case.db> [--rounds N] [--out copy.db] [--keep] [--phases] [--profile dir] [--worker]\n');
  process.exit(2);
}
const dir = values.out === undefined ? mkdtempSync(join(tmpdir(), 'telltale-analysis-only-')) : null;
const copy = values.out !== undefined ? resolve(values.out) : join(dir as string, 'case.db');
if (resolve(source) === copy) {
  process.stderr.write('--out must not be the case itself: the analysis rewrites its findings\n');
  process.exit(2);
}

function removeCopy(): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
}

let session: Session | null = null;
if (values.worker && (values.profile !== undefined || values.phases)) {
  process.stderr.write('--profile and --phases measure an analysis on this thread; they do not apply with --worker\n');
  process.exit(2);
}
if (values.profile !== undefined) {
  mkdirSync(values.profile, { recursive: true });
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
}

let bestWall = Infinity;
let bestCpu = Infinity;
const rounds = Math.max(1, Number(values.rounds));
try {
  for (let round = 1; round <= rounds; round++) {
    removeCopy();
    copyFileSync(source, copy);
    // A case still open elsewhere may hold committed pages in its write-ahead log only.
    if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${copy}-wal`);
    if (values.worker) {
      const t0 = performance.now();
      const outcome = await runAnalysisInWorker(copy);
      const wall = performance.now() - t0;
      bestWall = Math.min(bestWall, wall);
      console.log(JSON.stringify({ round, worker: true, wallMs: Math.round(wall), outcome, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
      if (outcome.state !== 'done') process.exitCode = 1;
      continue;
    }
    const store = CaseStore.open(copy);
    if (session) await session.post('Profiler.start');
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // Each interval counts for the phase whose report ends it; one ending at the start
    // of a phase (0 done) is the gap between phases.
    const phases: Record<string, number> = {};
    let first = true;
    let mark = t0;
    const onProgress = (p: AnalysisProgress): void => {
      const now = performance.now();
      const label = first ? 'setup' : p.done === 0 && p.phase !== 'requests' ? 'between' : p.phase;
      phases[label] = (phases[label] ?? 0) + now - mark;
      mark = now;
      first = false;
    };
    const s = await runAnalysis(store, values.phases ? { onProgress } : {});
    const wall = performance.now() - t0;
    if (values.phases) phases.end = (phases.end ?? 0) + performance.now() - mark;
    const c = process.cpuUsage(cpu0);
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(values.profile as string, `round-${round}.cpuprofile`), JSON.stringify(profile));
    }
    const cpu = (c.user + c.system) / 1000;
    store.close();
    bestWall = Math.min(bestWall, wall);
    bestCpu = Math.min(bestCpu, cpu);
    console.log(JSON.stringify({
      round, wallMs: Math.round(wall), cpuMs: Math.round(cpu), requests: s.requests, leaks: s.leaks, identifiers: s.identifiers,
      devices: s.devices, accounts: s.accounts, destinations: s.destinations, pages: s.pages, decodeAnomalies: s.decodeAnomalies,
      ...(values.phases ? { phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])) } : {}),
    }));
  }
  console.log(JSON.stringify({ best: { wallMs: Math.round(bestWall), ...(values.worker ? {} : { cpuMs: Math.round(bestCpu) }) }, loadavg: loadavg().map((x) => x.toFixed(2)) }));
} finally {
  if (!values.keep) {
    removeCopy();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}
