import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../electron/engine/store/migrate.ts';
import { sql as sql004 } from '../../../electron/engine/store/migrations/004-response-bodies.ts';

// Apply up to 3, put an exchange in, apply 4: the row reads as before (both new columns NULL).
describe('migration 004-response-bodies', () => {
  function upTo3(): Database.Database {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 'test', 3)).toEqual([1, 2, 3]);
    db.prepare("INSERT INTO inputs (id, path, file_name, status, added_at) VALUES (1, '/x/a.pcap', 'a.pcap', 'done', '2024-01-01T00:00:00Z')").run();
    db.prepare(`INSERT INTO http (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, source, method, host, uri, version,
      response_body, response_body_codec, response_body_len) VALUES (7, 1, 3, 1700000000123456789, '10.0.0.2', 40000, '8.8.8.8', 80,
      'tcp', 'GET', 'a.test', '/', 'HTTP/1.1', x'6869', 'raw', 2)`).run();
    return db;
  }

  it('adds the encoding and hash columns, records itself, and leaves existing rows decoded', () => {
    const db = upTo3();
    expect(migrate(db, 'test', 4)).toEqual([4]);
    const ledger = db.prepare('SELECT version, name, sha256 FROM schema_migrations WHERE version = 4').get();
    expect(ledger).toEqual({ version: 4, name: 'response-bodies', sha256: createHash('sha256').update(sql004).digest('hex') });
    expect(db.prepare('SELECT response_body, response_body_encoding, response_body_sha256 FROM http WHERE id = 7').get())
      .toEqual({ response_body: Buffer.from('hi'), response_body_encoding: null, response_body_sha256: null });
  });

  it('refuses a hash that is not one, or a hash next to a kept body', () => {
    const db = upTo3();
    migrate(db, 'test', 4);
    const set = db.prepare('UPDATE http SET response_body = ?, response_body_sha256 = ? WHERE id = 7');
    expect(() => set.run(null, 'abc')).toThrow(/CHECK/);
    expect(() => set.run(Buffer.from('hi'), 'a'.repeat(64))).toThrow(/CHECK/);
    expect(() => set.run(null, 'a'.repeat(64))).not.toThrow();
  });
});
