import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CASE_APPLICATION_ID, CaseSchemaError, CaseStore, NotACaseError, isCaseFile } from '../../../electron/engine/store/case-store.ts';
import { migrate, migrationHash } from '../../../electron/engine/store/migrate.ts';
import { MIGRATIONS } from '../../../electron/engine/store/migrations/index.ts';
import { tempDir } from './records-fixture.ts';

describe('migration ledger', () => {
  it('numbers migrations 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it('creates a case with WAL, foreign keys, the application id and every migration recorded', () => {
    const path = join(tempDir(), 'a.db');
    const store = CaseStore.open(path, { create: true });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('application_id', { simple: true })).toBe(CASE_APPLICATION_ID);
    const ledger = store.db.prepare('SELECT version, sha256 FROM schema_migrations ORDER BY version').all();
    expect(ledger).toEqual(MIGRATIONS.map((m) => ({ version: m.version, sha256: migrationHash(m.sql) })));
    expect(store.custodyLog().map((c) => c.action)).toEqual(['case.create']);
    expect(store.meta().format).toBe('telltale-case');
    // Recognised from the header while open (schema still in the WAL) …
    expect(isCaseFile(path)).toBe(true);
    store.close();
    // … and after close (WAL checkpointed).
    expect(isCaseFile(path)).toBe(true);
    const again = CaseStore.open(path);
    expect(again.custodyLog().map((c) => c.action)).toEqual(['case.create']);
    again.close();
  });

  it('refuses a case whose recorded migration hash differs from the code', () => {
    const path = join(tempDir(), 'b.db');
    CaseStore.open(path, { create: true }).close();
    const raw = new Database(path);
    raw.prepare("UPDATE schema_migrations SET sha256 = 'deadbeef' WHERE version = 1").run();
    raw.close();
    expect(() => CaseStore.open(path)).toThrow(CaseSchemaError);
    expect(() => CaseStore.open(path)).toThrow(/migration 1 "initial".*deadbeef/);
    expect(() => CaseStore.open(path, { readonly: true })).toThrow(CaseSchemaError);
  });

  it('refuses a case written by a newer build', () => {
    const path = join(tempDir(), 'c.db');
    CaseStore.open(path, { create: true }).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x', '2030-01-01T00:00:00Z')").run();
    raw.close();
    expect(() => CaseStore.open(path)).toThrow(/newer Telltale/);
  });

  it('applies only pending migrations, in order, each recorded', () => {
    const db = new Database(':memory:');
    const extra = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'test-extra', sql: 'CREATE TABLE extra (x INTEGER) STRICT;' }];
    expect(migrate(db, 'mem', Infinity, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db, 'mem', Infinity, extra)).toEqual([MIGRATIONS.length + 1]);
    expect(migrate(db, 'mem', Infinity, extra)).toEqual([]);
    expect(db.prepare('SELECT name FROM schema_migrations ORDER BY version').pluck().all()).toEqual(extra.map((m) => m.name));
    // Back on the shorter list, the unknown migration marks the database as newer.
    expect(() => migrate(db, 'mem', Infinity, MIGRATIONS)).toThrow(/newer/);
  });

  it('rolls a failing migration back completely', () => {
    const db = new Database(':memory:');
    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' }];
    migrate(db, 'mem', Infinity, MIGRATIONS);
    expect(() => migrate(db, 'mem', Infinity, broken)).toThrow(/no_such_table/);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
  });

  it('never overwrites a file that is not a case', () => {
    const dir = tempDir();
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'not a database');
    expect(isCaseFile(text)).toBe(false);
    expect(() => CaseStore.open(text, { create: true })).toThrow(NotACaseError);
    expect(readFileSync(text, 'utf8')).toBe('not a database');
    // Another application's SQLite database is not ours either.
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(isCaseFile(other)).toBe(false);
    expect(() => CaseStore.open(other, { create: true })).toThrow(NotACaseError);
    // Without create, a missing path is an error and is not created.
    const missing = join(dir, 'missing.db');
    expect(() => CaseStore.open(missing)).toThrow(NotACaseError);
    expect(existsSync(missing)).toBe(false);
  });
});
