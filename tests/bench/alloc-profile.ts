/**
 * `node tests/bench/alloc-profile.ts <capture> [--top 30] [--depth 1]`: where the dissector
 * allocates. Runs the engine (reader, dissector, protocols) on this thread into a
 * counting sink under V8's sampling heap profiler, counting objects that the
 * garbage collector has already freed too (what `--heap-prof` leaves out), and
 * prints the functions that allocated most bytes. Garbage-collector time in a CPU
 * profile is paid for by these allocations. `--depth N` names each site by its N
 * innermost frames (allocating function ← its caller ← ...), for built-ins like `sort`
 * or `Uint8Array` whose own name says nothing about who asked.
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { importFile } from '../../electron/engine/import/import-file.ts';
import type { RecordSink } from '../../electron/engine/records.ts';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, depth: { type: 'string', default: '1' } } });
const path = positionals[0];
if (!path) {
  process.stderr.write('usage: node tests/bench/alloc-profile.ts <capture> [--top N] [--depth N]\n');
  process.exit(1);
}
const nothing = (): void => undefined;
const sink: RecordSink = { dns: nothing, tls: nothing, http: nothing, flow: nothing, name: nothing, anomaly: nothing, secret: nothing, harPage: nothing };

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await importFile(path, 1, sink, { pipeline: false });
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapNode } };
session.disconnect();

const depth = Math.max(1, Number(values.depth));
const bySite = new Map<string, number>();
let total = 0;
const frameName = (n: HeapNode): string => {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
  return `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`;
};
const walk = (n: HeapNode, stack: string[]): void => {
  stack.push(frameName(n));
  if (n.selfSize > 0) {
    const key = stack.slice(-depth).reverse().join('  ←  ');
    bySite.set(key, (bySite.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  for (const c of n.children) walk(c, stack);
  stack.pop();
};
walk(profile.head, []);
process.stdout.write(`${(total / 1e6).toFixed(0)} MB allocated (sampled estimate), by allocating function:\n`);
for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  process.stdout.write(`${(v / 1e6).toFixed(1).padStart(8)} MB ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}\n`);
}
