/**
 * Import benchmark: `npm run bench [-- --size 1G | --sizes 250M,1G | --file f.pcap]
 * [--replay real.pcap] [--ack-every 2] [--rounds N] [--no-tshark] [--dissect] [--json out.json] [--keep]`.
 *
 * Generates the benchmark capture (tools/synth/bench-capture.ts), or copies of a real
 * capture to the same size (tools/synth/replay-capture.ts, with --replay), or takes a file,
 * reads it once to warm the page cache, imports it with the real CLI in a child
 * process (`telltale analyze --case … --quiet`: worker-thread import into a case
 * database), times queries on the resulting case, and runs tshark on the same file
 * in the same run for comparison. See docs/benchmark.md for what each figure means.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { describeBenchCapture, parseSize, writeBenchCapture, type BenchCaptureReport } from '../../tools/synth/bench-capture.ts';
import { DEFAULT_GAP_NS, describeReplay, parseDuration, replayCapture, type ReplayReport } from '../../tools/synth/replay-capture.ts';
import { timeQueries, type QueryTiming } from './queries.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'bin/telltale.js');
const PROBE = join(ROOT, 'tests/bench/peak-probe.ts');
const DISSECT_ONLY = join(ROOT, 'tests/bench/dissect-only.ts');
const VIEW_QUERIES = join(ROOT, 'tests/bench/view-queries.ts');
const TSHARK_FIELDS = ['dns.qry.name', 'tls.handshake.extensions_server_name', 'http.host', 'http.request.uri'];

interface ChildRun {
  wallMs: number;
  exitCode: number | null;
  /** Peak resident set in kB: from the in-process probe when there is one, else the highest VmHWM polled from /proc. */
  peakRssKb: number | null;
  /** CPU time (user + system) in ms: from the probe, else polled. */
  cpuMs: number | null;
  stdout: string;
  stderr: string;
  lines: number;
  nonEmptyLines: number;
}

interface ToolFigures {
  wallS: number;
  mbPerS: number;
  packetsPerS: number | null;
  peakRssMb: number | null;
  cpuS: number | null;
}

interface RunResult {
  input: {
    path: string;
    bytes: number;
    packets: number | null;
    generated: (Omit<BenchCaptureReport, 'firstTsNs' | 'lastTsNs'> & { mbPerS: number; spanS: number }) | null;
    /** With --replay: what was copied, how often, and the input's SHA-256. */
    replayed: (Omit<ReplayReport, 'firstTsNs' | 'lastTsNs' | 'spanNs' | 'gapNs' | 'strideNs'> & { spanS: number; gapS: number; strideS: number }) | null;
    warmReadMbPerS: number;
  };
  telltale: (ToolFigures & {
    exitCode: number | null;
    anomalies: number | null;
    records: Record<string, number>;
    error: string | null;
    /** Import alone, from the custody log (import.start → import.done), and its MB/s. */
    importS: number | null;
    importMbPerS: number | null;
    /** The findings analysis the CLI runs after the import (analysis_runs), if any. */
    analysisS: number | null;
  }) | null;
  dissectOnly: (ToolFigures & { records: Record<string, number> }) | null;
  tshark: (ToolFigures & { lines: number; linesWithFields: number; exitCode: number | null }) | null;
  /** Telltale MB/s divided by tshark MB/s: above 1 means Telltale was faster. */
  ratio: number | null;
  /** Telltale's import alone (custody log) in MB/s divided by tshark MB/s. */
  importRatio: number | null;
  /**
   * With --rounds N: every round's figures, Telltale and tshark run alternately on the
   * same file. `telltale`, `tshark` and the ratios above are those of the median round
   * (see medianRound).
   */
  rounds: RoundFigures[];
  caseDb: { bytes: number; walBytes: number } | null;
  queries: QueryTiming[];
  /** The views' own Engine API calls on the case, in a fresh process (tests/bench/view-queries.ts). */
  views: ViewTimings | null;
}

interface RoundFigures {
  mbPerS: number;
  importMbPerS: number | null;
  peakRssMb: number | null;
  tsharkMbPerS: number | null;
  ratio: number | null;
  importRatio: number | null;
}

interface ViewTimings {
  caseOpenMs: number;
  summaries: boolean;
  calls: Array<{ name: string; firstMs: number | null; medianMs: number | null; error: string | null }>;
}

function readVmHwm(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** User + system CPU ms of a live process from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
function readCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

/** Run a command, polling its VmHWM and CPU time; counts stdout lines without keeping them. */
function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, probeFile: string | null, keepStdout: boolean): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let polledKb: number | null = null;
    let polledCpuMs: number | null = null;
    const poll = (): void => {
      if (child.pid === undefined) return;
      const kb = readVmHwm(child.pid);
      if (kb !== null && (polledKb === null || kb > polledKb)) polledKb = kb;
      const cpu = readCpuMs(child.pid);
      if (cpu !== null) polledCpuMs = cpu;
    };
    const timer = setInterval(poll, 50);
    let lines = 0;
    let nonEmpty = 0;
    let content = false;
    const kept: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      if (keepStdout) kept.push(chunk);
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 0x0a) {
          lines++;
          if (content) nonEmpty++;
          content = false;
        } else if (b !== 0x09 && b !== 0x0d) {
          content = true;
        }
      }
    });
    const errs: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => { errs.push(chunk); });
    child.on('error', (e) => {
      clearInterval(timer);
      fail(e);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      clearInterval(timer);
      let peak = polledKb;
      // Without the probe, CPU is the last poll: short by at most one polling interval.
      let cpuMs: number | null = polledCpuMs;
      if (probeFile && existsSync(probeFile)) {
        const p = JSON.parse(readFileSync(probeFile, 'utf8')) as { vmHwmKb: number | null; maxRssKb: number; userMs: number; systemMs: number };
        peak = Math.max(p.vmHwmKb ?? 0, p.maxRssKb, peak ?? 0);
        cpuMs = p.userMs + p.systemMs;
      }
      done({
        wallMs, exitCode: code, peakRssKb: peak, cpuMs,
        stdout: Buffer.concat(kept).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'),
        lines, nonEmptyLines: nonEmpty,
      });
    });
  });
}

/** Read the whole file once so every tool below starts from the page cache. */
function warm(path: string): number {
  const buf = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(path, 'r');
  const t = performance.now();
  let total = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
    }
  } finally {
    closeSync(fd);
  }
  return total / 1e6 / ((performance.now() - t) / 1000);
}

function tsharkVersion(): string | null {
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0].trim();
}

function figures(bytes: number, packets: number | null, run: ChildRun): ToolFigures {
  const s = run.wallMs / 1000;
  return {
    wallS: s,
    mbPerS: bytes / 1e6 / s,
    packetsPerS: packets !== null ? packets / s : null,
    peakRssMb: run.peakRssKb !== null ? run.peakRssKb / 1024 : null,
    cpuS: run.cpuMs !== null ? run.cpuMs / 1000 : null,
  };
}

/** Seconds between the custody log's import.start and import.done, and the findings analysis duration. */
function phases(db: Database.Database): { importS: number | null; analysisS: number | null } {
  const at = (action: string): number | null => {
    const r = db.prepare('SELECT at FROM custody_log WHERE action = ? ORDER BY id DESC LIMIT 1').get(action) as { at: string } | undefined;
    return r ? Date.parse(r.at) : null;
  };
  const start = at('import.start');
  const done = at('import.done');
  let analysisS: number | null = null;
  try {
    const r = db.prepare('SELECT duration_ms FROM analysis_runs ORDER BY id DESC LIMIT 1').get() as { duration_ms: number | null } | undefined;
    analysisS = r?.duration_ms != null ? r.duration_ms / 1000 : null;
  } catch {
    // A case without the findings tables: no analysis ran.
  }
  return { importS: start !== null && done !== null ? (done - start) / 1000 : null, analysisS };
}

function caseFacts(casePath: string): {
  packets: number | null; anomalies: number | null; error: string | null; records: Record<string, number>; importS: number | null; analysisS: number | null;
} {
  const db = new Database(casePath, { readonly: true, fileMustExist: true });
  try {
    const input = db.prepare('SELECT packets, anomalies, error, status FROM inputs ORDER BY id DESC LIMIT 1').get() as
      { packets: number; anomalies: number; error: string | null; status: string } | undefined;
    const records: Record<string, number> = {};
    for (const t of ['flows', 'dns', 'tls', 'http', 'names', 'hosts', 'anomalies']) {
      records[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    }
    const error = input ? (input.status !== 'done' ? `status ${input.status}${input.error ? `: ${input.error}` : ''}` : input.error) : 'no input row';
    return { packets: input?.packets ?? null, anomalies: input?.anomalies ?? null, error, records, ...phases(db) };
  } finally {
    db.close();
  }
}

interface Options {
  tshark: string | null;
  dissect: boolean;
  keep: boolean;
  seed: number;
  format: 'pcap' | 'pcapng';
  ackEvery: number;
  /** A real capture to replay to each size instead of the generated one. */
  replay: string | null;
  gapNs: bigint;
  /** Telltale and tshark runs, alternating, on each file. */
  rounds: number;
  log: (line: string) => void;
}

/**
 * The round in the middle, all rounds ranked by one measure: the import ratio, else the
 * CLI ratio, import MB/s or CLI MB/s, the first that every round where Telltale ran
 * has. A round where it failed ranks lowest. With an even count, the lower of the two
 * middle rounds.
 */
function medianRound<T extends { telltale: { mbPerS: number; importMbPerS: number | null } | null; importRatio: number | null; ratio: number | null }>(
  rounds: T[]): T {
  const measures: Array<(r: T) => number | null | undefined> = [
    (r) => r.importRatio, (r) => r.ratio, (r) => r.telltale?.importMbPerS, (r) => r.telltale?.mbPerS];
  const ran = rounds.filter((r) => r.telltale !== null);
  const measure = measures.find((m) => ran.every((r) => m(r) != null)) ?? measures[3];
  const key = (r: T): number => measure(r) ?? -Infinity;
  const sorted = [...rounds].sort((a, b) => (key(a) === key(b) ? 0 : key(a) < key(b) ? -1 : 1));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function benchOne(spec: { file: string } | { size: number }, opts: Options): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'telltale-bench-'));
  try {
    let path: string;
    let generated: RunResult['input']['generated'] = null;
    let replayed: RunResult['input']['replayed'] = null;
    if ('file' in spec) {
      path = resolve(spec.file);
    } else if (opts.replay !== null) {
      path = join(work, `replay-${Math.round(spec.size / 1e6)}M.pcap`);
      opts.log(`Replaying ${basename(opts.replay)} to ${(spec.size / 1e6).toFixed(0)} MB (copies ${Number(opts.gapNs) / 1e9} s apart)…`);
      const rep = await replayCapture(opts.replay, path, { targetBytes: spec.size, gapNs: opts.gapNs });
      opts.log(describeReplay(rep));
      const { firstTsNs: _f, lastTsNs: _l, spanNs, gapNs, strideNs, ...rest } = rep;
      replayed = { ...rest, spanS: Number(spanNs) / 1e9, gapS: Number(gapNs) / 1e9, strideS: Number(strideNs) / 1e9 };
    } else {
      path = join(work, `bench-${Math.round(spec.size / 1e6)}M.${opts.format}`);
      opts.log(`Generating ${(spec.size / 1e6).toFixed(0)} MB ${opts.format} (seed ${opts.seed}, ${opts.ackEvery > 0 ? `ACK every ${opts.ackEvery} segments` : 'one ACK per burst'})…`);
      const rep = writeBenchCapture(path, { targetBytes: spec.size, seed: opts.seed, format: opts.format, ackEvery: opts.ackEvery });
      opts.log(describeBenchCapture(rep));
      const { firstTsNs, lastTsNs, ...rest } = rep;
      generated = { ...rest, mbPerS: rep.bytes / 1e6 / (rep.elapsedMs / 1000), spanS: Number(lastTsNs - firstTsNs) / 1e9 };
    }
    const bytes = statSync(path).size;
    const warmReadMbPerS = warm(path);
    opts.log(`Page cache warmed: ${basename(path)} read at ${warmReadMbPerS.toFixed(0)} MB/s`);

    const result: RunResult = {
      input: { path, bytes, packets: null, generated, replayed, warmReadMbPerS },
      telltale: null, dissectOnly: null, tshark: null, ratio: null, importRatio: null, rounds: [], caseDb: null, queries: [], views: null,
    };

    const casePath = join(work, 'case.db');
    const probeFile = join(work, 'probe.json');
    // One round: Telltale, then tshark, never at the same time. Rounds alternate the two
    // tools so that a change in the machine's speed over the run reaches both.
    const candidates: Array<Pick<RunResult, 'telltale' | 'tshark' | 'ratio' | 'importRatio'>> = [];
    for (let round = 1; round <= opts.rounds; round++) {
      const label = opts.rounds > 1 ? ` (round ${round} of ${opts.rounds})` : '';
      for (const suffix of ['', '-wal', '-shm']) rmSync(casePath + suffix, { force: true });
      // A child that dies before its probe writes must not be read as the last round's figures.
      rmSync(probeFile, { force: true });
      opts.log(`Telltale: telltale analyze --quiet (worker-thread import into a case)${label}…`);
      const tt = await runChild(process.execPath, ['--import', PROBE, CLI, 'analyze', path, '--case', casePath, '--quiet'],
        { ...process.env, TELLTALE_BENCH_PROBE: probeFile }, probeFile, true);
      const c: (typeof candidates)[number] = { telltale: null, tshark: null, ratio: null, importRatio: null };
      if (existsSync(casePath)) {
        const facts = caseFacts(casePath);
        result.input.packets = facts.packets;
        c.telltale = {
          ...figures(bytes, facts.packets, tt), exitCode: tt.exitCode, anomalies: facts.anomalies, records: facts.records, error: facts.error,
          importS: facts.importS, importMbPerS: facts.importS ? bytes / 1e6 / facts.importS : null, analysisS: facts.analysisS,
        };
      } else {
        c.telltale = {
          ...figures(bytes, null, tt), exitCode: tt.exitCode, anomalies: null, records: {}, error: 'no case database was written',
          importS: null, importMbPerS: null, analysisS: null,
        };
      }
      if (tt.exitCode !== 0) opts.log(`Telltale exited with ${tt.exitCode}:\n${tt.stdout}${tt.stderr}`);
      if (opts.tshark) {
        const args = ['-r', path, '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
        opts.log(`tshark ${args.join(' ')} > (line count)${label}…`);
        const ts = await runChild('tshark', args, process.env, null, false);
        if (ts.exitCode !== 0) opts.log(`tshark exited with ${ts.exitCode}: ${ts.stderr.trim().split('\n').slice(-3).join(' / ')}`);
        c.tshark = { ...figures(bytes, result.input.packets ?? ts.lines, ts), lines: ts.lines, linesWithFields: ts.nonEmptyLines, exitCode: ts.exitCode };
        if (c.telltale.exitCode === 0) {
          c.ratio = c.telltale.mbPerS / c.tshark.mbPerS;
          if (c.telltale.importMbPerS !== null) c.importRatio = c.telltale.importMbPerS / c.tshark.mbPerS;
        }
      }
      candidates.push(c);
      result.rounds.push({
        mbPerS: c.telltale.mbPerS, importMbPerS: c.telltale.importMbPerS, peakRssMb: c.telltale.peakRssMb,
        tsharkMbPerS: c.tshark?.mbPerS ?? null, ratio: c.ratio, importRatio: c.importRatio,
      });
      if (opts.rounds > 1) {
        opts.log(`  round ${round}: Telltale ${fmt(c.telltale.mbPerS)} MB/s, import ${fmt(c.telltale.importMbPerS)} MB/s` +
          `${c.tshark ? `; tshark ${fmt(c.tshark.mbPerS)} MB/s; ratio ${fmt(c.ratio, 2)}×, import ${fmt(c.importRatio, 2)}×` : ''}`);
      }
    }
    Object.assign(result, medianRound(candidates));

    if (existsSync(casePath)) {
      const wal = `${casePath}-wal`;
      result.caseDb = { bytes: statSync(casePath).size, walBytes: existsSync(wal) ? statSync(wal).size : 0 };
      result.queries = timeQueries(casePath);
      opts.log('Views: their Engine API calls on the case, in a fresh process…');
      const v = await runChild(process.execPath, [VIEW_QUERIES, casePath, '--json'], process.env, null, true);
      try {
        result.views = JSON.parse(v.stdout.trim().split('\n').pop() ?? '') as ViewTimings;
      } catch {
        opts.log(`view timings failed (exit ${v.exitCode}):\n${v.stdout}${v.stderr}`);
      }
    }

    if (opts.dissect) {
      const dprobe = join(work, 'probe-dissect.json');
      opts.log('Telltale dissect only (importFile into a counting sink, no case store)…');
      const d = await runChild(process.execPath, ['--import', PROBE, DISSECT_ONLY, path], { ...process.env, TELLTALE_BENCH_PROBE: dprobe }, dprobe, true);
      let records: Record<string, number> = {};
      let packets: number | null = result.input.packets;
      try {
        const j = JSON.parse(d.stdout.trim().split('\n').pop() ?? '{}') as { packets?: number; records?: Record<string, number> };
        records = j.records ?? {};
        packets = j.packets ?? packets;
      } catch {
        opts.log(`dissect-only run failed (exit ${d.exitCode}):\n${d.stderr}`);
      }
      result.dissectOnly = { ...figures(bytes, packets, d), records };
    }
    if (opts.keep) opts.log(`Kept: ${work}`);
    return result;
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
  }
}

function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

function printRun(r: RunResult, log: (s: string) => void): void {
  const mb = r.input.bytes / 1e6;
  log('');
  log(`Input: ${r.input.path}  ${fmt(mb)} MB, ${r.input.packets !== null ? `${r.input.packets.toLocaleString('en-US')} packets` : 'packets unknown'}`);
  if (r.input.generated) {
    const g = r.input.generated;
    log(`Generated at ${fmt(g.mbPerS, 0)} MB/s (${fmt(g.elapsedMs / 1000)} s); ${fmt(g.spanS / 60)} min of traffic; ` +
      `${fmt((100 * g.pureAcks) / Math.max(1, g.frames))} % pure ACKs (${g.ackEvery > 0 ? `ACK every ${g.ackEvery} segments` : 'one per burst'})`);
  }
  if (r.input.replayed) {
    const p = r.input.replayed;
    log(`Replayed: ${p.copies.toLocaleString('en-US')} copies of ${basename(p.input)} (${p.framesPerCopy.toLocaleString('en-US')} frames, ` +
      `SHA-256 ${p.inputSha256}), each ${fmt(p.strideS)} s after the previous`);
  }
  const rows: string[][] = [['', 'wall s', 'MB/s', 'packets/s', 'peak RSS MB', 'CPU s']];
  const row = (label: string, f: ToolFigures | null): void => {
    if (f) rows.push([label, fmt(f.wallS, 2), fmt(f.mbPerS), fmt(f.packetsPerS, 0), fmt(f.peakRssMb, 0), fmt(f.cpuS)]);
  };
  row('Telltale import (CLI)', r.telltale);
  row('Telltale dissect only', r.dissectOnly);
  row(`tshark -T fields (${TSHARK_FIELDS.length})`, r.tshark);
  log(table(rows, [false, true, true, true, true, true]));
  if (r.telltale && r.telltale.importS !== null) {
    const t = r.telltale;
    log(`Within the CLI run: import ${fmt(t.importS, 2)} s (${fmt(t.importMbPerS)} MB/s, custody import.start → import.done)` +
      `${t.analysisS !== null ? `, findings analysis ${fmt(t.analysisS, 2)} s` : ''}, the rest start-up and exit`);
  }
  if (r.rounds.length > 1) {
    const list = (f: (x: RoundFigures) => number | null, digits: number, unit: string): string =>
      r.rounds.map((x) => `${fmt(f(x), digits)}${unit}`).join(', ');
    log(`${r.rounds.length} rounds (figures above: the median round): import ${list((x) => x.importMbPerS, 1, '')} MB/s; ` +
      `CLI ${list((x) => x.mbPerS, 1, '')} MB/s; peak RSS ${list((x) => x.peakRssMb, 0, '')} MB` +
      `${r.rounds[0].tsharkMbPerS !== null ? `; tshark ${list((x) => x.tsharkMbPerS, 1, '')} MB/s; ratio ${list((x) => x.ratio, 2, '×')}; ` +
        `import ratio ${list((x) => x.importRatio, 2, '×')}` : ''}`);
  }
  if (r.ratio !== null) log(`Telltale/tshark throughput ratio: ${fmt(r.ratio, 2)}× (${r.ratio >= 1 ? 'Telltale faster' : 'tshark faster'})` +
    `${r.importRatio !== null ? `; import alone ${fmt(r.importRatio, 2)}×` : ''}`);
  if (r.tshark) {
    const rec = r.telltale?.records;
    const ours = rec && rec.dns !== undefined ? ` (Telltale: ${(rec.dns + rec.tls + rec.http).toLocaleString('en-US')} DNS + TLS + HTTP records)` : '';
    log(`tshark printed ${r.tshark.lines.toLocaleString('en-US')} lines, ${r.tshark.linesWithFields.toLocaleString('en-US')} with a field${ours}`);
  }
  if (r.telltale) {
    const rec = Object.entries(r.telltale.records).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ');
    log(`Case: ${r.caseDb ? `${fmt(r.caseDb.bytes / 1e6)} MB${r.caseDb.walBytes ? ` + ${fmt(r.caseDb.walBytes / 1e6)} MB WAL` : ''}` : 'none'}; ${rec}`);
    if (r.telltale.error) log(`Import problem: ${r.telltale.error}`);
  }
  if (r.queries.length > 0) {
    const q: string[][] = [['query', 'rows', 'first ms', 'median ms']];
    for (const t of r.queries) q.push([t.name, t.rows.toLocaleString('en-US'), fmt(t.firstMs, 2), fmt(t.medianMs, 2)]);
    log(table(q, [false, true, true, true]));
  }
  if (r.views) {
    log(`Views (Engine API, fresh process; case.open ${fmt(r.views.caseOpenMs, 1)} ms; view summaries ${r.views.summaries ? 'current' : 'absent: records read'}):`);
    const q: string[][] = [['call', 'first ms', 'median ms']];
    for (const c of r.views.calls) q.push([c.name, c.error ?? fmt(c.firstMs, 1), c.error ? '' : fmt(c.medianMs, 1)]);
    log(table(q, [false, true, true]));
  }
}

function printSideBySide(runs: RunResult[], log: (s: string) => void): void {
  const ranged = runs.some((r) => r.rounds.length > 1);
  const rows: string[][] = [['input MB', 'packets', 'Telltale MB/s', 'import MB/s', 'peak RSS MB', 'case MB', 'tshark MB/s', 'tshark RSS MB', 'ratio', 'import ratio',
    ...(ranged ? ['import ratio, all rounds'] : []), 'slowest view ms']];
  for (const r of runs) {
    const all = r.rounds.map((x) => x.importRatio).filter((x): x is number => x !== null);
    rows.push([
      fmt(r.input.bytes / 1e6, 0), r.input.packets?.toLocaleString('en-US') ?? '—', fmt(r.telltale?.mbPerS), fmt(r.telltale?.importMbPerS), fmt(r.telltale?.peakRssMb, 0),
      fmt(r.caseDb ? r.caseDb.bytes / 1e6 : null), fmt(r.tshark?.mbPerS), fmt(r.tshark?.peakRssMb, 0), r.ratio !== null ? `${fmt(r.ratio, 2)}×` : '—',
      r.importRatio !== null ? `${fmt(r.importRatio, 2)}×` : '—',
      ...(ranged ? [all.length > 0 ? `${fmt(Math.min(...all), 2)}–${fmt(Math.max(...all), 2)}×` : '—'] : []),
      fmt(r.views ? Math.max(...r.views.calls.map((c) => c.firstMs ?? 0)) : null, 0),
    ]);
  }
  log('');
  log('Side by side:');
  log(table(rows, rows[0].map(() => true)));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      sizes: { type: 'string' },
      file: { type: 'string' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string', default: 'pcap' },
      'ack-every': { type: 'string', default: '2' },
      replay: { type: 'string' },
      gap: { type: 'string' },
      'no-tshark': { type: 'boolean', default: false },
      dissect: { type: 'boolean', default: false },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench -- [--size 1G | --sizes 250M,1G | --file capture] [--format pcap|pcapng] [--seed 1] [--ack-every 2]\n' +
      '                       [--replay real-capture [--gap 600s]] [--rounds N] [--no-tshark] [--dissect] [--json out.json] [--keep]\nSee docs/benchmark.md.\n');
    return 0;
  }
  if (values.format !== 'pcap' && values.format !== 'pcapng') throw new Error('--format must be pcap or pcapng');
  const given = [values.size, values.sizes, values.file].filter((v) => v !== undefined).length;
  if (given > 1) throw new Error('give one of --size, --sizes and --file');
  if (values.replay !== undefined && values.file !== undefined) throw new Error('give --replay (copies of a capture, to --size) or --file (the capture as it is), not both');
  if (values.replay !== undefined && !existsSync(values.replay)) throw new Error(`${values.replay}: no such file`);
  if (values.replay !== undefined && values.format !== 'pcap') throw new Error('--replay writes classic pcap; --format does not apply');
  if (values.gap !== undefined && values.replay === undefined) throw new Error('--gap applies to --replay only');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1, not ${values.rounds}`);
  const ackEvery = Number(values['ack-every']);
  if (!Number.isInteger(ackEvery) || ackEvery < 0) throw new Error(`--ack-every must be a whole number ≥ 0, not ${values['ack-every']}`);
  const specs: Array<{ file: string } | { size: number }> = values.file !== undefined
    ? [{ file: values.file }]
    : (values.sizes ?? values.size ?? '1G').split(',').map((s) => ({ size: parseSize(s) }));
  if (values.file !== undefined && !existsSync(values.file)) throw new Error(`${values.file}: no such file`);

  const log = (s: string): void => { process.stdout.write(`${s}\n`); };
  const tshark = values['no-tshark'] ? null : tsharkVersion();
  const cpu = cpus();
  const machine = {
    node: process.version, cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryGb: totalmem() / 2 ** 30,
    loadAverageAtStart: loadavg()[0], tshark, date: new Date().toISOString(),
  };
  log(`Telltale import benchmark  ${machine.date}`);
  log(`Node ${machine.node}; ${machine.cpus} × ${machine.cpuModel}; ${fmt(machine.memoryGb)} GiB RAM; load average ${fmt(machine.loadAverageAtStart, 2)}`);
  log(tshark ? `Reference: ${tshark}` : values['no-tshark'] ? 'tshark: skipped (--no-tshark)' : 'tshark: not on PATH, skipped');

  const opts: Options = {
    tshark, dissect: values.dissect, keep: values.keep, seed: Number(values.seed), format: values.format, ackEvery,
    replay: values.replay !== undefined ? resolve(values.replay) : null, gapNs: values.gap !== undefined ? parseDuration(values.gap) : DEFAULT_GAP_NS,
    rounds, log,
  };
  const runs: RunResult[] = [];
  for (const spec of specs) {
    const r = await benchOne(spec, opts);
    printRun(r, log);
    runs.push(r);
  }
  if (runs.length > 1) printSideBySide(runs, log);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ machine, runs }, null, 2)}\n`);
    log(`\nJSON: ${resolve(values.json)}`);
  }
  return runs.every((r) => r.telltale?.exitCode === 0) ? 0 : 1;
}

process.exitCode = await main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
});
