import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../electron/engine/store/migrate.ts';
import { sql as sql002 } from '../../../electron/engine/store/migrations/002-findings.ts';

const FINDINGS_TABLES = ['account_identifiers', 'accounts', 'analysis_runs', 'destinations', 'device_account_evidence', 'device_accounts',
  'device_identifiers', 'devices', 'identifier_observations', 'identifiers', 'leaks', 'mode_labels', 'pages', 'watch_values'];

// Apply up to 1, put records in, apply 2, check the records are untouched and the new tables work.
describe('migration 002-findings', () => {
  function upTo1(): Database.Database {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 'test', 1)).toEqual([1]);
    db.prepare("INSERT INTO inputs (id, path, file_name, added_at) VALUES (1, '/x/a.pcap', 'a.pcap', '2024-01-01T00:00:00Z')").run();
    db.prepare(`INSERT INTO http (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, source, method, host, uri, version)
      VALUES (7, 1, 3, 1700000000123456789, '10.0.0.2', 40000, '8.8.8.8', 80, 'tcp', 'GET', 'a.test', '/', 'HTTP/1.1')`).run();
    return db;
  }

  it('adds the findings tables, records itself, and leaves the records alone', () => {
    const db = upTo1();
    expect(migrate(db, 'test', 2)).toEqual([2]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    for (const t of FINDINGS_TABLES) expect(tables).toContain(t);
    const ledger = db.prepare('SELECT version, name, sha256 FROM schema_migrations WHERE version = 2').get() as Record<string, unknown>;
    expect(ledger).toEqual({ version: 2, name: 'findings', sha256: createHash('sha256').update(sql002).digest('hex') });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT CAST(ts_ns AS TEXT) FROM http WHERE id = 7').pluck().get()).toBe('1700000000123456789');
  });

  it('enforces mode labels: known modes, an input or a window (not both), windows in order', () => {
    const db = upTo1();
    migrate(db, 'test', 2);
    const ins = db.prepare('INSERT INTO mode_labels (mode, input_id, input_ref, start_ns, end_ns, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    ins.run('incognito', 1, null, null, null, 'now');
    ins.run('normal', null, 'b.har', null, null, 'now');
    ins.run('normal', null, null, 10, 20, 'now');
    expect(() => ins.run('private', 1, null, null, null, 'now')).toThrow(/CHECK/);
    expect(() => ins.run('normal', 1, null, 10, 20, 'now')).toThrow(/CHECK/);
    expect(() => ins.run('normal', null, null, null, null, 'now')).toThrow(/CHECK/);
    expect(() => ins.run('normal', null, null, 20, 10, 'now')).toThrow(/CHECK/);
    // Deleting the input removes its label with it.
    db.prepare('DELETE FROM inputs WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM mode_labels').pluck().get()).toBe(2);
  });

  it('ties observations and leaks to their HTTP request, and checks identifier references at commit', () => {
    const db = upTo1();
    migrate(db, 'test', 2);
    const obs = db.prepare(`INSERT INTO identifier_observations (identifier_id, http_id, input_id, frame, ts_ns, key, chain, location, mode, endpoint)
      VALUES (?, 7, 1, 3, 1, 'k', 'query:k', 'query', 'unlabelled', 'ip:10.0.0.2')`);
    // Deferred: the observation may come first inside a transaction, but the identifier must exist at commit.
    expect(() => db.transaction(() => obs.run(1))()).toThrow(/FOREIGN KEY/);
    db.transaction(() => {
      obs.run(1);
      db.prepare(`INSERT INTO identifiers (id, value, kind, scope, basis, observations, requests, first_ts_ns, last_ts_ns, sessions, persistent)
        VALUES (1, 'v', 'device_id', 'device', 'key', 1, 1, 1, 1, 1, 0)`).run();
    })();
    db.prepare(`INSERT INTO leaks (ts_ns, kind, value, chain, location, match, http_id, input_id, frame, mode)
      VALUES (1, 'url', 'https://a.test/', 'query:u', 'query', 'exact', 7, 1, 3, 'normal')`).run();
    expect(() => db.prepare(`INSERT INTO leaks (ts_ns, kind, value, chain, location, match, http_id, input_id, frame, mode)
      VALUES (1, 'gossip', 'x', 'query:u', 'query', 'exact', 7, 1, 3, 'normal')`).run()).toThrow(/CHECK/);
    // The request is evidence: when its input goes, what was derived from it goes too.
    db.prepare('DELETE FROM inputs WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM identifier_observations').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM leaks').pluck().get()).toBe(0);
  });

  it('keeps one page per kind, value and mode', () => {
    const db = upTo1();
    migrate(db, 'test', 2);
    const ins = db.prepare("INSERT INTO pages (kind, value, mode, source, first_ts_ns) VALUES ('url', 'https://a.test/x', ?, 'navigation', 1)");
    ins.run('normal');
    ins.run('incognito');
    expect(() => ins.run('normal')).toThrow(/UNIQUE/);
  });
});
