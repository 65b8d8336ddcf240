/**
 * `telltale analyze <capture…>`: import captures into a case (new or existing),
 * print a summary, and optionally write the JSON export.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportJson } from '../../engine/export/json-export.ts';
import { runImport, type ImportResult } from '../../engine/import/run-import.ts';
import { CaseStore, isCaseFile, type InputRow } from '../../engine/store/case-store.ts';
import { isoFromNs } from '../../engine/util/time.ts';
import { formatBytes, formatDuration, plural } from '../format.ts';
import { EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from '../io.ts';
import { ProgressView } from '../progress.ts';

const HELP = `Usage: telltale analyze <capture…> [--case case.db] [--json out.json] [--quiet]

Import pcap, pcapng (optionally .gz) and HAR files into a case and summarise them.

Options:
  -c, --case <file>   Case database to create or add to. An existing file is used
                      only if it is a Telltale case; anything else is never
                      overwritten. Default: ./telltale-case-<UTC timestamp>.db
  -j, --json <file>   Also write the whole case as JSON (docs/export-format.md).
  -q, --quiet         No progress output (errors and the summary are still printed).
  -h, --help          Show this help.

Exit status: 0 success (inputs may carry partial-read warnings), 1 usage error,
2 an input could not be read at all, 130 interrupted.`;

function utcStamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

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

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
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

  // Check the inputs up front: errors name the file, and nothing is created for nothing.
  let unreadable = 0;
  const files: string[] = [];
  const sizes: number[] = [];
  for (const p of positionals) {
    const abs = resolve(io.cwd, p);
    if (samePath(abs, casePath)) throw new UsageError(`${p}: is the case database itself, not a capture`);
    if (jsonPath !== null && samePath(abs, jsonPath)) throw new UsageError(`${p}: is also the --json output; refusing to overwrite an input`);
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

  const progress = new ProgressView(io.stderr, sizes, values.quiet);
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
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
  }

  try {
    const rows = new Map(store.inputs().map((r) => [r.id, r]));
    const out: string[] = [`Case: ${casePath}`];
    for (const r of results) {
      out.push(inputLine(r.inputId !== null ? rows.get(r.inputId) : undefined, r));
      if (r.status === 'failed') io.stderr.write(`telltale: ${r.path}: ${r.error ?? 'could not be imported'}\n`);
    }
    const c = store.counts();
    out.push(`Case totals: ${c.dns} DNS, ${c.tls} TLS, ${c.http} HTTP, ${c.names} name records; ` +
      `${plural(c.hosts, 'host')} with names; ${c.anomalies} anomalies; ${plural(c.inputs, 'input')}`);
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
    io.stdout.write(`${out.join('\n')}\n`);
  } finally {
    store.close();
  }

  if (interrupted) return EXIT_INTERRUPTED;
  const failed = results.some((r) => r.status === 'failed');
  return unreadable > 0 || failed ? EXIT_INPUT : EXIT_OK;
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'import captures (pcap, pcapng, HAR) into a case; optional JSON export',
  help: HELP,
  run,
};
