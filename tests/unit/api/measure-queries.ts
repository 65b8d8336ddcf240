/**
 * Times the Engine API's queries on an existing case, the way the views call them
 * (cold: cache dropped before each run; cached: the same call again).
 *
 *   node tests/unit/api/measure-queries.ts <case.db>
 *
 * Not a test: it prints figures for docs/web-host.md and the issue notes.
 */
import { tmpdir } from 'node:os';
import { CaseEngine } from '../../../electron/engine/api/case-engine.ts';

interface Reader {
  noteWrite(): void;
}

const casePath = process.argv[2];
if (casePath === undefined) {
  console.error('usage: node tests/unit/api/measure-queries.ts <case.db>');
  process.exit(1);
}
const engine = new CaseEngine({ emit: () => {}, casesDir: tmpdir() });
engine.openCase(casePath);
// Bumping the local write counter is how the engine's own writes drop its cache.
const reader = (engine as unknown as { reader: Reader }).reader;
const cold = (): void => reader.noteWrite();

function time(label: string, f: () => unknown, runs = 3): void {
  const ms: number[] = [];
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = f();
    ms.push(performance.now() - t);
    size = JSON.stringify(r).length;
  }
  console.log(`${label.padEnd(44)} ${ms.map((m) => m.toFixed(1).padStart(7)).join(' ')} ms   ${(size / 1024).toFixed(0).padStart(6)} KiB`);
}

const info = engine.caseInfo();
console.log(`${info.path}: ${info.counts.packets} packets, ${info.counts.flows} flows, ${info.counts.dns} DNS, ${info.counts.tls} TLS, ${info.counts.http} HTTP`);
time('case.info', () => engine.caseInfo());
time('overview.get (cold)', () => { cold(); return engine.overview(); });
time('overview.get (cached)', () => engine.overview());
time('timeline.get whole case (cold)', () => { cold(); return engine.timeline({}); });
time('timeline.get whole case (cached)', () => engine.timeline({}));
const span = info.span;
if (span !== null) {
  const mid = (span.fromMs + span.toMs) / 2;
  time('timeline.get 60 s zoom (cold)', () => { cold(); return engine.timeline({ from: mid, to: mid + 60_000 }); });
  time('timeline.get 2000 buckets (cold)', () => { cold(); return engine.timeline({ buckets: 2000 }); });
  for (const kind of ['flow', 'dns', 'tls', 'http'] as const) {
    const total = engine.queryEvidence({ kind, limit: 1 }).total;
    time(`evidence.query ${kind} page 1`, () => engine.queryEvidence({ kind, limit: 200 }));
    time(`evidence.query ${kind} page at 90 %`, () => engine.queryEvidence({ kind, offset: Math.floor(total * 0.9), limit: 200 }));
    time(`evidence.query ${kind} text search`, () => engine.queryEvidence({ kind, text: 'goo', limit: 200 }));
    time(`evidence.query ${kind} sorted by host`, () => engine.queryEvidence({ kind, limit: 200, sort: { by: 'host', dir: 'desc' } }));
    time(`evidence.query ${kind} 60 s window`, () => engine.queryEvidence({ kind, from: mid, to: mid + 60_000, limit: 200 }));
  }
}
time('hosts.list (cold)', () => { cold(); return engine.hosts({}); });
await engine.close();
