/**
 * The HTTP share of the view summaries gathered by a pass over the rows (HttpViewParts,
 * as the findings analysis gathers it) must give the very tables that the summaries'
 * own queries over the records give: the reference here is writeViewSummaries without
 * parts, on the same case.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_VIEW_COLUMNS, HttpViewParts, writeViewSummaries, type HttpViewRow } from '../../../electron/engine/store/view-summaries.ts';
import { corpusCase, type CorpusCase } from '../api/corpus-case.ts';

const FILES = [
  'zeek__http-pipelined-requests.pcap',
  'zeek__tls12-chrome-34-google.pcap',
  'pcapplusplus__dns_over_tcp.pcapng',
  'ndpi__http_ipv6.pcap',
  'mitmproxy__firefox.har',
  'pagexray__assa-chrome-har-3pages.har',
];

const TABLES = ['summary_hosts', 'summary_names', 'summary_protocols', 'summary_client_macs', 'timeline_keys', 'timeline_chunks'];

let c: CorpusCase;
let db: Database.Database;
beforeAll(async () => {
  c = await corpusCase(FILES);
  db = new Database(c.engine.casePath as string);
  db.pragma('foreign_keys = ON');
}, 60_000);
afterAll(async () => {
  db?.close();
  await c?.cleanup();
});

/** Every summary row with its SQLite types, in key order, and the stamp. */
function snapshot(): string[] {
  const out: string[] = [];
  for (const t of TABLES) {
    const cols = (db.prepare(`SELECT * FROM ${t}`).columns()).map((col) => col.name);
    const sql = `SELECT ${cols.map((n) => `quote(${n}), typeof(${n})`).join(', ')} FROM ${t} ORDER BY 1, 3`;
    for (const r of db.prepare(sql).raw().all() as unknown[][]) out.push(`${t}: ${r.join(' | ')}`);
  }
  out.push(`stamp: ${String(db.prepare('SELECT stamp FROM view_summaries').pluck().get())}`);
  return out;
}

function rowsInOrder(order: string): HttpViewRow[] {
  return db.prepare(`SELECT id, input_id, src_ip, dst_ip, source, request_body_size, ${HTTP_VIEW_COLUMNS} FROM http ORDER BY ${order}`)
    .all() as HttpViewRow[];
}

describe('HttpViewParts', () => {
  it('gives the summaries the records give: the analysis (which gathers parts and leak events) and a rebuild from the records agree', () => {
    // The analysis hands over its leaks' timeline events too.
    expect(db.prepare('SELECT count(*) FROM leaks').pluck().get()).toBeGreaterThan(0);
    const fromAnalysis = snapshot();
    expect(fromAnalysis.filter((r) => r.startsWith('summary_hosts')).length).toBeGreaterThan(5);
    expect(fromAnalysis.filter((r) => r.startsWith('summary_names')).length).toBeGreaterThan(5);
    writeViewSummaries(db);
    expect(snapshot()).toEqual(fromAnalysis);
  });

  it('gives the same summaries from rows handed over in time order or out of it', () => {
    writeViewSummaries(db);
    const reference = snapshot();
    const inOrder = new HttpViewParts();
    for (const r of rowsInOrder('ts_ns, id')) inOrder.add(r);
    writeViewSummaries(db, inOrder);
    expect(snapshot()).toEqual(reference);
    const shuffled = new HttpViewParts();
    for (const r of rowsInOrder('id DESC')) shuffled.add(r);
    writeViewSummaries(db, shuffled);
    expect(snapshot()).toEqual(reference);
  });

  it('is not used when it missed rows: the records are read instead', () => {
    writeViewSummaries(db);
    const reference = snapshot();
    const partial = new HttpViewParts();
    const rows = rowsInOrder('ts_ns, id');
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows.slice(1)) partial.add(r);
    writeViewSummaries(db, partial);
    expect(snapshot()).toEqual(reference);
  });
});
