/**
 * `telltale analyze <capture…>`: import captures into a case (new or existing),
 * print a summary, and optionally write the JSON export.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { utcStamp } from '../../engine/api/case-files.ts';
import { exportJson } from '../../engine/export/json-export.ts';
import { runImport, type AnalysisEvent, type ImportResult } from '../../engine/import/run-import.ts';
import type { AnalysisSummary } from '../../engine/findings/analysis.ts';
import { listModeLabels, ModeLabelError, parseModeArg, setModeLabels, type ModeLabelSpec, type StoredModeLabel } from '../../engine/findings/modes.ts';
import { parseWatchList, setWatchList, type WatchValue } from '../../engine/findings/watch.ts';
import { CaseStore, isCaseFile, type InputRow } from '../../engine/store/case-store.ts';
import { isoFromNs, nsFromIso } from '../../engine/util/time.ts';
import { formatBytes, formatDuration, plural } from '../format.ts';
import { EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, message, UsageError, type CliCommand, type CliIo } from '../io.ts';
import { ProgressView } from '../progress.ts';
import { REPORT_OPTIONS_HELP, REPORT_PARSE_OPTIONS, reportOptions, writeReportPdf } from './report.ts';

const HELP = `Usage: telltale analyze <capture…> [--case case.db] [--json out.json] [--pdf report.pdf] [--mode …] [--watch values.txt] [--quiet]

Import pcap, pcapng (optionally .gz) and HAR files into a case, analyse what was
sent (decoded payloads, identifiers, devices, accounts, destinations, leaks) and
summarise it.

Options:
  -c, --case <file>   Case database to create or add to. An existing file is used
                      only if it is a Telltale case; anything else is never
                      overwritten. Default: ./telltale-case-<UTC timestamp>.db
  -j, --json <file>   Also write the whole case as JSON (docs/export-format.md).
  -o, --pdf <file>    Also print the evidence report as PDF (docs/report.md); the
                      report options below apply. Needs Chromium.
  -m, --mode <label>  Label browsing mode, repeatable (docs/findings.md):
                        incognito:<file>                a whole input (path or file name)
                        normal:<ISO start>/<ISO end>    a time window
                      Labels are kept in the case; a label for the same input or
                      window replaces the earlier one.
  -w, --watch <file>  Values planted on the device to look for in every payload:
                      one per line (URLs, words, e-mail, phone); '#' starts a
                      comment. Replaces the case's watch list.
  -q, --quiet         No progress output (errors and the summary are still printed).
  -h, --help          Show this help.

Report options (with --pdf):
${REPORT_OPTIONS_HELP}

Exit status: 0 success (inputs may carry partial-read warnings; a file already in the
case, same SHA-256, is reported and not imported again), 1 usage error, 2 an input
could not be read at all, 130 interrupted.`;

/** A new case name in `dir` that does not exist yet. */
function defaultCasePath(dir: string): string {
  const stem = `telltale-case-${utcStamp(new Date())}`;
  let candidate = join(dir, `${stem}.db`);
  for (let n = 2; existsSync(candidate); n++) candidate = join(dir, `${stem}-${n}.db`);
  return candidate;
}

/** Same file on disk (symlinks resolved), or the same path when one does not exist yet. */
function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try { return realpathSync(p); } catch { return resolve(p); }
  };
  return real(a) === real(b);
}

function inputLine(row: InputRow | undefined, r: ImportResult): string {
  const s = r.summary;
  const name = row?.fileName ?? basename(r.path);
  const parts = [`  ${name}`];
  if (row?.format) parts.push(`${row.format}${row.gzip ? '.gz' : ''}`);
  if (row && row.format !== null) {
    parts.push(row.format === 'har' ? plural(row.entries, 'entry', 'entries') : plural(row.packets, 'packet'));
    if (row.firstTs !== null && row.lastTs !== null) {
      const d = row.tsDigits ?? 6;
      parts.push(`${isoFromNs(row.firstTs, d)} → ${isoFromNs(row.lastTs, d)} (${formatDuration(row.lastTs - row.firstTs)})`);
    }
    parts.push(plural(row.anomalies, 'anomaly', 'anomalies'));
  }
  if (r.status === 'cancelled' || r.status === 'skipped') parts.push(r.status);
  let line = parts.join('  ');
  const error = row?.error ?? r.error ?? s?.error ?? null;
  if (error) line += `\n    ${r.status === 'failed' ? 'error' : 'warning'}: ${error}`;
  return line;
}

/** A file whose SHA-256 an earlier input of the case already has: not an unreadable input. */
function duplicateLine(r: ImportResult, original: InputRow | undefined, dupOf: number): string {
  const what = original ? `input ${dupOf} (${original.fileName})` : `input ${dupOf}`;
  return `  ${basename(r.path)}  already in the case as ${what}: same SHA-256, not imported again`;
}

async function run(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        case: { type: 'string', short: 'c' },
        json: { type: 'string', short: 'j' },
        pdf: { type: 'string', short: 'o' },
        ...REPORT_PARSE_OPTIONS,
        mode: { type: 'string', short: 'm', multiple: true },
        watch: { type: 'string', short: 'w' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(message(e));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('analyze needs at least one capture file');

  const casePath = values.case !== undefined ? resolve(io.cwd, values.case) : defaultCasePath(io.cwd);
  if (values.case !== undefined && existsSync(casePath) && !isCaseFile(casePath)) {
    throw new UsageError(`${casePath}: exists and is not a Telltale case; refusing to overwrite it (choose another --case path)`);
  }
  const jsonPath = values.json !== undefined ? resolve(io.cwd, values.json) : null;
  if (jsonPath !== null && samePath(jsonPath, casePath)) throw new UsageError('--json and --case name the same file');
  const pdfPath = values.pdf !== undefined ? resolve(io.cwd, values.pdf) : null;
  if (pdfPath !== null && (samePath(pdfPath, casePath) || (jsonPath !== null && samePath(pdfPath, jsonPath)))) throw new UsageError('--pdf names the same file as --case or --json');
  const pdfOptions = pdfPath !== null ? reportOptions(values) : null;
  const labels = modeLabels(values.mode ?? [], io.cwd);
  const watch = values.watch !== undefined ? watchList(values.watch, io.cwd) : null;

  // Check the inputs up front: errors name the file, and nothing is created for nothing.
  let unreadable = 0;
  const files: string[] = [];
  const sizes: number[] = [];
  for (const p of positionals) {
    const abs = resolve(io.cwd, p);
    if (samePath(abs, casePath)) throw new UsageError(`${p}: is the case database itself, not a capture`);
    if (jsonPath !== null && samePath(abs, jsonPath)) throw new UsageError(`${p}: is also the --json output; refusing to overwrite an input`);
    if (pdfPath !== null && samePath(abs, pdfPath)) throw new UsageError(`${p}: is also the --pdf output; refusing to overwrite an input`);
    let size: number;
    try {
      const st = statSync(abs);
      if (!st.isFile()) {
        io.stderr.write(`telltale: ${p}: ${st.isDirectory() ? 'is a directory, not a capture file' : 'not a regular file'}\n`);
        unreadable++;
        continue;
      }
      size = st.size;
    } catch (e) {
      const code = (e as { code?: string }).code;
      io.stderr.write(`telltale: ${p}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : message(e)}\n`);
      unreadable++;
      continue;
    }
    if (files.some((f) => samePath(f, abs))) {
      io.stderr.write(`telltale: ${p}: given twice; importing it once\n`);
      continue;
    }
    files.push(abs);
    sizes.push(size);
  }
  if (files.length === 0) {
    io.stderr.write('telltale: no readable input; no case was created\n');
    return EXIT_INPUT;
  }

  let store: CaseStore;
  try {
    store = CaseStore.open(casePath, { create: true });
  } catch (e) {
    io.stderr.write(`telltale: ${message(e)}\n`);
    return EXIT_USAGE;
  }

  try {
    if (labels.length > 0) applyLabels(store, labels, files, io);
    if (watch !== null) setWatchList(store.db, watch.values, watch.source);
  } catch (e) {
    store.close();
    if (e instanceof ModeLabelError) throw new UsageError(e.message);
    throw e;
  }

  const progress = new ProgressView(io.stderr, sizes, values.quiet);
  let analysis: AnalysisSummary | null = null;
  let analysisError: string | null = null;
  let analysisNoted = false;
  const onAnalysis = (e: AnalysisEvent): void => {
    if (e.phase === 'progress') {
      if (!analysisNoted && !values.quiet) progress.note('analysing findings…');
      analysisNoted = true;
    } else if (e.phase === 'done') {
      analysis = e.summary;
    } else {
      analysisError = e.error;
    }
  };
  const abort = new AbortController();
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    progress.note('telltale: interrupted, stopping after the current read (Ctrl-C again to quit at once)');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  let results: ImportResult[];
  try {
    results = await runImport(casePath, files, {
      signal: abort.signal,
      onProgress: (p) => progress.update(p),
      onWarning: (w) => progress.note(`telltale: warning: ${w}`),
      onAnalysis,
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
  }

  try {
    const rows = new Map(store.inputs().map((r) => [r.id, r]));
    const out: string[] = [`Case: ${casePath}`];
    for (const r of results) {
      const dupOf = r.duplicateOf ?? null;
      if (dupOf !== null) {
        out.push(duplicateLine(r, rows.get(dupOf), dupOf));
        continue;
      }
      out.push(inputLine(r.inputId !== null ? rows.get(r.inputId) : undefined, r));
      if (r.status === 'failed') io.stderr.write(`telltale: ${r.path}: ${r.error ?? 'could not be imported'}\n`);
    }
    const c = store.counts();
    out.push(`Case totals: ${c.dns} DNS, ${c.tls} TLS, ${c.http} HTTP, ${c.names} name records; ` +
      `${plural(c.hosts, 'host')} with names; ${c.anomalies} anomalies; ${plural(c.inputs, 'input')}`);
    if (analysis !== null) out.push(...findingsLines(analysis));
    if (analysisError !== null) io.stderr.write(`telltale: warning: the findings analysis failed: ${analysisError}\n`);
    if (jsonPath !== null) {
      try {
        const ex = await exportJson(store, jsonPath);
        out.push(`JSON export: ${ex.path} (${formatBytes(ex.bytes)}, sha256 ${ex.sha256})`);
      } catch (e) {
        io.stdout.write(`${out.join('\n')}\n`);
        io.stderr.write(`telltale: cannot write ${jsonPath}: ${message(e)}\n`);
        return EXIT_USAGE;
      }
    }
    if (pdfPath !== null && pdfOptions !== null) {
      try {
        out.push(await writeReportPdf(store, pdfPath, pdfOptions));
      } catch (e) {
        io.stdout.write(`${out.join('\n')}\n`);
        io.stderr.write(`telltale: cannot write the PDF report ${pdfPath}: ${message(e)}\n`);
        return EXIT_USAGE;
      }
    }
    io.stdout.write(`${out.join('\n')}\n`);
  } finally {
    store.close();
  }

  if (interrupted) return EXIT_INTERRUPTED;
  // A duplicate failed only in the sense that it added nothing: its evidence is in the case.
  const failed = results.some((r) => r.status === 'failed' && (r.duplicateOf ?? null) === null);
  return unreadable > 0 || failed ? EXIT_INPUT : EXIT_OK;
}

/** Parse --mode values; an input named by a path that exists is stored as its absolute path. */
function modeLabels(args: readonly string[], cwd: string): ModeLabelSpec[] {
  const out: ModeLabelSpec[] = [];
  for (const a of args) {
    let spec: ModeLabelSpec;
    try {
      spec = parseModeArg(a);
    } catch (e) {
      throw new UsageError(message(e));
    }
    if ('input' in spec && typeof spec.input === 'string') {
      const abs = resolve(cwd, spec.input);
      if (existsSync(abs)) spec = { mode: spec.mode, input: abs };
    }
    out.push(spec);
  }
  return out;
}

/** Read a --watch file (its path and SHA-256 are kept with the values). */
function watchList(path: string, cwd: string): { values: WatchValue[]; source: string } {
  const abs = resolve(cwd, path);
  let buf: Buffer;
  try {
    buf = readFileSync(abs);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`--watch ${path}: ${code === 'ENOENT' ? 'no such file' : message(e)}`);
  }
  const values = parseWatchList(buf.toString('utf8'));
  if (values.length === 0) throw new UsageError(`--watch ${path}: no values in the file (one per line; '#' starts a comment)`);
  return { values, source: `${abs} sha256:${createHash('sha256').update(buf).digest('hex')}` };
}

function sameTarget(a: StoredModeLabel, b: ModeLabelSpec): boolean {
  if ('input' in b) {
    const ref = String(b.input);
    return (a.inputRef !== null && (a.inputRef === ref || basename(a.inputRef) === basename(ref))) || (a.inputId !== null && a.inputId === b.input);
  }
  const from = typeof b.from === 'bigint' ? b.from : nsFromIso(b.from);
  const to = typeof b.to === 'bigint' ? b.to : nsFromIso(b.to);
  return a.startNs !== null && a.startNs === from && a.endNs === to;
}

/** Add the command line's labels to the case's, replacing labels of the same input; warn about inputs it does not know. */
function applyLabels(store: CaseStore, labels: readonly ModeLabelSpec[], files: readonly string[], io: CliIo): void {
  const existing = listModeLabels(store.db);
  const kept: ModeLabelSpec[] = [];
  for (const l of existing) {
    if (labels.some((n) => sameTarget(l, n))) continue;
    if (l.startNs !== null && l.endNs !== null) kept.push({ mode: l.mode, from: l.startNs, to: l.endNs });
    else if (l.inputId !== null) kept.push({ mode: l.mode, input: l.inputId });
    else if (l.inputRef !== null) kept.push({ mode: l.mode, input: l.inputRef });
  }
  const known = new Set([...files.map((f) => basename(f)), ...store.inputs().map((i) => i.fileName)]);
  for (const l of labels) {
    if ('input' in l && typeof l.input === 'string' && !known.has(basename(l.input))) {
      io.stderr.write(`telltale: warning: --mode ${l.mode}:${l.input} names no input of this case or of this run\n`);
    }
  }
  setModeLabels(store.db, [...kept, ...labels]);
}

/** Summary lines of the findings (counts and per-mode ratios; never values of secrets). */
function findingsLines(a: AnalysisSummary): string[] {
  const out = [`Findings: ${plural(a.leaks, 'leak')} to ${plural(countReceivers(a), 'destination')}; ` +
    `${plural(a.identifiers, 'identifier')}; ${plural(a.devices, 'device')}, ${plural(a.accounts, 'account')}, ${plural(a.links, 'device–account link')}; ` +
    `${plural(a.destinations, 'remote address', 'remote addresses')} (analysis ${formatDuration(BigInt(a.durationMs) * 1_000_000n)})`];
  for (const [mode, c] of Object.entries(a.comparison.modes)) {
    const kinds = Object.entries(c.leaksByKind).map(([k, n]) => `${k} ${n}`).join(', ');
    out.push(`  ${mode}: ${c.pagesLeaked}/${c.pagesVisited} pages leaked; ${plural(c.leaks, 'leak')}${kinds ? ` (${kinds})` : ''}` +
      `${c.countries.length > 0 ? ` to ${c.countries.join(', ')}` : ''}${c.operators.length > 0 ? ` (${c.operators.join(', ')})` : ''}; ` +
      `${plural(c.identifiers.length, 'identifier')} sent`);
  }
  const sh = a.comparison.shared;
  if (sh.identifiers.length > 0 || sh.destinations.length > 0) {
    out.push(`  in every mode: ${plural(sh.identifiers.length, 'identifier')} (${sh.identifiers.map((i) => i.kind).join(', ')}), ` +
      `${plural(sh.destinations.length, 'receiving destination')}${sh.destinations.length > 0 ? ` (${sh.destinations.map((d) => d.host).join(', ')})` : ''}`);
  }
  if (a.unmatchedLabels.length > 0) out.push(`  mode labels that named no input: ${a.unmatchedLabels.join(', ')}`);
  return out;
}

function countReceivers(a: AnalysisSummary): number {
  const hosts = new Set<string>();
  for (const c of Object.values(a.comparison.modes)) for (const d of c.destinations) hosts.add(d.host);
  return hosts.size;
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'import captures (pcap, pcapng, HAR) into a case; optional JSON export',
  help: HELP,
  run,
};
