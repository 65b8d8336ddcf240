import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../electron/engine/store/migrate.ts';
import { sql as sql003 } from '../../../electron/engine/store/migrations/003-view-summaries.ts';
import { viewSourceStamp, viewSummariesCurrent, writeViewSummaries } from '../../../electron/engine/store/view-summaries.ts';

const SUMMARY_TABLES = ['summary_client_macs', 'summary_hosts', 'summary_names', 'summary_protocols', 'timeline_chunks', 'timeline_keys', 'view_summaries'];

// Apply up to 2, put records in, apply 3, check the records are untouched and the summaries work.
describe('migration 003-view-summaries', () => {
  function upTo2(): Database.Database {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 'test', 2)).toEqual([1, 2]);
    db.prepare("INSERT INTO inputs (id, path, file_name, status, added_at) VALUES (1, '/x/a.pcap', 'a.pcap', 'done', '2024-01-01T00:00:00Z')").run();
    db.prepare(`INSERT INTO http (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, source, method, host, uri, version, request_body)
      VALUES (7, 1, 3, 1700000000123456789, '10.0.0.2', 40000, '8.8.8.8', 80, 'tcp', 'GET', 'A.test:8080', '/', 'HTTP/1.1', zeroblob(100000))`).run();
    db.prepare(`INSERT INTO flows (id, input_id, proto, src_ip, src_port, dst_ip, dst_port, src_mac, first_frame, first_ts_ns, last_ts_ns,
      packets_up, packets_down, bytes_up, bytes_down, app) VALUES (1, 1, 'tcp', '10.0.0.2', 40000, '8.8.8.8', 80, '02:00:00:00:00:01', 1,
      1700000000000000000, 1700000001000000000, 3, 4, 300, 4000, 'http')`).run();
    return db;
  }

  it('adds the covering index and the summary tables, records itself, and leaves the records alone', () => {
    const db = upTo2();
    expect(migrate(db, 'test', 3)).toEqual([3]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    for (const t of SUMMARY_TABLES) expect(tables).toContain(t);
    const ledger = db.prepare('SELECT version, name, sha256 FROM schema_migrations WHERE version = 3').get();
    expect(ledger).toEqual({ version: 3, name: 'view-summaries', sha256: createHash('sha256').update(sql003).digest('hex') });
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT CAST(ts_ns AS TEXT) FROM http WHERE id = 7').pluck().get()).toBe('1700000000123456789');
    // The views' pass over HTTP reads the index, never the rows that hold the bodies.
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT dst_ip, sum(CASE WHEN source = 'har' THEN request_body_size ELSE 0 END),
      min(ts_ns), max(coalesce(response_ts_ns, ts_ns)) FROM http WHERE dst_ip <> '' GROUP BY dst_ip, input_id`).all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/COVERING INDEX http_view/);
  });

  it('starts without summaries, and a stored summary is current only while the records it was built from stay', () => {
    const db = upTo2();
    migrate(db, 'test', 3);
    for (const t of SUMMARY_TABLES) expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(0);
    expect(viewSummariesCurrent(db)).toBe(false);
    writeViewSummaries(db);
    expect(viewSummariesCurrent(db)).toBe(true);
    expect(db.prepare('SELECT stamp FROM view_summaries').pluck().get()).toBe(viewSourceStamp(db));
    expect(db.prepare('SELECT * FROM summary_hosts').all()).toEqual([{
      ip: '8.8.8.8', input_id: 1, flows: 1, requests: 1, packets: 7, bytes_up: 300, bytes_down: 4000,
      first_ts_ns: 1700000000000000000, last_ts_ns: 1700000001000000000,
    }]);
    expect(db.prepare('SELECT name, http, tls, dns FROM summary_names').all()).toEqual([{ name: 'a.test', http: 1, tls: 0, dns: 0 }]);
    expect(db.prepare('SELECT * FROM summary_client_macs').all()).toEqual([{ ip: '10.0.0.2', mac: '02:00:00:00:00:01' }]);
    expect(db.prepare('SELECT sum(events) FROM timeline_chunks').pluck().get()).toBe(2);

    // A changed input status, a new record, a link count changed in place: each one makes the summaries stale.
    db.prepare("UPDATE inputs SET status = 'failed' WHERE id = 1").run();
    expect(viewSummariesCurrent(db)).toBe(false);
    db.prepare("UPDATE inputs SET status = 'done' WHERE id = 1").run();
    expect(viewSummariesCurrent(db)).toBe(true);
    db.prepare("INSERT INTO hosts (ip, name, source, first_ts_ns, count) VALUES ('8.8.8.8', 'a.test', 'http', 1, 1)").run();
    expect(viewSummariesCurrent(db)).toBe(false);
    writeViewSummaries(db);
    expect(viewSummariesCurrent(db)).toBe(true);
    db.prepare('UPDATE hosts SET count = 5').run();
    expect(viewSummariesCurrent(db)).toBe(false);
    writeViewSummaries(db);
    db.prepare('DELETE FROM flows').run();
    expect(viewSummariesCurrent(db)).toBe(false);
  });
});
