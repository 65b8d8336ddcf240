/**
 * `node tests/bench/compare-findings.ts <a.db> <b.db> [--show 3]`: checks that two
 * cases hold the same findings, so a change to the findings analysis can be shown not
 * to have changed what it finds. Every derived table (the DERIVED list of
 * findings/analysis.ts), the 'decode' anomalies and the last finished analysis run
 * (its counts, comparison, options and databases; not its id, times or tool string)
 * are compared row by row, row ids and foreign keys included, so that a different
 * insert order counts as a difference too. Prints one line per table and, for up to
 * `--show` rows on each side of a difference, the columns that differ; exits 1 on any
 * difference.
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DERIVED_TABLES } from '../../electron/engine/findings/analysis.ts';

type Row = Record<string, unknown>;

/** Each table compared and the rows of it that the analysis writes. */
const TABLES: Array<[table: string, where: string]> = [
  ...DERIVED_TABLES.map((t): [string, string] => [t, '']),
  ['anomalies', "WHERE layer = 'decode'"],
];

/** Columns of the run itself rather than of what it found. */
const RUN_SKIP = new Set(['id', 'started_at', 'finished_at', 'duration_ms', 'tool']);

function text(r: Row, skip: ReadonlySet<string> = new Set()): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (skip.has(k)) continue;
    parts.push(`${k}=${Buffer.isBuffer(v) ? v.toString('hex') : String(v)}`);
  }
  return parts.join(' | ');
}

function rows(db: Database.Database, table: string, where: string): string[] {
  const stmt = db.prepare(`SELECT * FROM ${table} ${where}`).safeIntegers(true);
  return (stmt.all() as Row[]).map((r) => text(r)).sort();
}

function lastRun(db: Database.Database): string[] {
  const r = db.prepare("SELECT * FROM analysis_runs WHERE status = 'done' ORDER BY id DESC LIMIT 1").safeIntegers(true).get() as Row | undefined;
  return r === undefined ? [] : [text(r, RUN_SKIP)];
}

/** Multiset difference of two sorted lists. */
function diff(a: readonly string[], b: readonly string[]): { onlyA: string[]; onlyB: string[] } {
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) onlyA.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) onlyB.push(b[j++]);
    else {
      i++;
      j++;
    }
  }
  return { onlyA, onlyB };
}

function clip(s: string): string {
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The column name and the text around position `at` of a 'name=value' column. */
function window(col: string, at: number): string {
  const name = col.slice(0, col.indexOf('=') + 1);
  if (col.length <= 200) return col;
  const from = Math.max(name.length, at - 80);
  return `${name}${from > name.length ? '…' : ''}${col.slice(from, at + 80)}${at + 80 < col.length ? '…' : ''}`;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { show: { type: 'string', default: '3' } } });
const [pa, pb] = positionals;
if (!pa || !pb) {
  process.stderr.write('usage: node tests/bench/compare-findings.ts <a.db> <b.db> [--show N]\n');
  process.exit(2);
}
const show = Math.max(0, Number(values.show));
const a = new Database(pa, { readonly: true });
const b = new Database(pb, { readonly: true });
let bad = 0;
const checks: Array<[string, (db: Database.Database) => string[]]> = [
  ...TABLES.map(([t, w]): [string, (db: Database.Database) => string[]] => [w === '' ? t : `${t} ${w}`, (db) => rows(db, t, w)]),
  ['analysis_runs (last done)', lastRun],
];
for (const [name, read] of checks) {
  const ra = read(a);
  const rb = read(b);
  const d = diff(ra, rb);
  if (d.onlyA.length === 0 && d.onlyB.length === 0) {
    console.log(`same       ${name}: ${ra.length} rows`);
    continue;
  }
  bad++;
  console.log(`DIFFERENT  ${name}: ${ra.length} vs ${rb.length} rows, ${d.onlyA.length} only in a, ${d.onlyB.length} only in b`);
  for (let i = 0; i < show && (i < d.onlyA.length || i < d.onlyB.length); i++) {
    const ra = d.onlyA[i];
    const rb = d.onlyB[i];
    if (ra === undefined || rb === undefined) {
      console.log(ra !== undefined ? `  a: ${clip(ra)}` : `  b: ${clip(rb)}`);
      continue;
    }
    // Rows in the same place of both sorted lists usually differ in a column or two: show those.
    const ca = ra.split(' | ');
    const cb = rb.split(' | ');
    if (ca.length !== cb.length) {
      console.log(`  a: ${clip(ra)}\n  b: ${clip(rb)}`);
      continue;
    }
    for (let c = 0; c < ca.length; c++) {
      if (ca[c] === cb[c]) continue;
      const at = firstDifference(ca[c], cb[c]);
      // The first column (the row id, or the key) says which row it is.
      const row = c > 0 ? `${ca[0]} | ` : '';
      console.log(`  a: ${row}${window(ca[c], at)}\n  b: ${c > 0 ? `${cb[0]} | ` : ''}${window(cb[c], at)}`);
    }
  }
}
a.close();
b.close();
console.log(bad === 0 ? 'identical findings' : `${bad} table(s) differ`);
process.exit(bad === 0 ? 0 : 1);
