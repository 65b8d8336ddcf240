/**
 * `node tests/bench/compare-cases.ts <a.db> <b.db>`: checks that two cases built from
 * the same capture hold the same records, so a speed change can be shown not to have
 * changed what the import finds. Every record table is compared row by row as a
 * multiset (row ids, import times and the storage codec of bodies may differ; decoded
 * bodies must not). Prints one line per table and exits 1 on any difference.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { decodeBody, type BodyCodec } from '../../electron/engine/store/body-codec.ts';

type Row = Record<string, unknown>;

/** Columns left out of the comparison: row ids, wall-clock times, storage details. */
const SKIP = new Set(['id', 'added_at', 'finished_at', 'path', 'request_body_codec', 'response_body_codec']);

const TABLES = ['inputs', 'flows', 'dns', 'tls', 'http', 'names', 'hosts', 'anomalies', 'secrets', 'har_pages'];

function rowText(table: string, r: Row): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (SKIP.has(k)) continue;
    let val = v;
    if (table === 'http' && (k === 'request_body' || k === 'response_body') && v !== null) {
      const codec = r[`${k}_codec`] as BodyCodec;
      val = createHash('sha256').update(decodeBody(codec, v as Buffer)).digest('hex');
    } else if (Buffer.isBuffer(v)) {
      val = v.toString('hex');
    } else if (typeof v === 'bigint') {
      val = v.toString();
    }
    parts.push(`${k}=${String(val)}`);
  }
  return parts.join('\u0001');
}

function tableRows(db: Database.Database, table: string): Map<string, number> {
  const out = new Map<string, number>();
  const stmt = db.prepare(`SELECT * FROM ${table}`).safeIntegers(true);
  for (const r of stmt.iterate() as Iterable<Row>) {
    const t = rowText(table, r);
    out.set(t, (out.get(t) ?? 0) + 1);
  }
  return out;
}

const [pa, pb] = process.argv.slice(2);
if (!pa || !pb) {
  process.stderr.write('usage: node tests/bench/compare-cases.ts <a.db> <b.db>\n');
  process.exit(2);
}
const a = new Database(pa, { readonly: true });
const b = new Database(pb, { readonly: true });
let bad = 0;
for (const t of TABLES) {
  const ra = tableRows(a, t);
  const rb = tableRows(b, t);
  let onlyA = 0;
  let onlyB = 0;
  let example: string | null = null;
  for (const [k, n] of ra) {
    const m = rb.get(k) ?? 0;
    if (n > m) {
      onlyA += n - m;
      example ??= `only in a: ${k.slice(0, 300)}`;
    }
  }
  for (const [k, n] of rb) {
    const m = ra.get(k) ?? 0;
    if (n > m) {
      onlyB += n - m;
      example ??= `only in b: ${k.slice(0, 300)}`;
    }
  }
  let total = 0;
  for (const n of ra.values()) total += n;
  const same = onlyA === 0 && onlyB === 0;
  if (!same) bad++;
  process.stdout.write(`${t.padEnd(10)} ${String(total).padStart(8)} rows  ${same ? 'same' : `DIFFERENT: ${onlyA} only in a, ${onlyB} only in b`}\n`);
  if (example) process.stdout.write(`  ${example}\n`);
}
a.close();
b.close();
process.exit(bad === 0 ? 0 : 1);
