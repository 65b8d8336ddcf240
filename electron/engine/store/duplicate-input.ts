/**
 * The same evidence imported into a case twice (same SHA-256: `telltale analyze x.pcap
 * --case c.db` run twice, a file dragged in again). Its records would be stored twice,
 * doubling every count and making every identifier "persistent across inputs" on the
 * strength of the copy alone. The second input row is kept, so the custody log and
 * the inputs list show the attempt, but what its import wrote is taken out again.
 *
 * Host links are aggregated per (ip, name, source) across inputs, so they cannot be
 * deleted by input: the links the duplicate's records gave are recomputed with the
 * functions the store used and subtracted.
 */
import type Database from 'better-sqlite3';
import type { DnsAnswer, HttpRecord, NameRecord } from '../records.ts';
import { dnsHostLinks, httpHostLinks, nameHostLinks, tlsHostLinks, type HostLinkFn, type HostSource } from './host-links.ts';

/** The input a new one duplicates. */
export interface DuplicateOf {
  id: number;
  fileName: string;
}

type Row = Record<string, unknown>;

/** The first other input with this SHA-256 that was imported completely ('done'); null if none. */
export function findDuplicate(db: Database.Database, id: number, sha256: string): DuplicateOf | null {
  if (sha256 === '') return null;
  const r = db.prepare(`SELECT id, file_name FROM inputs WHERE sha256 = ? AND status = 'done' AND id <> ?
    ORDER BY id LIMIT 1`).get(sha256, id) as { id: number; file_name: string } | undefined;
  return r === undefined ? null : { id: r.id, fileName: r.file_name };
}

/** The error recorded on an input that duplicates another. */
export function duplicateError(d: DuplicateOf): string {
  return `same SHA-256 as input ${d.id} (${d.fileName}): not imported again`;
}

/** Tables with a column `column`, read from the schema so a later migration's tables are covered too. */
function tablesWith(db: Database.Database, column: string): string[] {
  return db.prepare(`SELECT m.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c
    WHERE m.type = 'table' AND c.name = ? ORDER BY m.name`).pluck().all(column) as string[];
}

/** Where a link was seen: the pointer the hosts table keeps for its first sighting. */
interface Seen {
  input: number;
  frame: number | null;
  entry: number | null;
  ts: bigint;
}

type LinkFn = (ip: string, name: string, source: HostSource, at: Seen) => void;

/**
 * Call `fn` for every host link the stored records give (of one input, or of all when
 * `input` is null), exactly as the case store derived them at import.
 */
function forEachLink(db: Database.Database, input: number | null, fn: LinkFn): void {
  const where = input === null ? '' : ' AND input_id = ?';
  const args = input === null ? [] : [input];
  const ptr = 'input_id, frame, entry, CAST(ts_ns AS TEXT) AS ts';
  let at: Seen = { input: 0, frame: null, entry: null, ts: 0n };
  const emit: HostLinkFn = (ip, name, source) => fn(ip, name, source, at);
  const seen = (r: Row): Seen => ({ input: r.input_id as number, frame: r.frame as number | null, entry: r.entry as number | null, ts: BigInt(r.ts as string) });

  for (const r of db.prepare(`SELECT ${ptr}, flavor, answers FROM dns WHERE response = 1 AND answers <> '[]'${where}`).iterate(...args) as Iterable<Row>) {
    at = seen(r);
    dnsHostLinks({ response: true, flavor: r.flavor as 'dns' | 'mdns', answers: JSON.parse(r.answers as string) as DnsAnswer[] }, emit);
  }
  for (const r of db.prepare(`SELECT ${ptr}, sni, dst_ip FROM tls WHERE sni IS NOT NULL AND sni <> ''${where}`).iterate(...args) as Iterable<Row>) {
    at = seen(r);
    tlsHostLinks({ sni: r.sni as string, dstIp: r.dst_ip as string }, emit);
  }
  for (const r of db.prepare(`SELECT ${ptr}, host, source, server_ip, dst_ip FROM http WHERE host IS NOT NULL AND host <> ''${where}`).iterate(...args) as Iterable<Row>) {
    at = seen(r);
    httpHostLinks({ host: r.host as string, source: r.source as HttpRecord['source'], serverIp: r.server_ip as string | null, dstIp: r.dst_ip as string }, emit);
  }
  for (const r of db.prepare(`SELECT ${ptr}, ip, name, source FROM names WHERE ip IS NOT NULL AND ip <> ''${where}`).iterate(...args) as Iterable<Row>) {
    at = seen(r);
    nameHostLinks({ ip: r.ip as string, name: r.name as string, source: r.source as NameRecord['source'] }, emit);
  }
}

function linkKey(ip: string, name: string, source: string): string {
  return `${ip}\u0000${name}\u0000${source}`;
}

/** Take the host links of input `id`'s records back out of the hosts table. */
function subtractHostLinks(db: Database.Database, id: number): void {
  const counts = new Map<string, { ip: string; name: string; source: HostSource; n: number }>();
  forEachLink(db, id, (ip, name, source) => {
    const k = linkKey(ip, name, source);
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { ip, name, source, n: 1 });
  });
  const dec = db.prepare('UPDATE hosts SET count = count - ? WHERE ip = ? AND name = ? AND source = ?');
  for (const c of counts.values()) dec.run(c.n, c.ip, c.name, c.source);
  db.prepare('DELETE FROM hosts WHERE count <= 0').run();

  // A link other inputs also gave, first seen in the duplicate: an identical file gives
  // identical times and the earlier input keeps ties, so this takes a differing
  // original (another engine version, a read error); its first sighting is looked up.
  const stale = db.prepare('SELECT ip, name, source FROM hosts WHERE first_input_id = ?').all(id) as Array<{ ip: string; name: string; source: string }>;
  if (stale.length === 0) return;
  const first = new Map<string, Seen | null>(stale.map((s) => [linkKey(s.ip, s.name, s.source), null]));
  forEachLink(db, null, (ip, name, source, at) => {
    if (at.input === id) return;
    const k = linkKey(ip, name, source);
    if (!first.has(k)) return;
    const cur = first.get(k) ?? null;
    if (cur === null || at.ts < cur.ts || (at.ts === cur.ts && at.input < cur.input)) first.set(k, at);
  });
  const set = db.prepare(`UPDATE hosts SET first_ts_ns = ?, first_input_id = ?, first_frame = ?, first_entry = ?
    WHERE ip = ? AND name = ? AND source = ?`);
  for (const s of stale) {
    const at = first.get(linkKey(s.ip, s.name, s.source)) ?? null;
    // No other record gives it after all (counts out of step): the link goes with the duplicate.
    if (at === null) db.prepare('DELETE FROM hosts WHERE ip = ? AND name = ? AND source = ?').run(s.ip, s.name, s.source);
    else set.run(at.ts, at.input, at.frame, at.entry, s.ip, s.name, s.source);
  }
}

/**
 * Delete every row input `id`'s import produced (all tables with an input_id but the
 * investigator's mode labels, and what refers to its HTTP exchanges) and its host
 * links; the input row itself stays. Call with no transaction open.
 */
export function dropInputRecords(db: Database.Database, id: number): void {
  const records = tablesWith(db, 'input_id').filter((t) => t !== 'mode_labels' && t !== 'inputs');
  const httpChildren = tablesWith(db, 'http_id');
  // Foreign keys off: deleting an HTTP row otherwise scans every child table without
  // an http_id index (pages, device evidence) once per row. Every child row goes too.
  const fk = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      subtractHostLinks(db, id);
      for (const t of httpChildren) db.prepare(`DELETE FROM "${t}" WHERE http_id IN (SELECT id FROM http WHERE input_id = ?)`).run(id);
      for (const t of records) db.prepare(`DELETE FROM "${t}" WHERE input_id = ?`).run(id);
    })();
  } finally {
    if (fk === 1) db.pragma('foreign_keys = ON');
  }
}
