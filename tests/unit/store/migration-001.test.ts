import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../electron/engine/store/migrate.ts';
import { sql as sql001 } from '../../../electron/engine/store/migrations/001-initial.ts';

// Migration 1 creates the schema from nothing: "up to N-1" is an empty database.
describe('migration 001-initial', () => {
  function upTo0(): Database.Database {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 'test', 0)).toEqual([]);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
    return db;
  }

  it('creates every table and records itself with the SHA-256 of its text', () => {
    const db = upTo0();
    expect(migrate(db, 'test', 1)).toEqual([1]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['anomalies', 'custody_log', 'dns', 'flows', 'har_pages', 'hosts', 'http', 'inputs', 'meta', 'names', 'schema_migrations', 'secrets', 'tls']);
    const ledger = db.prepare('SELECT version, name, sha256, applied_at FROM schema_migrations').all() as Array<Record<string, unknown>>;
    expect(ledger).toHaveLength(1);
    expect(ledger[0].version).toBe(1);
    expect(ledger[0].name).toBe('initial');
    expect(ledger[0].sha256).toBe(createHash('sha256').update(sql001).digest('hex'));
    expect(Number.isNaN(Date.parse(ledger[0].applied_at as string))).toBe(false);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
  });

  it('has the indexes the views need and the custody triggers', () => {
    const db = upTo0();
    migrate(db, 'test', 1);
    const idx = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").pluck().all();
    for (const n of ['dns_time', 'dns_qname', 'dns_input_frame', 'tls_time', 'tls_sni', 'tls_input_frame', 'http_time', 'http_host',
      'http_input_frame', 'flows_time', 'flows_input_frame', 'names_time', 'hosts_name', 'anomalies_input_frame']) {
      expect(idx).toContain(n);
    }
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all();
    expect(triggers).toEqual(['custody_log_no_delete', 'custody_log_no_update']);
  });

  it('accepts rows in every table and enforces its constraints', () => {
    const db = upTo0();
    migrate(db, 'test', 1);
    db.prepare("INSERT INTO inputs (id, path, file_name, added_at) VALUES (1, '/x/a.pcap', 'a.pcap', '2024-01-01T00:00:00Z')").run();
    db.prepare(`INSERT INTO dns (input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, transport, flavor, txid, response, opcode, qname, qtype)
      VALUES (1, 1, 1700000000123456789, 'a', 1, 'b', 53, 'udp', 'dns', 7, 0, 0, 'x.test', 1)`).run();
    // Full nanosecond precision survives (a double would round this value).
    expect(db.prepare('SELECT CAST(ts_ns AS TEXT) FROM dns').pluck().get()).toBe('1700000000123456789');
    // Unknown input: the foreign key refuses the row.
    expect(() => db.prepare(`INSERT INTO anomalies (input_id, frame, layer, error) VALUES (99, 1, 'ip', 'x')`).run()).toThrow(/FOREIGN KEY/);
    // Status is a closed set.
    expect(() => db.prepare("UPDATE inputs SET status = 'weird' WHERE id = 1").run()).toThrow(/CHECK/);
    // STRICT: a text where a number belongs is refused, not silently kept.
    expect(() => db.prepare(`INSERT INTO anomalies (input_id, frame, layer, error) VALUES (1, 'one', 'ip', 'x')`).run()).toThrow();
    // hosts is unique per (ip, name, source).
    const host = db.prepare("INSERT INTO hosts (ip, name, source, first_ts_ns, count) VALUES ('1.2.3.4', 'a.test', 'dns', 1, 1)");
    host.run();
    expect(() => host.run()).toThrow(/UNIQUE/);
    // Deleting an input takes its records along.
    db.prepare('DELETE FROM inputs WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM dns').pluck().get()).toBe(0);
  });
});
