/**
 * `node tests/bench/cpuprofile-top.ts <file.cpuprofile> [--top 30] [--total]`: the
 * functions of a V8 CPU profile (`node --cpu-prof`) ranked by self time, with their
 * share of all samples, so a profiling step starts from numbers rather than a flame
 * graph. `--total` ranks by inclusive time instead (self plus callees, each function
 * counted once per sample even when it recurses). `--callers <name>` splits the self
 * time of the functions called `name` by their callers.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Row {
  name: string;
  where: string;
  selfUs: number;
  totalUs: number;
}

/** Function name plus a short location; several nodes of one function share it. */
function frameKey(f: CallFrame): { name: string; where: string } {
  const name = f.functionName || (f.url ? '(anonymous)' : '(native)');
  if (!f.url) return { name, where: '' };
  let file = f.url.startsWith('file://') ? decodeURIComponent(f.url.slice(7)) : f.url;
  if (file.startsWith('/')) file = relative(process.cwd(), file);
  return { name, where: `${file}:${f.lineNumber + 1}` };
}

/** Self time of the functions named `name`, split by caller. */
export function callersOf(profile: CpuProfile, name: string): Array<{ caller: string; us: number }> {
  const parent = new Map<number, ProfileNode>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n);
  }
  const out = new Map<string, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const n = byId.get(samples[i]);
    if (!n || (n.callFrame.functionName || '(anonymous)') !== name) continue;
    const p = parent.get(n.id);
    const k = p ? frameKey(p.callFrame) : { name: '(none)', where: '' };
    const key = `${k.name}${k.where ? `  ${k.where}` : ''}`;
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : timeDeltas[i] ?? 0;
    out.set(key, (out.get(key) ?? 0) + Math.max(0, dt));
  }
  return [...out].map(([caller, us]) => ({ caller, us })).sort((a, b) => b.us - a.us);
}

/** Rank a profile's functions by self (or total) time. */
export function summarise(profile: CpuProfile, byTotal: boolean): { rows: Row[]; totalUs: number } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // Time of each sample is the delta that follows it (the last one has none: use the
  // previous delta), as Chrome DevTools does.
  const nodeUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : timeDeltas[i] ?? 0;
    const us = Math.max(0, dt);
    nodeUs.set(samples[i], (nodeUs.get(samples[i]) ?? 0) + us);
    totalUs += us;
  }
  const rows = new Map<string, Row>();
  const rowOf = (n: ProfileNode): Row => {
    const k = frameKey(n.callFrame);
    const key = `${k.name}\u0000${k.where}`;
    let r = rows.get(key);
    if (!r) {
      r = { name: k.name, where: k.where, selfUs: 0, totalUs: 0 };
      rows.set(key, r);
    }
    return r;
  };
  for (const [id, us] of nodeUs) {
    const node = byId.get(id);
    if (!node) continue;
    rowOf(node).selfUs += us;
    if (!byTotal) continue;
    const seen = new Set<Row>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const r = rowOf(n);
      if (seen.has(r)) continue;
      seen.add(r);
      r.totalUs += us;
    }
  }
  const list = [...rows.values()];
  list.sort((a, b) => (byTotal ? b.totalUs - a.totalUs : b.selfUs - a.selfUs));
  return { rows: list, totalUs };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '30' }, total: { type: 'boolean', default: false }, callers: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write('usage: node tests/bench/cpuprofile-top.ts <file.cpuprofile> [--top N] [--total]\n');
    process.exit(1);
  }
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
  if (values.callers !== undefined) {
    for (const c of callersOf(profile, values.callers)) process.stdout.write(`${(c.us / 1000).toFixed(0).padStart(7)} ms  ${c.caller}\n`);
    return;
  }
  const byTotal = values.total === true;
  const { rows, totalUs } = summarise(profile, byTotal);
  const top = Number(values.top);
  const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7);
  const pct = (us: number): string => `${((100 * us) / (totalUs || 1)).toFixed(1).padStart(5)}%`;
  process.stdout.write(`${positionals[0]}: ${(totalUs / 1e6).toFixed(2)} s sampled, ranked by ${byTotal ? 'total' : 'self'} time\n`);
  process.stdout.write(`${'self ms'.padStart(7)} ${'self'.padStart(6)} ${'total ms'.padStart(8)} ${'total'.padStart(6)}  function\n`);
  for (const r of rows.slice(0, top)) {
    const total = byTotal ? `${ms(r.totalUs).padStart(8)} ${pct(r.totalUs)}` : `${''.padStart(8)} ${''.padStart(6)}`;
    process.stdout.write(`${ms(r.selfUs)} ${pct(r.selfUs)} ${total}  ${r.name}${r.where ? `  ${r.where}` : ''}\n`);
  }
}

if (import.meta.main) main();
